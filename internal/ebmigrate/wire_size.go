package ebmigrate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// MaxTaskDefinitionSize is the largest task definition ECS registers: 64 KiB
// (Amazon ECS service quotas, "Task definition size", not adjustable).
// RegisterTaskDefinition refuses a larger one with "Actual length: '66420'.
// Max allowed length is '65536' bytes." (ClientException, quoted in
// awsdocs/amazon-ecs-developer-guide#149).
const MaxTaskDefinitionSize = 64 << 10

// checkSize refuses a derived definition ECS would refuse, before anything
// is registered. It measures the request the SDK sends (its own JSON
// serializer: the wire's member names, nothing for unset fields, the tags),
// not Go's JSON of the SDK struct, which spells every field name in full
// and writes null for each unset one, and so refused definitions ECS takes.
func checkSize(t *Target, d *Derived) error {
	n, err := requestSize(registration(t, d))
	if err != nil {
		return fmt.Errorf("measuring the migration task definition for environment %q: %w", t.EnvironmentName, err)
	}
	if n > MaxTaskDefinitionSize {
		return problem("Task Definition Too Large",
			"The migration task definition for environment %q would be %d bytes as RegisterTaskDefinition sends it; ECS refuses task definitions above %d bytes (64 KiB). Shorten the command, or move values from the task definition into the environment's properties.",
			t.EnvironmentName, n, MaxTaskDefinitionSize)
	}
	return nil
}

// CommandSize is the size in bytes of a command as RegisterTaskDefinition
// sends it in the migration task definition (the SDK's JSON of the list, as
// checkSize measures the whole): a lower bound of the definition's size,
// which the configuration alone decides.
func CommandSize(argv []string) (int, error) {
	body, err := requestBody(func(ctx context.Context, opt func(*ecs.Options)) error {
		_, err := sizer.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
			Family: aws.String("measure"), ContainerDefinitions: []ecstypes.ContainerDefinition{{Command: argv}},
		}, opt)
		return err
	})
	if err != nil {
		return 0, err
	}
	var in struct {
		ContainerDefinitions []struct {
			Command json.RawMessage `json:"command"`
		} `json:"containerDefinitions"`
	}
	if err := json.Unmarshal(body, &in); err != nil || len(in.ContainerDefinitions) != 1 {
		return 0, fmt.Errorf("reading the measured request: %v", err)
	}
	return len(in.ContainerDefinitions[0].Command), nil
}

// errMeasured ends a request once its body is serialized: nothing is sent.
var errMeasured = errors.New("request measured, not sent")

// sizer serializes requests only: no credentials, no endpoint, no transport
// is ever reached (the measuring step ends the request at the Build step,
// before the Finalize step that resolves, signs and sends).
var sizer = ecs.New(ecs.Options{Region: "us-east-1"})

// requestSize is the length of the body the SDK sends for a
// RegisterTaskDefinition request.
func requestSize(in *ecs.RegisterTaskDefinitionInput) (int, error) {
	size := -1
	err := buildOnly(func(ctx context.Context, opt func(*ecs.Options)) error {
		_, err := sizer.RegisterTaskDefinition(ctx, in, opt)
		return err
	}, func(req *smithyhttp.Request) error {
		n, known, err := req.StreamLength()
		if err != nil || !known {
			return fmt.Errorf("request body of unknown length (%v)", err)
		}
		size = int(n)
		return nil
	})
	if err != nil || size < 0 {
		return 0, err
	}
	return size, nil
}

// requestBody is the body the SDK sends for an ECS request.
func requestBody(call func(context.Context, func(*ecs.Options)) error) ([]byte, error) {
	var body []byte
	err := buildOnly(call, func(req *smithyhttp.Request) error {
		stream := req.GetStream()
		if stream == nil {
			return errors.New("request without a body")
		}
		var err error
		body, err = io.ReadAll(stream)
		return err
	})
	return body, err
}

// buildOnly runs call, an ECS operation of sizer, up to the end of the Build
// step (the body serialized), hands the request to inspect, and ends it
// there: nothing is resolved, signed or sent.
func buildOnly(call func(context.Context, func(*ecs.Options)) error, inspect func(*smithyhttp.Request) error) error {
	measure := middleware.BuildMiddlewareFunc("ebmigrateMeasureBody", func(ctx context.Context, bin middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
		req, ok := bin.Request.(*smithyhttp.Request)
		if !ok {
			return middleware.BuildOutput{}, middleware.Metadata{}, fmt.Errorf("unexpected request type %T", bin.Request)
		}
		if err := inspect(req); err != nil {
			return middleware.BuildOutput{}, middleware.Metadata{}, err
		}
		return middleware.BuildOutput{}, middleware.Metadata{}, errMeasured
	})
	err := call(context.Background(), func(o *ecs.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error { return st.Build.Add(measure, middleware.After) })
	})
	if errors.Is(err, errMeasured) {
		return nil
	}
	if err == nil {
		return errors.New("request sent unmeasured")
	}
	return err
}

// jsonChars is the length of a JSON text in characters, as RunTask's "A
// total of 8192 characters are allowed for overrides" counts them: not
// bytes. A character outside the Basic Multilingual Plane counts two, as in
// Java's strings (UTF-16 code units), which ECS's "characters" are taken to
// be (AWS does not say): the count errs on the long side.
func jsonChars(raw []byte) int {
	n := 0
	for _, r := range string(raw) {
		n += utf16.RuneLen(r)
	}
	return n
}
