package localaws

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Seed describes the world localaws starts with. It is read from a JSON file
// (see LoadSeed) or built in Go by tests.
type Seed struct {
	Region    string `json:"region"`
	AccountID string `json:"account_id"`

	// Images maps an image name ("example/app:v1") to the local directory that
	// stands for its file system and the environment the image sets.
	Images map[string]Image `json:"images"`

	// Secrets maps a Secrets Manager or SSM parameter ARN to its value.
	Secrets map[string]string `json:"secrets"`

	Environments []EnvironmentSeed `json:"environments"`

	// Clusters are extra ECS clusters, beside the ones each environment gets.
	Clusters []ClusterSeed `json:"clusters"`

	// LogGroups are CloudWatch Logs groups that exist from the start, beside
	// the ones named by the environments' containers.
	LogGroups []string `json:"log_groups"`

	// S3Objects are S3 objects by "bucket/key", beside the source bundle
	// (a zip with Dockerrun.aws.json) made for each environment's version;
	// one here replaces the bundle of the same key.
	S3Objects map[string]string `json:"s3_objects"`
	// S3Buckets are buckets that exist from the start, empty, beside the
	// ones S3Objects and the environments' bundles name; a write to any
	// other bucket is NoSuchBucket.
	S3Buckets []string `json:"s3_buckets"`

	Faults []Fault `json:"faults"`
	Timing Timing  `json:"timing"`
	// InstanceMemoryMB and InstanceCPU are what each container instance can
	// give tasks (MiB, CPU units); 0 takes a t3.small's (ecs_placement.go).
	InstanceMemoryMB int `json:"instance_memory_mb"`
	InstanceCPU      int `json:"instance_cpu"`
	// Consistency sets AWS's eventual consistency (consistency.go).
	Consistency Consistency `json:"consistency"`

	// Quotas are the account's API rate quotas (token buckets), on by
	// default with AWS's numbers; see DefaultQuotas.
	Quotas *QuotaSeed `json:"quotas,omitempty"`

	// RandomSeed makes fault fractions and generated ids repeatable.
	RandomSeed int64 `json:"random_seed"`
}

// Image is what a container image means locally.
type Image struct {
	// Dir is the directory a container of this image runs in; a relative path
	// is relative to the seed file.
	Dir string `json:"dir"`
	// Env is the environment the image sets (PATH, PYTHONPATH, ...).
	Env map[string]string `json:"env"`
	// Command is the image's default command, used when the container
	// definition has neither entryPoint nor command. Without it such a
	// container is a placeholder that runs until it is stopped.
	Command []string `json:"command"`
	// Private marks an image of a private registry (not Amazon ECR): it is
	// pulled only with credentials (registry_auth.go).
	Private bool `json:"private"`
}

// EnvironmentSeed is an Elastic Beanstalk environment.
type EnvironmentSeed struct {
	Name          string `json:"name"`
	ID            string `json:"id"`
	Application   string `json:"application"`
	PlatformArn   string `json:"platform_arn"`
	SolutionStack string `json:"solution_stack"`
	Status        string `json:"status"`
	Health        string `json:"health"`
	VersionLabel  string `json:"version_label"`
	// Instances is how many EC2 instances (and so EB web tasks) it has.
	Instances int `json:"instances"`
	// Properties are the environment properties
	// (aws:elasticbeanstalk:application:environment).
	Properties map[string]string `json:"properties"`
	// Secrets maps a variable name to a Secrets Manager or SSM ARN
	// (aws:elasticbeanstalk:application:environmentsecrets).
	Secrets map[string]string `json:"secrets"`
	VPC     VPCSeed           `json:"vpc"`
	// RenderVariables has EB render the properties into each container's
	// environment and the secrets into its secrets in the task definitions
	// it registers (eb_render.go): on unless set to false.
	RenderVariables *bool `json:"render_variables"`
	// Cluster overrides the ECS cluster name EB would generate.
	Cluster string `json:"cluster"`
	// Containers are the ECS container definitions of EB's app task
	// definition, as ECS JSON. Images come from Versions.
	Containers []json.RawMessage `json:"containers"`
	// TaskDefinition holds extra task-level fields of EB's app task
	// definition (volumes, networkMode, taskRoleArn, ...), as ECS JSON.
	TaskDefinition map[string]json.RawMessage `json:"task_definition"`
	// Versions maps a version label to the image of each container.
	Versions map[string]map[string]string `json:"versions"`
	// BundleBucket is the S3 bucket of the versions' source bundles; empty is
	// EB's own elasticbeanstalk-<region>-<account>. Application versions may
	// name any bucket (CreateApplicationVersion's SourceBundle.S3Bucket).
	BundleBucket string `json:"bundle_bucket"`
	// CapacityProviders are the capacity providers associated with the
	// environment's cluster; nil is the one Auto Scaling group provider of
	// EB's instances (see EBCapacityProvider), empty ([]) none.
	CapacityProviders []string `json:"capacity_providers"`
	// DefaultCapacityProviderStrategy is the cluster's default strategy
	// (none when empty), as PutClusterCapacityProviders sets it.
	DefaultCapacityProviderStrategy []StrategyItem `json:"default_capacity_provider_strategy"`
	// DockerrunAuthentication is the Dockerrun.aws.json's "authentication"
	// (the S3 location of a .dockercfg for private registries), written into
	// the versions' bundles; EB's instances then pull private images.
	DockerrunAuthentication *S3Location `json:"dockerrun_authentication"`
	// Draft is a configuration change not in effect (eb_draft.go).
	Draft *DraftSeed `json:"draft"`
	// Workload is what its web tasks run, as a process each (workload.go);
	// nil: they run nothing.
	Workload *WorkloadSeed `json:"workload"`
}

// VPCSeed is the environment's network settings.
type VPCSeed struct {
	ID             string   `json:"id"`
	Subnets        []string `json:"subnets"`
	SecurityGroups []string `json:"security_groups"`
	// AssociatePublicIPAddress is aws:ec2:vpc AssociatePublicIpAddress: the
	// instances are in public subnets.
	AssociatePublicIPAddress bool `json:"associate_public_ip_address"`
}

// ClusterSeed is a cluster not made by an environment.
type ClusterSeed struct {
	Name string `json:"name"`
	// Instances is how many container instances it has; 0 means Fargate only.
	Instances int `json:"instances"`
	// CapacityProviders are the providers associated with it (FARGATE,
	// FARGATE_SPOT or Auto Scaling group providers).
	CapacityProviders []string `json:"capacity_providers"`
	// DefaultCapacityProviderStrategy is its default strategy (none when empty).
	DefaultCapacityProviderStrategy []StrategyItem `json:"default_capacity_provider_strategy"`
}

// S3Location is a Dockerrun.aws.json "authentication": an S3 object, a
// .dockercfg that localaws stores there.
type S3Location struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	// Registries are the .dockercfg's keys, the registries it holds
	// credentials for (URLs or hosts); none is Docker Hub's
	// "https://index.docker.io/v1/".
	Registries []string `json:"registries"`
}

// StrategyItem is one capacity provider of a strategy.
type StrategyItem struct {
	CapacityProvider string `json:"capacity_provider"`
	Weight           int    `json:"weight"`
	Base             int    `json:"base"`
}

// Timing sets how long tasks and deploys take in each phase, in milliseconds.
// Zero values take the defaults, which keep tests fast.
type Timing struct {
	ProvisioningMS   int `json:"provisioning_ms"`
	PendingMS        int `json:"pending_ms"`
	DeprovisioningMS int `json:"deprovisioning_ms"`
	// MissingMS is how long a new task is MISSING to DescribeTasks and
	// invisible to ListTasks, as on ECS right after RunTask: "The Amazon
	// ECS API follows an eventual consistency model", and a caller should
	// run DescribeTasks with a backoff "increasing gradually up to five
	// minutes of wait time" (botocore ecs RunTask). 40 ms by default, the
	// usual case; a seed sets seconds to stage the documented worse.
	MissingMS int `json:"missing_ms"`
	// DeployMS is how long an environment stays Updating after a deploy.
	DeployMS int `json:"deploy_ms"`
	// StopGraceMS is how long StopTask waits after SIGTERM before SIGKILL
	// (ECS StopTask doc: "a default 30-second timeout").
	StopGraceMS int `json:"stop_grace_ms"`
	// StoppedRetentionMS is how long a stopped task can still be described;
	// after it DescribeTasks answers MISSING (ECS keeps them at least an hour).
	StoppedRetentionMS int `json:"stopped_retention_ms"`
	// ClientTokenTTLMS is how long RunTask remembers a clientToken and
	// replays its original response (ECS idempotency page: 24 hours).
	ClientTokenTTLMS int `json:"client_token_ttl_ms"`
	// StartReportLagMS is how long after a task's processes started
	// DescribeTasks still shows it PENDING (no startedAt, no runtimeId, its
	// containers PENDING), plus up to StartReportJitterMS more, drawn per
	// task: the ECS agent submits state changes asynchronously, retrying
	// with a backoff of 1 s up to 30 s (runner.go, reportStarted).
	StartReportLagMS    int `json:"start_report_lag_ms"`
	StartReportJitterMS int `json:"start_report_jitter_ms"`
	// StreamCreateLagMS is how long after a non-blocking awslogs
	// container's process started its log stream is created, plus up to
	// StreamCreateJitterMS more, drawn per container: Docker's driver
	// creates it in a goroutine while the container runs, retrying from
	// 1 s (logs_mode.go). 0.5–2 s by default; a test may shorten it, never
	// to zero.
	StreamCreateLagMS    int `json:"stream_create_lag_ms"`
	StreamCreateJitterMS int `json:"stream_create_jitter_ms"`
	// ImageCached models container instances that have the image already
	// (EB's instances pulled it for the web tasks; ECS_IMAGE_PULL_BEHAVIOR
	// "prefer-cached", ECS agent configuration): a task goes through
	// PROVISIONING and PENDING in a few milliseconds, and is RUNNING before
	// ListTasks lists it (its list lag, Consistency.ListLagMS). It replaces
	// ProvisioningMS and PendingMS.
	ImageCached bool `json:"image_cached"`
	// HostClockSkewMS is how far the clock of the host that runs a task's
	// containers is ahead of ECS's (negative: behind). Docker's copier
	// stamps each line with the host's time (moby daemon/logger/copier.go),
	// and ECS stamps createdAt with its own; EC2 hosts keep time with the
	// Amazon Time Sync Service, so 0 by default, and a seed may set a host
	// whose clock drifted.
	HostClockSkewMS int `json:"host_clock_skew_ms"`
	// RestartSecondMS is how long one second of a container restart
	// policy's restartAttemptPeriod lasts (1000 by default): ECS's minimum
	// period is 60 s, which a test shortens this way.
	RestartSecondMS int `json:"restart_second_ms"`
}

func (t Timing) withDefaults() Timing {
	def := func(v, d int) int {
		if v <= 0 {
			return d
		}
		return v
	}
	// As on ECS, a new task is listed (after MissingMS + the list lag) well
	// before it runs (after ProvisioningMS + PendingMS: seconds of image pull).
	t.ProvisioningMS = def(t.ProvisioningMS, 1000)
	t.PendingMS = def(t.PendingMS, 3000)
	t.DeprovisioningMS = def(t.DeprovisioningMS, 20)
	t.MissingMS = def(t.MissingMS, 40)
	t.DeployMS = def(t.DeployMS, 300)
	t.StopGraceMS = def(t.StopGraceMS, 30000)
	t.StoppedRetentionMS = def(t.StoppedRetentionMS, 3600000)
	t.ClientTokenTTLMS = def(t.ClientTokenTTLMS, defaultClientTokenTTLMS)
	t.RestartSecondMS = def(t.RestartSecondMS, 1000)
	// The agent's first retry is 1 s after a failed submission; a start
	// shows 1–3 s late by default.
	t.StartReportLagMS = def(t.StartReportLagMS, 1000)
	t.StartReportJitterMS = def(t.StartReportJitterMS, 2000)
	// A CreateLogStream call, or its first retry 1 s later.
	t.StreamCreateLagMS = def(t.StreamCreateLagMS, 500)
	t.StreamCreateJitterMS = def(t.StreamCreateJitterMS, 1500)
	if t.ImageCached {
		t.ProvisioningMS, t.PendingMS = 2, 3
	}
	return t
}

// forTests shortens the times a seed leaves unset, for Start: a task starts
// in 400 ms (four times TestConsistency's list lag: on ECS a task is listed
// well before it has pulled its image) and a stop grace of 2 s.
func (t Timing) forTests() Timing {
	if t.ProvisioningMS == 0 {
		t.ProvisioningMS = 150
	}
	if t.PendingMS == 0 {
		t.PendingMS = 250
	}
	if t.StopGraceMS == 0 {
		t.StopGraceMS = testStopGraceMS
	}
	if t.StartReportLagMS == 0 {
		t.StartReportLagMS, t.StartReportJitterMS = 100, 200
	}
	if t.StreamCreateLagMS == 0 {
		t.StreamCreateLagMS, t.StreamCreateJitterMS = 100, 200
	}
	return t
}

// LoadSeed reads a seed file. Relative image directories are made relative to
// the file's directory.
func LoadSeed(path string) (Seed, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Seed{}, fmt.Errorf("reading seed: %w", err)
	}
	var s Seed
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Seed{}, fmt.Errorf("parsing seed %s: %w", path, err)
	}
	base, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return Seed{}, err
	}
	for name, img := range s.Images {
		if img.Dir != "" && !filepath.IsAbs(img.Dir) {
			img.Dir = filepath.Join(base, img.Dir)
			s.Images[name] = img
		}
	}
	return s, nil
}

func (s *Seed) validate() error {
	seen := map[string]bool{}
	for i, e := range s.Environments {
		if e.Name == "" || e.ID == "" || e.Application == "" {
			return fmt.Errorf("environments[%d]: name, id and application are required", i)
		}
		if !strings.HasPrefix(e.ID, "e-") {
			return fmt.Errorf("environment %s: id %q must start with \"e-\"", e.Name, e.ID)
		}
		if seen[e.Name] && e.Status != "Terminated" {
			return fmt.Errorf("environment %s: name used twice", e.Name)
		}
		seen[e.Name] = true
		if len(e.Containers) > 0 {
			if _, ok := e.Versions[e.VersionLabel]; !ok {
				return fmt.Errorf("environment %s: version_label %q is not in versions", e.Name, e.VersionLabel)
			}
		}
	}
	for _, e := range s.Environments {
		if err := e.Draft.validate(e.Name); err != nil {
			return err
		}
	}
	for i, f := range s.Faults {
		if err := f.validate(); err != nil {
			return fmt.Errorf("faults[%d]: %w", i, err)
		}
	}
	return nil
}
