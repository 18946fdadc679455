package localaws

import (
	"net/url"
	"slices"
)

// Elastic Beanstalk describe calls: environments, their resources, application versions.

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
		r.Instances = append(r.Instances, xmlID{Id: ebInstanceID(e.id, i)})
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
				SourceBundle:          s.sourceBundleOf(e.app, label, s.bundleBucketOf(e)),
				DateCreated:           xmlTime(e.created.UTC()),
				DateUpdated:           xmlTime(e.created.UTC()),
				Status:                "Processed", // ApplicationVersionStatus enum in service-2.json
			})
		}
	}
	return res, nil
}
