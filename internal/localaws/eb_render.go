package localaws

import (
	"encoding/json"
	"fmt"
	"slices"
)

// EB's rendering of a Dockerrun.aws.json v2 into the environment's ECS task
// definition.
//
// Source: AWS Elastic Beanstalk Developer Guide, "Dockerrun.aws.json v2"
// (create_deploy_docker_v2config.html): "Elastic Beanstalk configures
// additional volumes for logs, one for each container. These should be
// mounted by your Docker containers in order to write logs to the host
// instance" — volumes named awseb-logs-<container name>, on the host under
// /var/log/containers/<container name>. Everything else (roles, awslogs,
// mountPoints) is in the task definition only when the Dockerrun sets it:
// EB adds no taskRoleArn, executionRoleArn or logConfiguration of its own.

// ebLogsVolume is the name of the log volume EB adds for a container.
func ebLogsVolume(container string) string { return "awseb-logs-" + container }

// renderTaskDefinition is the RegisterTaskDefinition body EB sends for an
// environment's version: the seed's containers with the version's images,
// the seed's task-level fields, and one awseb-logs-<container> host volume
// per container.
func (e *environment) renderTaskDefinition(label string) ([]byte, error) {
	images, ok := e.versions[label]
	if !ok {
		return nil, clientErr("InvalidParameterValue", "No Application Version named '%s' found.", label)
	}
	var containers []map[string]any
	var names []string
	for _, raw := range e.containers {
		var c map[string]any
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("container definition: %w", err)
		}
		if img, ok := images[fmt.Sprint(c["name"])]; ok {
			c["image"] = img
		}
		if e.renderVariables {
			e.renderVariablesInto(c)
		}
		containers = append(containers, c)
		names = append(names, fmt.Sprint(c["name"]))
	}
	body := map[string]any{"family": e.family, "containerDefinitions": containers}
	for k, v := range e.taskDefExtra {
		var val any
		if err := json.Unmarshal(v, &val); err != nil {
			return nil, fmt.Errorf("task_definition.%s: %w", k, err)
		}
		body[k] = val
	}
	volumes, _ := body["volumes"].([]any)
	for _, n := range names {
		name := ebLogsVolume(n)
		if slices.ContainsFunc(volumes, func(v any) bool { m, _ := v.(map[string]any); return m["name"] == name }) {
			continue
		}
		volumes = append(volumes, map[string]any{"name": name, "host": map[string]any{"sourcePath": "/var/log/containers/" + n}})
	}
	body["volumes"] = volumes
	return json.Marshal(body)
}

// renderVariablesInto writes the environment's properties into a container
// definition's environment (a property replaces a Dockerrun variable of its
// name) and its secrets into the container's secrets, as references
// (valueFrom). Secrets: Elastic Beanstalk Developer Guide, "Dockerrun.aws.json
// v2", executionRoleArn: "For your application to use Elastic Beanstalk
// environment variables stored as secrets, you'll need to specify the ARN of
// a task execution role that grants the required permissions", a role that
// "must grant the Amazon ECS container permission to make AWS API calls on
// your behalf using AWS Secrets Manager secrets or AWS Systems Manager
// Parameter Store parameters": ECS resolves them, so they are ECS secrets of
// the task definition, and without an executionRoleArn RegisterTaskDefinition
// refuses them, as ECS does. Properties: "In most cases, environment
// properties are passed to your application as environment variables" (EB
// guide, "Environment properties and other software settings"), and no AWS
// page says how on this platform; ECS gives a container variables from its
// task definition (environment, environmentFiles) or a run's overrides, and
// the audit of issue 31 reports them in EB's task definition. Both are on
// by default: it is also the harder case for the engine, which must not copy
// a property's value from EB's definition into its own revision. A seed's
// "render_variables": false keeps them out (the other shape the engine
// meets).
func (e *environment) renderVariablesInto(c map[string]any) {
	env := map[string]string{}
	if list, ok := c["environment"].([]any); ok {
		for _, kv := range list {
			m, _ := kv.(map[string]any)
			env[fmt.Sprint(m["name"])] = fmt.Sprint(m["value"])
		}
	}
	for k, v := range e.properties {
		env[k] = v
	}
	var environment []any
	for _, k := range sortedKeys(env) {
		environment = append(environment, map[string]any{"name": k, "value": env[k]})
	}
	if len(environment) > 0 {
		c["environment"] = environment
	}
	refs := map[string]string{}
	if list, ok := c["secrets"].([]any); ok {
		for _, s := range list {
			m, _ := s.(map[string]any)
			refs[fmt.Sprint(m["name"])] = fmt.Sprint(m["valueFrom"])
		}
	}
	for k, arn := range e.secretRefs {
		refs[k] = arn
	}
	var secrets []any
	for _, k := range sortedKeys(refs) {
		secrets = append(secrets, map[string]any{"name": k, "valueFrom": refs[k]})
	}
	if len(secrets) > 0 {
		c["secrets"] = secrets
	}
}
