package localaws

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Elastic Beanstalk: environments, their configuration and deploys.

type environment struct {
	name, id, app  string
	platformArn    string
	solutionStack  string
	status, health string
	versionLabel   string
	created        time.Time
	updated        time.Time
	instances      int
	properties     map[string]string
	secretRefs     map[string]string
	vpc            VPCSeed
	containers     []json.RawMessage
	taskDefExtra   map[string]json.RawMessage
	versions       map[string]map[string]string
	cluster        *cluster
	family         string
	webTasks       []*task
	bundleBucket   string
	// draft is a second settings set, pending or failed (eb_draft.go).
	draft *DraftSeed
	// workload is what its web tasks run (workload.go).
	workload *WorkloadSeed
	// renderVariables: EB writes properties and secrets into its task
	// definitions (EnvironmentSeed.RenderVariables, on by default).
	renderVariables bool
	// authentication is the Dockerrun's "authentication", nil when none.
	authentication *S3Location
}

const defaultECSPlatform = "ECS running on 64bit Amazon Linux 2023/4.3.0"

// isECSPlatform tells an ECS-managed Docker platform ("ECS running on …",
// formerly "Multi-container Docker running on …") from the others.
func isECSPlatform(platformArn string) bool {
	return strings.Contains(platformArn, "platform/ECS running on") ||
		strings.Contains(platformArn, "platform/Multi-container Docker running on")
}

// EBClusterName is the name EB gives an environment's ECS cluster:
// awseb-<EnvironmentName>-<environment id without "e-">.
func EBClusterName(envName, envID string) string {
	// EB names the cluster exactly like the task family (an ECS platform
	// environment's cluster: awseb-<name>-<id without "e-">).
	return EBTaskFamily(envName, envID)
}

// EBTaskFamily is the family of EB's app task definition:
// awseb-<EnvironmentName>-<environment id without "e-">.
func EBTaskFamily(envName, envID string) string {
	return "awseb-" + envName + "-" + strings.TrimPrefix(envID, "e-")
}

func (s *Server) addEnvironment(es EnvironmentSeed) error {
	now := time.Now()
	e := &environment{
		name: es.Name, id: es.ID, app: es.Application,
		platformArn:   es.PlatformArn,
		solutionStack: es.SolutionStack,
		status:        orDefault(es.Status, "Ready"),
		health:        orDefault(es.Health, "Green"),
		versionLabel:  es.VersionLabel,
		created:       now.Add(-24 * time.Hour),
		updated:       now.Add(-time.Hour),
		instances:     es.Instances,
		properties:    copyMap(es.Properties),
		secretRefs:    copyMap(es.Secrets),
		draft:         es.Draft,
		vpc:           es.VPC,
		containers:    es.Containers,
		taskDefExtra:  es.TaskDefinition,
		versions:      es.Versions,
		bundleBucket:  es.BundleBucket,
		workload:      es.Workload,
	}
	e.renderVariables, e.authentication = es.RenderVariables == nil || *es.RenderVariables, es.DockerrunAuthentication
	if e.platformArn == "" {
		e.platformArn = fmt.Sprintf("arn:aws:elasticbeanstalk:%s::platform/%s", s.region, defaultECSPlatform)
	}
	if e.solutionStack == "" && isECSPlatform(e.platformArn) {
		e.solutionStack = "64bit Amazon Linux 2023 v4.3.0 running ECS"
	}
	if e.instances == 0 {
		e.instances = 1
	}
	s.envs = append(s.envs, e)
	if err := s.addBundles(e); err != nil {
		return fmt.Errorf("environment %s: source bundles: %w", e.name, err)
	}
	if e.status == "Terminated" || !isECSPlatform(e.platformArn) || len(e.containers) == 0 {
		return nil
	}
	name := orDefault(es.Cluster, EBClusterName(e.name, e.id))
	e.cluster = s.addCluster(name, e.instances, []tag{
		{Key: "elasticbeanstalk:environment-name", Value: e.name},
		{Key: "elasticbeanstalk:environment-id", Value: e.id},
	})
	e.cluster.capacityProviders = es.CapacityProviders
	for i := range e.cluster.instances {
		e.cluster.ec2IDs = append(e.cluster.ec2IDs, ebInstanceID(e.id, i))
	}
	if es.CapacityProviders == nil {
		e.cluster.capacityProviders = []string{EBCapacityProvider(name)}
	}
	e.cluster.registryHosts = s.addDockercfg(e.authentication)
	e.cluster.defaultStrategy = strategyOf(es.DefaultCapacityProviderStrategy)
	if err := e.cluster.checkDefaultStrategy(); err != nil {
		return err
	}
	e.family = EBTaskFamily(e.name, e.id)
	if err := s.deployVersion(e, e.versionLabel); err != nil {
		return fmt.Errorf("environment %s: %w", e.name, err)
	}
	// Statuses of a change in progress (botocore elasticbeanstalk
	// EnvironmentStatus) end in Ready after a deploy's time.
	if e.status == "Updating" || e.status == "Launching" || e.status == "Aborting" || e.status == "LinkingFrom" || e.status == "LinkingTo" {
		s.after(ms(s.timing.DeployMS), func() { e.status = "Ready"; e.updated = time.Now() })
	}
	return nil
}

// deployVersion registers a revision of EB's app task definition with the
// version's images and replaces the web tasks with tasks of it, all at once:
// "By default, your environment uses all-at-once deployments" (Elastic
// Beanstalk Developer Guide, "Deployment policies and settings"), which
// deploy the new version to every instance at the same time. localaws
// models that policy only: at the end of the deploy's time (Timing.DeployMS)
// each old web task is stopped (SIGTERM, then SIGKILL after the stop grace,
// as StopTask does) and a task of the new version started in its place, so
// the old version serves until the deploy replaces it and the new one from then on.
func (s *Server) deployVersion(e *environment, label string) error {
	raw, err := e.renderTaskDefinition(label)
	if err != nil {
		return err
	}
	td, err := s.registerTaskDefinition(raw, "arn:aws:sts::"+s.account+":assumed-role/aws-elasticbeanstalk-service-role/AWSElasticBeanstalk")
	if err != nil {
		return err
	}
	for _, t := range e.webTasks {
		s.stopTask(t, "ServiceSchedulerInitiated", "Task stopped by Elastic Beanstalk deployment")
	}
	e.webTasks = nil
	for i := 0; i < e.instances; i++ {
		t, failure := s.startTask(runRequest{
			cluster:     e.cluster,
			taskDef:     td,
			launchType:  "EC2",
			startedBy:   "elasticbeanstalk",
			group:       "family:" + e.family,
			placeholder: true,
			workload:    e.workloadFor(label),
		})
		if failure != "" {
			return fmt.Errorf("starting EB web task: %s", failure)
		}
		e.webTasks = append(e.webTasks, t)
	}
	e.versionLabel = label
	return nil
}

func (s *Server) findEnv(name, id string, includeDeleted bool) *environment {
	var found *environment
	for _, e := range s.envs {
		if (name != "" && e.name != name) || (id != "" && e.id != id) {
			continue
		}
		if e.status == "Terminated" && !includeDeleted {
			continue
		}
		// A live environment wins over a terminated one of the same name.
		if found == nil || found.status == "Terminated" {
			found = e
		}
	}
	return found
}

func (s *Server) ebUpdateEnvironment(form url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name, id := form.Get("EnvironmentName"), form.Get("EnvironmentId")
	e := s.findEnv(name, id, false)
	if e == nil {
		return nil, clientErr("InvalidParameterValue", "No Environment found for EnvironmentName = '%s'.", orDefault(name, id))
	}
	if e.status != "Ready" {
		return nil, clientErr("InvalidParameterValue", "Environment named %s is in an invalid state for this operation. Must be Ready.", e.name)
	}
	label := form.Get("VersionLabel")
	if label != "" {
		if _, ok := e.versions[label]; !ok {
			return nil, clientErr("InvalidParameterValue", "No Application Version named '%s' found.", label)
		}
	}
	variables := false
	for _, o := range memberStructs(form, "OptionSettings") {
		switch o["Namespace"] {
		case "aws:elasticbeanstalk:application:environment":
			e.properties[o["OptionName"]] = o["Value"]
			variables = true
		case "aws:elasticbeanstalk:application:environmentsecrets":
			e.secretRefs[o["OptionName"]] = o["Value"]
			variables = true
		}
	}
	if label == "" && variables && e.renderVariables {
		label = e.versionLabel // the rendered variables change: EB registers a revision
	}
	e.status = "Updating"
	e.updated = time.Now()
	s.after(ms(s.timing.DeployMS), func() {
		if label != "" && e.cluster != nil {
			if err := s.deployVersion(e, label); err != nil {
				e.health = "Red"
			}
		} else if label != "" {
			e.versionLabel = label
		}
		e.status = "Ready"
		e.updated = time.Now()
	})
	return s.xmlEnv(e), nil
}

// after runs f under the server lock after d, unless the server closes first.
func (s *Server) after(d time.Duration, f func()) {
	s.procs.Add(1)
	go func() {
		defer s.procs.Done()
		select {
		case <-time.After(d):
			s.mu.Lock()
			defer s.mu.Unlock()
			select {
			case <-s.closing:
			default:
				f()
			}
		case <-s.closing:
		}
	}()
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TerminateEnvironment terminates an environment, as EB's TerminateEnvironment
// does once it is done: status Terminated, web tasks stopped.
func (s *Server) TerminateEnvironment(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.findEnv(name, "", false)
	if e == nil {
		return fmt.Errorf("no live environment %q", name)
	}
	s.terminate(e)
	return nil
}

// terminate stops an environment's web tasks and marks it Terminated.
func (s *Server) terminate(e *environment) {
	for _, t := range e.webTasks {
		s.stopTask(t, "ServiceSchedulerInitiated", "Environment terminated")
	}
	e.status, e.updated = "Terminated", time.Now()
}

// AddEnvironment creates an environment (and its cluster, task definition
// and web tasks), as if EB had just launched it.
func (s *Server) AddEnvironment(es EnvironmentSeed) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.findEnv(es.Name, "", false) != nil {
		return fmt.Errorf("environment %q exists", es.Name)
	}
	return s.addEnvironment(es)
}
