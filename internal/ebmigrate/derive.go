package ebmigrate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Tags the engine puts on what it registers and runs.
const (
	TagContentHash = "ebmigrate:content-hash"
	TagEnvID       = "ebmigrate:environment-id"
	TagEnvName     = "ebmigrate:environment-name"
	TagRun         = "ebmigrate:run"
)

// DeriveSpec is what the user asked to run.
type DeriveSpec struct {
	// Container is the migration container's name; "" means the one
	// essential container of the source definition.
	Container string
	Command   []string
	// Image replaces the container's image when set.
	Image string
	// Environment is added on top of the EB properties. Values are secret.
	Environment map[string]string
	// Family is the family to register in; "" means DerivedFamily. Read-only
	// commands run at plan time use their own, so that the migration's
	// revision is not replaced on every plan.
	Family string
	// LogGroup, when set, gives the container an awslogs configuration that
	// writes to it (stream prefix "ebmigrate", mode blocking).
	LogGroup string
	// CPU, Memory and MemoryReservation replace the container's own when set.
	CPU               *int32
	Memory            *int32
	MemoryReservation *int32
	// Placement is where it runs; on Fargate the definition is made
	// Fargate-ready.
	Placement Placement
}

// LogStreamPrefix is the awslogs stream prefix of a configured log_group.
const LogStreamPrefix = "ebmigrate"

// Derived is a migration task definition, ready to register.
type Derived struct {
	Input     *ecs.RegisterTaskDefinitionInput
	Container string
	Image     string
	// Hash identifies the content: equal hashes, equal definitions.
	Hash string
}

// DerivedFamily is the family migration task definitions of an environment
// are registered in.
func DerivedFamily(envName string) string { return "ebmigrate-" + envName }

// QueryFamily is the family of the read-only commands run at plan time.
func QueryFamily(envName string) string { return "ebmigrate-" + envName + "-query" }

// SelectContainer finds the migration container of a task definition: the
// named one, or else the one essential container.
func SelectContainer(td *ecstypes.TaskDefinition, name string) (*ecstypes.ContainerDefinition, error) {
	var names, essential []string
	for i := range td.ContainerDefinitions {
		c := &td.ContainerDefinitions[i]
		n := aws.ToString(c.Name)
		if name != "" && n == name {
			return c, nil
		}
		names = append(names, n)
		if c.Essential == nil || *c.Essential {
			essential = append(essential, n)
		}
	}
	arn := aws.ToString(td.TaskDefinitionArn)
	if name != "" {
		return nil, problem("Container Not Found",
			"Task definition %s has no container named %q. Its containers are: %s. Set container_name to one of them.",
			arn, name, strings.Join(names, ", "))
	}
	switch len(essential) {
	case 1:
		for i := range td.ContainerDefinitions {
			if aws.ToString(td.ContainerDefinitions[i].Name) == essential[0] {
				return &td.ContainerDefinitions[i], nil
			}
		}
	case 0:
		return nil, problem("No Essential Container",
			"Task definition %s has no essential container to run the migration in. Its containers are: %s. Set container_name.",
			arn, strings.Join(names, ", "))
	}
	return nil, problem("Several Essential Containers",
		"Task definition %s has several essential containers: %s. Set container_name to the one that holds the application code.",
		arn, strings.Join(essential, ", "))
}

// DeriveTaskDefinition builds the migration task definition from the
// target's source definition: only the migration container, no port
// mappings, links or health check, the command replaced, EB's properties and
// secrets merged in. Every other field is kept as it is.
func DeriveTaskDefinition(t *Target, spec DeriveSpec) (*Derived, error) {
	src := t.SourceTaskDefinition
	if src == nil {
		return nil, errors.New("no source task definition")
	}
	chosen, err := SelectContainer(src, spec.Container)
	if err != nil {
		return nil, err
	}
	in, err := registerInputFrom(src)
	if err != nil {
		return nil, err
	}
	var c ecstypes.ContainerDefinition
	if err := roundTrip(*chosen, &c); err != nil {
		return nil, err
	}
	c.Essential = aws.Bool(true)
	c.PortMappings = nil // static host ports would collide with the web tasks
	c.Links = nil        // every other container is gone
	c.VolumesFrom = nil
	c.DependsOn = nil
	c.HealthCheck = nil // a web health check would kill a long migration
	if len(spec.Command) > 0 {
		c.Command = append([]string{}, spec.Command...)
	}
	if spec.Image != "" {
		c.Image = aws.String(spec.Image)
	}
	c.Environment, c.Secrets = mergeVariables(c, t, spec.Environment)
	if spec.LogGroup != "" {
		c.LogConfiguration = &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: map[string]string{
			"awslogs-group": spec.LogGroup, "awslogs-region": t.Region, "awslogs-stream-prefix": LogStreamPrefix, "mode": "blocking",
		}}
	}
	if spec.CPU != nil {
		c.Cpu = *spec.CPU
	}
	if spec.Memory != nil {
		c.Memory = spec.Memory
	}
	if spec.MemoryReservation != nil {
		c.MemoryReservation = spec.MemoryReservation
	}
	if len(c.Secrets) > 0 && aws.ToString(in.ExecutionRoleArn) == "" {
		names := make([]string, len(c.Secrets))
		for i, s := range c.Secrets {
			names[i] = aws.ToString(s.Name)
		}
		return nil, problem("Execution Role Required",
			"The migration container gets secrets (%s) but task definition %s has no executionRoleArn, which ECS needs to fetch them. Give the environment's task definition an execution role, or set source_task_definition to one that has it.",
			strings.Join(names, ", "), aws.ToString(src.TaskDefinitionArn))
	}
	in.ContainerDefinitions = []ecstypes.ContainerDefinition{c}
	if spec.Placement.Fargate() {
		if err := makeFargateReady(in, spec.Placement, aws.ToString(src.TaskDefinitionArn)); err != nil {
			return nil, err
		}
	}
	in.Family = aws.String(DerivedFamily(t.EnvironmentName))
	if spec.Family != "" {
		in.Family = aws.String(spec.Family)
	}
	in.Tags = nil
	raw, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	return &Derived{Input: in, Container: aws.ToString(c.Name), Image: aws.ToString(c.Image), Hash: hex.EncodeToString(sum[:16])}, nil
}

// registerInputFrom turns a described definition into a registration of the
// same content. The two types share their field names; what only the
// described one has (ARN, revision, status, registeredAt, …) is dropped.
func registerInputFrom(td *ecstypes.TaskDefinition) (*ecs.RegisterTaskDefinitionInput, error) {
	var in ecs.RegisterTaskDefinitionInput
	if err := roundTrip(td, &in); err != nil {
		return nil, fmt.Errorf("copying task definition %s: %w", aws.ToString(td.TaskDefinitionArn), err)
	}
	return &in, nil
}

func roundTrip(from, to any) error {
	raw, err := json.Marshal(from)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, to)
}

// mergeVariables layers the container's own variables, EB's properties, EB's
// secrets and the user's environment, later layers winning by name. Secrets
// stay references (valueFrom); their values never pass through here.
func mergeVariables(c ecstypes.ContainerDefinition, t *Target, user map[string]string) ([]ecstypes.KeyValuePair, []ecstypes.Secret) {
	type variable struct {
		value, from string
		secret      bool
	}
	vars := map[string]variable{}
	for _, kv := range c.Environment {
		vars[aws.ToString(kv.Name)] = variable{value: aws.ToString(kv.Value)}
	}
	for _, s := range c.Secrets {
		vars[aws.ToString(s.Name)] = variable{from: aws.ToString(s.ValueFrom), secret: true}
	}
	for k, v := range t.Properties {
		vars[k] = variable{value: v}
	}
	for k, arn := range t.Secrets {
		vars[k] = variable{from: arn, secret: true}
	}
	for k, v := range user {
		vars[k] = variable{value: v}
	}
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	var env []ecstypes.KeyValuePair
	var secrets []ecstypes.Secret
	for _, k := range names {
		v := vars[k]
		if v.secret {
			secrets = append(secrets, ecstypes.Secret{Name: aws.String(k), ValueFrom: aws.String(v.from)})
		} else {
			env = append(env, ecstypes.KeyValuePair{Name: aws.String(k), Value: aws.String(v.value)})
		}
	}
	return env, secrets
}

// PruneRevisions deregisters the ACTIVE revisions of family beyond the
// newest keep, never inUse. It returns the ARNs it deregistered.
func PruneRevisions(ctx context.Context, api ECS, family string, keep int, inUse string) ([]string, error) {
	var active []string
	var next *string
	for {
		out, err := api.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{
			FamilyPrefix: aws.String(family), Status: ecstypes.TaskDefinitionStatusActive,
			Sort: ecstypes.SortOrderDesc, NextToken: next,
		})
		if err != nil {
			return nil, fmt.Errorf("listing the revisions of task definition family %s: %w", family, err)
		}
		for _, arn := range out.TaskDefinitionArns {
			// familyPrefix also matches longer families (…-query).
			if strings.HasSuffix(arn[:strings.LastIndex(arn, ":")], ":task-definition/"+family) {
				active = append(active, arn)
			}
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	var gone []string
	kept := 0
	for _, arn := range active {
		if kept < keep || arn == inUse {
			kept++
			continue
		}
		if _, err := api.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(arn)}); err != nil {
			return gone, fmt.Errorf("deregistering old migration task definition %s: %w", arn, err)
		}
		gone = append(gone, arn)
	}
	return gone, nil
}
