package ebmigrate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
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
	// TagLockHolder names the apply that started a migration task under
	// the lock (its holder id in the lock's record), so that a task whose
	// RunTask answers were lost can be told from the run's other tasks.
	TagLockHolder = "ebmigrate:lock-holder"
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
	// TaskRoleArn and ExecutionRoleArn replace the source definition's roles
	// when set.
	TaskRoleArn, ExecutionRoleArn string
	// LogRetentionDays is the retention of the default log group when the
	// provider creates it (0: DefaultLogRetentionDays; LogRetentionNeverExpire: none).
	LogRetentionDays int32
	// Tags are the user's tags (the provider's default_tags and the
	// resource's tags) for the task definition and the task.
	Tags map[string]string
}

// LogStreamPrefix is the awslogs stream prefix of a configured logs.group.
const LogStreamPrefix = "ebmigrate"

// Derived is a migration task definition, ready to register.
type Derived struct {
	Input     *ecs.RegisterTaskDefinitionInput
	Container string
	Image     string
	// Hash identifies the content: equal hashes, equal definitions.
	Hash string
	// Overrides pass EB's property values and the user's environment to the
	// container at run time (RunTask), so that no revision holds them. Nil
	// when there are none, or when they are in the revision instead
	// (ValuesInRevision).
	Overrides *ecstypes.TaskOverride
	// ValuesInRevision is true when the values were too large for RunTask's
	// overrides (MaxOverridesChars) and had to be written into the revision.
	ValuesInRevision bool
	// LogGroup is the awslogs group of the migration container ("" when it
	// logs elsewhere); DefaultLogGroup is true when it is the provider's
	// default group, which the apply creates when missing.
	LogGroup        string
	DefaultLogGroup bool
	// Tags are the user's tags, put on the registered revision and the task.
	Tags map[string]string
}

// The task definition families of an environment, which no other
// environment's can be (Elastic Beanstalk environment names are letters,
// digits and hyphens: no "_"):
//
//	ebmigrate-<env>           the default migration (DerivedFamily)
//	ebmigrate-<env>_<name>    a named migration; a name starts with a letter or digit
//	ebmigrate-<env>__query    the read-only queries at plan time (QueryFamily)
//
// The first "_" ends the environment's name, and what follows it starts
// with "_" only for the query family. Family names outlive every release
// that registered revisions in them: never change one.

// DerivedFamily is the family migration task definitions of an environment
// are registered in.
func DerivedFamily(envName string) string { return "ebmigrate-" + envName }

// QueryFamily is the family of the read-only commands run at plan time.
func QueryFamily(envName string) string { return DerivedFamily(envName) + queryFamilySuffix }

const queryFamilySuffix = "__query"

// LegacyQueryFamily is the query family before 1.0, ebmigrate-<env>-query:
// it was also the default migration family of an environment named
// <env>-query. Only its revisions tagged as <env>'s are <env>'s queries
// (DeleteLegacyQueryRevisions).
func LegacyQueryFamily(envName string) string { return DerivedFamily(envName) + "-query" }

// SelectContainer finds the migration container of a task definition: the
// named one, or else the one essential container, or else among several
// essential ones the one the others link to or depend on, or else the one
// without host port mappings.
func SelectContainer(td *ecstypes.TaskDefinition, name string) (*ecstypes.ContainerDefinition, error) {
	return selectContainer(td, name)
}

func selectContainer(td *ecstypes.TaskDefinition, name string) (*ecstypes.ContainerDefinition, error) {
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
		return nil, problemAt(ArgContainerName, "Container Not Found",
			"Task definition %s has no container named %q. Its containers are: %s. Set %s to one of them.",
			arn, name, strings.Join(names, ", "), ArgContainerName)
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
			"Task definition %s has no essential container to run the migration in. Its containers are: %s. Set %s.",
			arn, strings.Join(names, ", "), ArgContainerName)
	}
	if n := defaultContainer(td, essential); n != "" {
		return selectContainer(td, n)
	}
	return nil, problem("Several Essential Containers",
		"Task definition %s has several essential containers (%s), and neither links, dependsOn nor host port mappings tell which one holds the application code. Set %s to it.",
		arn, strings.Join(essential, ", "), ArgContainerName)
}

// DeriveTaskDefinition builds the migration task definition from the
// target's source definition: only the migration container, no port
// mappings, links, health check, restart policy or terminal (runOnce), the
// command replaced, EB's properties and secrets merged in. Every other
// field is kept as it is.
func DeriveTaskDefinition(t *Target, spec DeriveSpec) (*Derived, error) {
	src := t.SourceTaskDefinition
	if src == nil {
		return nil, engineError(nil, "No Source Task Definition", "No task definition was found to derive the migration task definition from. Set %s.", ArgSourceTaskDefinition)
	}
	chosen, err := selectContainer(src, spec.Container)
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
	runOnce(&c)
	if len(spec.Command) > 0 {
		c.Command = append([]string{}, spec.Command...)
	}
	if spec.Image != "" {
		c.Image = aws.String(spec.Image)
	}
	for _, s := range c.Secrets {
		// ECS requires valueFrom (botocore ecs Secret: name and valueFrom
		// are required), so such a definition cannot have come from ECS.
		if aws.ToString(s.ValueFrom) == "" {
			return nil, problem("Secret Without valueFrom",
				"Container %q of task definition %s has secret %q without valueFrom, which ECS requires. Fix the task definition (or the Dockerrun.aws.json), or set %s to another.",
				aws.ToString(c.Name), aws.ToString(t.SourceTaskDefinition.TaskDefinitionArn), aws.ToString(s.Name), ArgSourceTaskDefinition)
		}
	}
	var values []ecstypes.KeyValuePair
	c.Environment, c.Secrets, values = splitVariables(c, t, spec.Environment)
	overrides := overridesFor(aws.ToString(c.Name), values)
	valuesInRevision := false
	if overrides != nil {
		n, err := overridesChars(overrides)
		if err != nil {
			return nil, fmt.Errorf("measuring the migration's overrides for environment %q: %w", t.EnvironmentName, err)
		}
		valuesInRevision = n > MaxOverridesChars
	}
	if valuesInRevision {
		c.Environment = mergeVariables(c.Environment, values)
		overrides = nil
	}
	logGroup, defaultGroup := migrationLogGroup(c, t, spec)
	if spec.LogGroup != "" || defaultGroup {
		c.LogConfiguration = &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: map[string]string{
			"awslogs-group": logGroup, "awslogs-region": t.Region, "awslogs-stream-prefix": LogStreamPrefix, "mode": "blocking",
		}}
	}
	if lc := c.LogConfiguration; lc != nil && lc.LogDriver == ecstypes.LogDriverAwslogs && lc.Options["mode"] == "" {
		// ECS defaults awslogs to non-blocking since June 2025 (ECS
		// developer guide, awslogs "mode"), which drops lines when the
		// buffer fills; the pending list and the failure's tail are parsed
		// from these lines; and only a blocking driver's stream proves
		// that a task ECS does not show started yet did start
		// (start_proof.go). A mode the user set is kept.
		blocking := *lc
		blocking.Options = maps.Clone(lc.Options)
		blocking.Options["mode"] = "blocking"
		c.LogConfiguration = &blocking
	}
	if isProvenCommand(spec.Command) {
		if err := checkProvenEntryPoint(&c, src); err != nil {
			return nil, err
		}
		provenLogOptions(&c)
	}
	if spec.TaskRoleArn != "" {
		in.TaskRoleArn = aws.String(spec.TaskRoleArn)
	}
	if spec.ExecutionRoleArn != "" {
		in.ExecutionRoleArn = aws.String(spec.ExecutionRoleArn)
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
			"The migration container gets secrets (%s) but task definition %s has no executionRoleArn, which ECS needs to fetch them. Set task.execution_role_arn to a role that may read them, or give the Dockerrun.aws.json an executionRoleArn.",
			strings.Join(names, ", "), aws.ToString(src.TaskDefinitionArn))
	}
	in.ContainerDefinitions = []ecstypes.ContainerDefinition{c}
	if spec.Placement.Fargate() {
		if err := makeFargateReady(in, spec.Placement, aws.ToString(src.TaskDefinitionArn)); err != nil {
			return nil, err
		}
	} else if err := checkContainerMemory(in, false); err != nil {
		return nil, err
	}
	if err := checkContainerFields(in, spec.Placement.Fargate(), aws.ToString(src.TaskDefinitionArn)); err != nil {
		return nil, err
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
	sum := sha256.Sum256(append(raw, tagsHash(spec.Tags)...))
	return &Derived{Input: in, Container: aws.ToString(c.Name), Image: aws.ToString(c.Image), Hash: hex.EncodeToString(sum[:16]), Tags: spec.Tags,
		Overrides: overrides, ValuesInRevision: valuesInRevision, LogGroup: logGroup, DefaultLogGroup: defaultGroup}, nil
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

// mergeVariables is env with values added, values winning by name, sorted
// by name: the fallback when the values do not fit in RunTask's overrides.
func mergeVariables(env, values []ecstypes.KeyValuePair) []ecstypes.KeyValuePair {
	byName := map[string]string{}
	for _, kv := range env {
		byName[aws.ToString(kv.Name)] = aws.ToString(kv.Value)
	}
	for _, kv := range values {
		byName[aws.ToString(kv.Name)] = aws.ToString(kv.Value)
	}
	var out []ecstypes.KeyValuePair
	for _, k := range sortedKeys(byName) {
		out = append(out, ecstypes.KeyValuePair{Name: aws.String(k), Value: aws.String(byName[k])})
	}
	return out
}

// PruneRevisions deregisters the ACTIVE revisions of family beyond the
// newest keep, never inUse, and deletes them (deleteRevisions says why). It
// returns the ARNs it deregistered.
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
			// familyPrefix also matches longer families (…__query, …_<name>).
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
			var ce *ecstypes.ClientException
			if errors.As(err, &ce) {
				// Another run pruning the family at once deregistered and
				// deleted it first: ECS knows it no more.
				continue
			}
			_, derr := deleteRevisions(ctx, api, gone, DefaultPoll.RegisterFor)
			return gone, errors.Join(fmt.Errorf("deregistering old migration task definition %s: %w; it stays ACTIVE until the next successful run", arn, err), derr)
		}
		gone = append(gone, arn)
	}
	_, err := deleteRevisions(ctx, api, gone, DefaultPoll.RegisterFor)
	return gone, err
}
