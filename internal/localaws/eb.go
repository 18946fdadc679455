package localaws

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
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
}

const defaultECSPlatform = "ECS running on 64bit Amazon Linux 2023/4.3.0"

// isECSPlatform tells an ECS-managed Docker platform ("ECS running on …",
// formerly "Multi-container Docker running on …") from the others.
func isECSPlatform(platformArn string) bool {
	return strings.Contains(platformArn, "platform/ECS running on") ||
		strings.Contains(platformArn, "platform/Multi-container Docker running on")
}

// EBClusterName is the name EB gives an environment's ECS cluster:
// awseb-<EnvironmentName>-<10 characters>.
func EBClusterName(envName, envID string) string {
	sum := sha256.Sum256([]byte(envID))
	return "awseb-" + envName + "-" + hex.EncodeToString(sum[:])[:10]
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
		vpc:           es.VPC,
		containers:    es.Containers,
		taskDefExtra:  es.TaskDefinition,
		versions:      es.Versions,
	}
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
	e.family = EBTaskFamily(e.name, e.id)
	if err := s.deployVersion(e, e.versionLabel); err != nil {
		return fmt.Errorf("environment %s: %w", e.name, err)
	}
	if e.status == "Updating" || e.status == "Launching" {
		s.after(ms(s.timing.DeployMS), func() { e.status = "Ready"; e.updated = time.Now() })
	}
	return nil
}

// deployVersion registers a revision of EB's app task definition with the
// version's images and replaces the web tasks with tasks of it.
func (s *Server) deployVersion(e *environment, label string) error {
	images, ok := e.versions[label]
	if !ok {
		return clientErr("InvalidParameterValue", "No Application Version named '%s' found.", label)
	}
	var containers []map[string]any
	for _, raw := range e.containers {
		var c map[string]any
		if err := json.Unmarshal(raw, &c); err != nil {
			return fmt.Errorf("container definition: %w", err)
		}
		if img, ok := images[fmt.Sprint(c["name"])]; ok {
			c["image"] = img
		}
		containers = append(containers, c)
	}
	body := map[string]any{"family": e.family, "containerDefinitions": containers}
	for k, v := range e.taskDefExtra {
		var val any
		if err := json.Unmarshal(v, &val); err != nil {
			return fmt.Errorf("task_definition.%s: %w", k, err)
		}
		body[k] = val
	}
	raw, _ := json.Marshal(body)
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

type xmlTier struct {
	Name    string
	Type    string
	Version string
}

type xmlEnvironment struct {
	EnvironmentName              string
	EnvironmentId                string
	ApplicationName              string
	VersionLabel                 string `xml:",omitempty"`
	SolutionStackName            string `xml:",omitempty"`
	PlatformArn                  string
	Status                       string
	Health                       string
	HealthStatus                 string
	EnvironmentArn               string
	DateCreated                  string
	DateUpdated                  string
	CNAME                        string `xml:",omitempty"`
	EndpointURL                  string `xml:",omitempty"`
	AbortableOperationInProgress bool
	Tier                         xmlTier
}

func (s *Server) xmlEnv(e *environment) xmlEnvironment {
	x := xmlEnvironment{
		EnvironmentName: e.name, EnvironmentId: e.id, ApplicationName: e.app,
		VersionLabel: e.versionLabel, SolutionStackName: e.solutionStack,
		PlatformArn: e.platformArn, Status: e.status, Health: e.health, HealthStatus: "Ok",
		EnvironmentArn:               s.arn("elasticbeanstalk", "environment/"+e.app+"/"+e.name),
		DateCreated:                  xmlTime(e.created.UTC()),
		DateUpdated:                  xmlTime(e.updated.UTC()),
		AbortableOperationInProgress: e.status == "Updating",
		Tier:                         xmlTier{Name: "WebServer", Type: "Standard", Version: "1.0"},
	}
	if e.status != "Terminated" {
		x.CNAME = e.name + "." + s.region + ".elasticbeanstalk.com"
		x.EndpointURL = "awseb-" + e.id + ".elb." + s.region + ".amazonaws.com"
	}
	return x
}

type describeEnvironmentsResult struct {
	Environments []xmlEnvironment `xml:"Environments>member"`
}

func (s *Server) ebDescribeEnvironments(form url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := memberList(form, "EnvironmentNames")
	ids := memberList(form, "EnvironmentIds")
	includeDeleted := form.Get("IncludeDeleted") != "false"
	app := form.Get("ApplicationName")
	version := form.Get("VersionLabel")
	res := describeEnvironmentsResult{Environments: []xmlEnvironment{}}
	for _, e := range s.envs {
		switch {
		case len(names) > 0 && !slices.Contains(names, e.name),
			len(ids) > 0 && !slices.Contains(ids, e.id),
			app != "" && e.app != app,
			version != "" && e.versionLabel != version,
			e.status == "Terminated" && !includeDeleted:
			continue
		}
		res.Environments = append(res.Environments, s.xmlEnv(e))
	}
	return res, nil
}

type xmlOptionSetting struct {
	ResourceName string `xml:",omitempty"`
	Namespace    string
	OptionName   string
	Value        string
}

type xmlConfigurationSettings struct {
	ApplicationName   string
	EnvironmentName   string
	DeploymentStatus  string
	SolutionStackName string `xml:",omitempty"`
	PlatformArn       string
	DateCreated       string
	DateUpdated       string
	OptionSettings    []xmlOptionSetting `xml:"OptionSettings>member"`
}

type describeConfigurationSettingsResult struct {
	ConfigurationSettings []xmlConfigurationSettings `xml:"ConfigurationSettings>member"`
}

func (s *Server) ebDescribeConfigurationSettings(form url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	app, name := form.Get("ApplicationName"), form.Get("EnvironmentName")
	if app == "" {
		return nil, clientErr("MissingParameter", "The request must contain the parameter ApplicationName.")
	}
	if name == "" {
		return nil, clientErr("InvalidParameterCombination", "You must specify either EnvironmentName or TemplateName.")
	}
	e := s.findEnv(name, "", false)
	if e == nil || e.app != app {
		return nil, clientErr("InvalidParameterValue", "No Environment found for EnvironmentName = '%s'.", name)
	}
	var opts []xmlOptionSetting
	add := func(resource, ns, opt, val string) {
		opts = append(opts, xmlOptionSetting{ResourceName: resource, Namespace: ns, OptionName: opt, Value: val})
	}
	add("AWSEBAutoScalingGroup", "aws:autoscaling:asg", "MinSize", fmt.Sprint(e.instances))
	add("AWSEBAutoScalingGroup", "aws:autoscaling:asg", "MaxSize", fmt.Sprint(e.instances))
	add("AWSEBAutoScalingLaunchConfiguration", "aws:autoscaling:launchconfiguration", "InstanceType", "t3.small")
	add("AWSEBAutoScalingLaunchConfiguration", "aws:autoscaling:launchconfiguration", "SecurityGroups", strings.Join(e.vpc.SecurityGroups, ","))
	add("AWSEBAutoScalingGroup", "aws:ec2:vpc", "VPCId", e.vpc.ID)
	add("AWSEBAutoScalingGroup", "aws:ec2:vpc", "Subnets", strings.Join(e.vpc.Subnets, ","))
	add("AWSEBAutoScalingGroup", "aws:ec2:vpc", "AssociatePublicIpAddress", "false")
	for _, k := range sortedKeys(e.properties) {
		add("", "aws:elasticbeanstalk:application:environment", k, e.properties[k])
	}
	for _, k := range sortedKeys(e.secretRefs) {
		add("", "aws:elasticbeanstalk:application:environmentsecrets", k, e.secretRefs[k])
	}
	add("", "aws:elasticbeanstalk:environment", "EnvironmentType", "LoadBalanced")
	return describeConfigurationSettingsResult{ConfigurationSettings: []xmlConfigurationSettings{{
		ApplicationName: e.app, EnvironmentName: e.name, DeploymentStatus: "deployed",
		SolutionStackName: e.solutionStack, PlatformArn: e.platformArn,
		DateCreated: xmlTime(e.created.UTC()), DateUpdated: xmlTime(e.updated.UTC()),
		OptionSettings: opts,
	}}}, nil
}

type xmlName struct{ Name string }
type xmlID struct{ Id string }

type describeEnvironmentResourcesResult struct {
	EnvironmentResources struct {
		EnvironmentName      string
		AutoScalingGroups    []xmlName `xml:"AutoScalingGroups>member"`
		Instances            []xmlID   `xml:"Instances>member"`
		LaunchConfigurations []xmlName `xml:"LaunchConfigurations>member"`
		LaunchTemplates      []xmlID   `xml:"LaunchTemplates>member"`
		LoadBalancers        []xmlName `xml:"LoadBalancers>member"`
		Triggers             []xmlName `xml:"Triggers>member"`
		Queues               []xmlName `xml:"Queues>member"`
	}
}

func (s *Server) ebDescribeEnvironmentResources(form url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name, id := form.Get("EnvironmentName"), form.Get("EnvironmentId")
	if name == "" && id == "" {
		return nil, clientErr("MissingParameter", "You must specify either EnvironmentId or EnvironmentName.")
	}
	e := s.findEnv(name, id, false)
	if e == nil {
		return nil, clientErr("InvalidParameterValue", "No Environment found for EnvironmentName = '%s'.", orDefault(name, id))
	}
	var res describeEnvironmentResourcesResult
	r := &res.EnvironmentResources
	r.EnvironmentName = e.name
	r.AutoScalingGroups = []xmlName{{Name: "awseb-" + e.id + "-stack-AWSEBAutoScalingGroup"}}
	r.LaunchConfigurations = []xmlName{{Name: "awseb-" + e.id + "-stack-AWSEBAutoScalingLaunchConfiguration"}}
	r.LoadBalancers = []xmlName{{Name: "awseb-" + e.id}}
	for i := 0; i < e.instances; i++ {
		r.Instances = append(r.Instances, xmlID{Id: fmt.Sprintf("i-%s%04d", strings.TrimPrefix(e.id, "e-"), i)})
	}
	return res, nil
}

type xmlSourceBundle struct {
	S3Bucket string
	S3Key    string
}

type xmlApplicationVersion struct {
	ApplicationVersionArn string
	ApplicationName       string
	VersionLabel          string
	Description           string `xml:",omitempty"`
	SourceBundle          xmlSourceBundle
	DateCreated           string
	DateUpdated           string
	Status                string
}

type describeApplicationVersionsResult struct {
	ApplicationVersions []xmlApplicationVersion `xml:"ApplicationVersions>member"`
}

func (s *Server) ebDescribeApplicationVersions(form url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	app := form.Get("ApplicationName")
	labels := memberList(form, "VersionLabels")
	seen := map[string]bool{}
	res := describeApplicationVersionsResult{ApplicationVersions: []xmlApplicationVersion{}}
	for _, e := range s.envs {
		if app != "" && e.app != app {
			continue
		}
		for _, label := range sortedKeys(e.versions) {
			if seen[e.app+"/"+label] || (len(labels) > 0 && !slices.Contains(labels, label)) {
				continue
			}
			seen[e.app+"/"+label] = true
			res.ApplicationVersions = append(res.ApplicationVersions, xmlApplicationVersion{
				ApplicationVersionArn: s.arn("elasticbeanstalk", "applicationversion/"+e.app+"/"+label),
				ApplicationName:       e.app,
				VersionLabel:          label,
				SourceBundle:          xmlSourceBundle{S3Bucket: "elasticbeanstalk-" + s.region + "-" + s.account, S3Key: e.app + "/" + label + ".zip"},
				DateCreated:           xmlTime(e.created.UTC()),
				DateUpdated:           xmlTime(e.created.UTC()),
				Status:                "PROCESSED",
			})
		}
	}
	return res, nil
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
	for _, o := range memberStructs(form, "OptionSettings") {
		switch o["Namespace"] {
		case "aws:elasticbeanstalk:application:environment":
			e.properties[o["OptionName"]] = o["Value"]
		case "aws:elasticbeanstalk:application:environmentsecrets":
			e.secretRefs[o["OptionName"]] = o["Value"]
		}
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
	for _, t := range e.webTasks {
		s.stopTask(t, "ServiceSchedulerInitiated", "Environment terminated")
	}
	e.status, e.updated = "Terminated", time.Now()
	return nil
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
