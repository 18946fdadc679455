package ebmigrate

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
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

// errMeasured ends a request once its body is serialized: nothing is sent.
var errMeasured = errors.New("request measured, not sent")

// sizer serializes requests only: no credentials, no endpoint, no transport
// is ever reached (the measuring step ends the request at the Build step,
// before the Finalize step that resolves, signs and sends).
var sizer = ecs.New(ecs.Options{Region: "us-east-1"})

// requestSize is the length of the body the SDK sends for a
// RegisterTaskDefinition request.
func requestSize(in *ecs.RegisterTaskDefinitionInput) (int, error) {
	var size int64 = -1
	measure := middleware.BuildMiddlewareFunc("ebmigrateMeasureBody", func(ctx context.Context, bin middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
		req, ok := bin.Request.(*smithyhttp.Request)
		if !ok {
			return middleware.BuildOutput{}, middleware.Metadata{}, fmt.Errorf("unexpected request type %T", bin.Request)
		}
		n, known, err := req.StreamLength()
		if err != nil || !known {
			return middleware.BuildOutput{}, middleware.Metadata{}, fmt.Errorf("request body of unknown length (%v)", err)
		}
		size = n
		return middleware.BuildOutput{}, middleware.Metadata{}, errMeasured
	})
	_, err := sizer.RegisterTaskDefinition(context.Background(), in, func(o *ecs.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error { return st.Build.Add(measure, middleware.After) })
	})
	if !errors.Is(err, errMeasured) || size < 0 {
		return 0, err
	}
	return int(size), nil
}
