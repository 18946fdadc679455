package ebmigrate

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// MaxOverridesChars is ECS's limit on RunTask's overrides. Source: botocore
// ecs service-2.json, RunTaskRequest.overrides: "A total of 8192 characters
// are allowed for overrides. This limit includes the JSON formatting
// characters of the override structure."
const MaxOverridesChars = 8192

// splitVariables layers the container's own variables, EB's properties, EB's
// secrets and the user's environment, later layers winning by name, and
// splits the result: what the task definition revision may hold (the
// container's own variables that no property or user value names, secret
// references) and the values passed at run time as container overrides (EB
// properties and the user's environment), which a revision would keep for
// ever. Secrets stay
// references (valueFrom); their values never pass through here.
func splitVariables(c ecstypes.ContainerDefinition, t *Target, user map[string]string) (env []ecstypes.KeyValuePair, secrets []ecstypes.Secret, overrides []ecstypes.KeyValuePair) {
	values := map[string]string{}
	for k, v := range t.Properties {
		values[k] = v
	}
	refs := map[string]string{}
	for _, s := range c.Secrets {
		refs[aws.ToString(s.Name)] = aws.ToString(s.ValueFrom)
	}
	for k, arn := range t.Secrets {
		refs[k] = arn
		delete(values, k)
	}
	for k, v := range user {
		values[k] = v
		delete(refs, k)
	}
	for k := range values {
		delete(refs, k) // an EB property wins over the container's own secret
	}
	for _, kv := range c.Environment {
		name := aws.ToString(kv.Name)
		_, secret := refs[name]
		_, passed := values[name]
		// A variable of an EB property's (or the user's) name is passed at
		// run time and dropped here: EB may render its properties into its
		// own task definition's environment, and copying that would write
		// the property's value into a revision of ours.
		if !secret && !passed {
			env = append(env, kv)
		}
	}
	for _, k := range sortedKeys(refs) {
		secrets = append(secrets, ecstypes.Secret{Name: aws.String(k), ValueFrom: aws.String(refs[k])})
	}
	for _, k := range sortedKeys(values) {
		overrides = append(overrides, ecstypes.KeyValuePair{Name: aws.String(k), Value: aws.String(values[k])})
	}
	return env, secrets, overrides
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// overridesFor is RunTask's overrides passing the values to the container.
func overridesFor(container string, values []ecstypes.KeyValuePair) *ecstypes.TaskOverride {
	if len(values) == 0 {
		return nil
	}
	return &ecstypes.TaskOverride{ContainerOverrides: []ecstypes.ContainerOverride{{Name: aws.String(container), Environment: values}}}
}

// overridesChars is the length of the overrides as RunTask's JSON carries
// them, as ECS counts it: the SDK's own serialization (which, unlike Go's
// json.Marshal, writes "&", "<" and ">" as they are), in characters.
func overridesChars(o *ecstypes.TaskOverride) (int, error) {
	body, err := requestBody(func(ctx context.Context, opt func(*ecs.Options)) error {
		_, err := sizer.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("measure"), Overrides: o}, opt)
		return err
	})
	if err != nil {
		return 0, err
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return 0, err
	}
	return jsonChars(members["overrides"]), nil
}

// withOverrides adds the derived run's values to a RunTask input.
func withOverrides(in *ecs.RunTaskInput, d *Derived) {
	in.Overrides = d.Overrides
}
