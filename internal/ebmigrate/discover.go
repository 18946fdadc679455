package ebmigrate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// Option namespaces of an EB environment's configuration.
const (
	nsProperties = "aws:elasticbeanstalk:application:environment"
	nsSecrets    = "aws:elasticbeanstalk:application:environmentsecrets"
	nsVPC        = "aws:ec2:vpc"
	nsLaunch     = "aws:autoscaling:launchconfiguration"
)

// Target is a resolved Elastic Beanstalk environment: what a migration for it
// runs on and with.
type Target struct {
	EnvironmentName string
	EnvironmentID   string
	ApplicationName string
	VersionLabel    string // the deployed version
	Status          string
	PlatformArn     string
	Region          string

	ClusterArn string
	// DefaultStrategy is the cluster's default capacity provider strategy:
	// where RunTask places a task given neither a launch type nor a
	// strategy (botocore ecs RunTaskRequest.capacityProviderStrategy).
	DefaultStrategy []CapacityProvider
	// CapacityProviders are the providers associated with the cluster, read
	// with it (CapacityProvidersRead; not when the cluster was listed but not
	// described yet).
	CapacityProviders     []string
	CapacityProvidersRead bool
	// SourceTaskDefinition is EB's app task definition (or the override).
	SourceTaskDefinition *ecstypes.TaskDefinition

	// Properties are the environment properties, name to value. Values are
	// secret: never log them or put them in state.
	Properties map[string]string
	// Secrets map a variable name to a Secrets Manager or SSM ARN.
	Secrets        map[string]string
	Subnets        []string
	SecurityGroups []string
	// AssociatePublicIP is the environment's aws:ec2:vpc
	// AssociatePublicIpAddress: its instances are in public subnets.
	AssociatePublicIP bool
}

// DiscoverInput names the environment and the user's overrides of discovery.
type DiscoverInput struct {
	EnvironmentName string
	// Cluster, when set, is the cluster name or ARN to use.
	Cluster string
	// SourceTaskDefinition, when set, is the family, family:revision or ARN
	// to derive from instead of EB's own.
	SourceTaskDefinition string
}

// EBTaskFamily is the family of EB's app task definition for an environment:
// awseb-<EnvironmentName>-<environment id without "e-">.
func EBTaskFamily(envName, envID string) string {
	return "awseb-" + envName + "-" + strings.TrimPrefix(envID, "e-")
}

// IsECSPlatform tells EB's ECS-managed Docker platforms ("ECS running on …",
// formerly "Multi-container Docker running on …") from the others.
//
// Older ARNs spell it "multicontainer Docker running on 64bit Amazon
// Linux/2.11.0" (as `eb status` printed it for Amazon Linux AMI
// environments), so the name is compared without case, hyphens or spaces.
func IsECSPlatform(platformArn string) bool {
	_, name, ok := strings.Cut(platformArn, ":platform/")
	if !ok {
		name = platformArn
	}
	squashed := strings.NewReplacer("-", "", " ", "").Replace(strings.ToLower(name))
	return strings.HasPrefix(squashed, "ecsrunningon") || strings.HasPrefix(squashed, "multicontainerdockerrunningon")
}

// DescribeEnvironment reads the environment itself (one EB call): the live
// environment of that name, else a terminated one, else nil.
func DescribeEnvironment(ctx context.Context, eb EB, name string) (*ebtypes.EnvironmentDescription, error) {
	out, err := eb.DescribeEnvironments(ctx, &elasticbeanstalk.DescribeEnvironmentsInput{
		EnvironmentNames: []string{name},
		IncludeDeleted:   aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("describing Elastic Beanstalk environment %q: %w", name, err)
	}
	var found *ebtypes.EnvironmentDescription
	for i := range out.Environments {
		e := &out.Environments[i]
		if aws.ToString(e.EnvironmentName) != name {
			continue
		}
		if found == nil || found.Status == ebtypes.EnvironmentStatusTerminated {
			found = e
		}
	}
	return found, nil
}

// Discover resolves an environment to a Target. It makes read-only calls only.
func Discover(ctx context.Context, c Clients, in DiscoverInput) (*Target, error) {
	env, err := DescribeEnvironment(ctx, c.EB, in.EnvironmentName)
	if err != nil {
		return nil, err
	}
	return discoverFrom(ctx, c, in, env)
}

// discoverFrom is Discover for an environment already described (nil: none).
func discoverFrom(ctx context.Context, c Clients, in DiscoverInput, env *ebtypes.EnvironmentDescription) (*Target, error) {
	var err error
	if env == nil {
		return nil, problemAt(ArgEnvironmentName, "Elastic Beanstalk Environment Not Found",
			"No Elastic Beanstalk environment named %q exists in region %s. Check environment_name and the provider's region, or create the environment first (a reference to aws_elastic_beanstalk_environment.<name>.name orders it before the migration).",
			in.EnvironmentName, c.Region)
	}
	t := &Target{
		EnvironmentName: aws.ToString(env.EnvironmentName),
		EnvironmentID:   aws.ToString(env.EnvironmentId),
		ApplicationName: aws.ToString(env.ApplicationName),
		VersionLabel:    aws.ToString(env.VersionLabel),
		Status:          string(env.Status),
		PlatformArn:     aws.ToString(env.PlatformArn),
		Region:          c.Region,
	}
	if env.Status == ebtypes.EnvironmentStatusTerminating || env.Status == ebtypes.EnvironmentStatusTerminated {
		return nil, problemAt(ArgEnvironmentName, "Elastic Beanstalk Environment Terminated",
			"Environment %q (%s) is %s; a migration cannot run in it. Point environment_name at a live environment.",
			t.EnvironmentName, t.EnvironmentID, strings.ToLower(string(env.Status)))
	}
	if !IsECSPlatform(t.PlatformArn) {
		return nil, problemAt(ArgEnvironmentName, "Not An ECS Platform",
			"Environment %q runs on platform %q, not on Elastic Beanstalk's ECS-managed Docker platform (\"ECS running on 64bit Amazon Linux 2023\" or \"Multi-container Docker\"). ebmigrate_run runs migrations as ECS tasks and works only there; for other platforms use EB's container_commands with leader_only.",
			t.EnvironmentName, platformName(t.PlatformArn))
	}
	// The environment's settings (EB) and its cluster and task definition
	// (ECS) do not depend on each other: read them at once, a round trip
	// less per plan and apply. Each side writes its own fields of t.
	settings := make(chan error, 1)
	go func() { settings <- readConfiguration(ctx, c.EB, t) }()
	// Kept only for what moves DateUpdated when it changes: EB's own task
	// definition (EB registers a new revision only in a deploy) or a pinned
	// revision, never a family's latest revision, which anyone may register;
	// and read only from a Ready environment (mid-deploy, the web tasks
	// change under EB).
	key := discoveryKey{env: t.EnvironmentName, version: t.VersionLabel, cluster: in.Cluster, source: in.SourceTaskDefinition}
	updated := aws.ToTime(env.DateUpdated)
	cacheable := env.Status == ebtypes.EnvironmentStatusReady && (in.SourceTaskDefinition == "" || PinnedRevision(in.SourceTaskDefinition))
	if e, ok := c.Discovered.get(key, updated); ok && cacheable {
		t.ClusterArn, t.DefaultStrategy, t.SourceTaskDefinition = e.cluster, e.strategy, e.source
		t.CapacityProviders, t.CapacityProvidersRead = e.providers, e.providersRead
	} else if err = findCluster(ctx, c.ECS, t, in.Cluster); err == nil {
		if t.SourceTaskDefinition, err = findSourceTaskDefinition(ctx, c.ECS, t, in.SourceTaskDefinition); err == nil && cacheable {
			c.Discovered.put(key, discoveryEntry{updated: updated, read: time.Now(), cluster: t.ClusterArn, strategy: t.DefaultStrategy, source: t.SourceTaskDefinition,
				providers: t.CapacityProviders, providersRead: t.CapacityProvidersRead})
		}
	}
	if serr := <-settings; serr != nil {
		return nil, serr
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

func platformName(arn string) string {
	if _, name, ok := strings.Cut(arn, ":platform/"); ok {
		return name
	}
	return arn
}

func readConfiguration(ctx context.Context, eb EB, t *Target) error {
	out, err := eb.DescribeConfigurationSettings(ctx, &elasticbeanstalk.DescribeConfigurationSettingsInput{
		ApplicationName: aws.String(t.ApplicationName),
		EnvironmentName: aws.String(t.EnvironmentName),
	})
	if err != nil {
		return fmt.Errorf("reading the configuration of Elastic Beanstalk environment %q: %w", t.EnvironmentName, err)
	}
	t.Properties, t.Secrets = map[string]string{}, map[string]string{}
	for _, cs := range deployedSettings(out.ConfigurationSettings) {
		for _, o := range cs.OptionSettings {
			name, value := aws.ToString(o.OptionName), aws.ToString(o.Value)
			switch aws.ToString(o.Namespace) {
			case nsProperties:
				t.Properties[name] = value
			case nsSecrets:
				t.Secrets[name] = value
			case nsVPC:
				switch name {
				case "Subnets":
					t.Subnets = splitList(value)
				case "AssociatePublicIpAddress":
					t.AssociatePublicIP = strings.EqualFold(value, "true")
				}
			case nsLaunch:
				if name == "SecurityGroups" {
					t.SecurityGroups = splitList(value)
				}
			}
		}
	}
	return nil
}

// deployedSettings is the settings set in effect. EB may return two: the
// deployed one and a draft that is pending or failed ("it is possible to
// receive two sets", DescribeConfigurationSettings; DeploymentStatus). A
// single set is the one in effect whatever its status says.
func deployedSettings(sets []ebtypes.ConfigurationSettingsDescription) []ebtypes.ConfigurationSettingsDescription {
	if len(sets) <= 1 {
		return sets
	}
	for _, cs := range sets {
		if cs.DeploymentStatus == ebtypes.ConfigurationDeploymentStatusDeployed {
			return []ebtypes.ConfigurationSettingsDescription{cs}
		}
	}
	return nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// findSourceTaskDefinition returns the override, or the definition EB's web
// tasks run now, or else the latest ACTIVE revision of EB's family.
func findSourceTaskDefinition(ctx context.Context, api ECS, t *Target, override string) (*ecstypes.TaskDefinition, error) {
	ref := override
	if ref == "" {
		family := EBTaskFamily(t.EnvironmentName, t.EnvironmentID)
		ref = family
		running, err := runningTaskDefinition(ctx, api, t.ClusterArn, family)
		if err != nil {
			return nil, err
		}
		if running != "" {
			ref = running
		}
	}
	out, err := describeSource(ctx, api, ref)
	if err != nil {
		var ce *ecstypes.ClientException
		if errors.As(err, &ce) {
			if override != "" {
				return nil, problemAt(ArgSourceTaskDefinition, "Task Definition Not Found", "The task definition %q given in %s does not exist or is not ACTIVE: %s", override, ArgSourceTaskDefinition, ce.ErrorMessage())
			}
			return nil, problem("Task Definition Not Found",
				"Found no ACTIVE task definition of family %q, which Elastic Beanstalk registers for environment %q on each deploy. Deploy an application version first, or set %s.",
				ref, t.EnvironmentName, ArgSourceTaskDefinition)
		}
		return nil, fmt.Errorf("describing task definition %q: %w", ref, err)
	}
	return out.TaskDefinition, nil
}

// describeSource describes the source task definition ref. ECS answers
// ClientException ("Unable to describe task definition.", unknownTaskDefinition) for a revision it
// does not know yet as for one that never existed (eventual consistency:
// RunTask's documentation), so that answer is asked again, doubling the
// wait, for DefaultPoll.SourceFor before it stands.
func describeSource(ctx context.Context, api ECS, ref string) (*ecs.DescribeTaskDefinitionOutput, error) {
	start, interval := time.Now(), DefaultPoll.Fast
	for {
		out, err := api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(ref)})
		if !unknownTaskDefinition(err) || time.Since(start)+interval > DefaultPoll.SourceFor {
			return out, err
		}
		if !sleep(ctx, interval) {
			return out, err
		}
		interval = min(interval*2, DefaultPoll.Max)
	}
}

// runningTaskDefinition is the task definition of the newest running task of
// the family in the cluster, or "" when none runs. A task being stopped is
// not one: right after a deploy the old version's task may be RUNNING for up
// to the stop timeout (StopTask: SIGTERM, SIGKILL 30 s later) with desired
// status STOPPED, while ListTasks, eventually consistent, may not list the
// new one yet; then the family's latest revision, the deployed one, is taken.
func runningTaskDefinition(ctx context.Context, api ECS, cluster, family string) (string, error) {
	list, err := api.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(cluster), Family: aws.String(family)})
	if err != nil {
		return "", fmt.Errorf("listing the tasks of family %s in cluster %s: %w", family, cluster, err)
	}
	if len(list.TaskArns) == 0 {
		return "", nil
	}
	out, err := api.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: list.TaskArns})
	if err != nil {
		return "", fmt.Errorf("describing the tasks of family %s in cluster %s: %w", family, cluster, err)
	}
	tasks := slices.Clone(out.Tasks)
	sort.SliceStable(tasks, func(i, j int) bool {
		return aws.ToTime(tasks[i].StartedAt).After(aws.ToTime(tasks[j].StartedAt))
	})
	for _, task := range tasks {
		if aws.ToString(task.LastStatus) == "RUNNING" && aws.ToString(task.DesiredStatus) == "RUNNING" {
			return aws.ToString(task.TaskDefinitionArn), nil
		}
	}
	return "", nil
}
