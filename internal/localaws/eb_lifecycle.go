package localaws

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Elastic Beanstalk CreateEnvironment and TerminateEnvironment, so that an
// apply can replace an environment (a change that forces a new
// aws_elastic_beanstalk_environment) and tests can show what that does to
// the migration.

// ebTerminateEnvironment terminates a live environment (botocore
// elasticbeanstalk service-2.json TerminateEnvironmentMessage:
// EnvironmentId or EnvironmentName). EB takes minutes to get there; localaws
// is at Terminated at once, its web tasks stopped.
func (s *Server) ebTerminateEnvironment(form url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name, id := form.Get("EnvironmentName"), form.Get("EnvironmentId")
	e := s.findEnv(name, id, false)
	if e == nil || e.status == "Terminated" {
		return nil, clientErr("InvalidParameterValue", "No Environment found for EnvironmentName = '%s'.", orDefault(name, id))
	}
	s.terminate(e)
	return s.xmlEnv(e), nil
}

// ebCreateEnvironment launches an environment of an application's version,
// as CreateEnvironmentMessage documents (ApplicationName, EnvironmentName,
// VersionLabel, SolutionStackName or PlatformArn, OptionSettings). On the ECS
// platform its containers and volumes are those of the version's
// Dockerrun.aws.json (v2); properties and aws:ec2:vpc come from
// OptionSettings. Its status is Launching, then Ready. The name must not be
// taken by a live environment ("Environment <name> already exists.").
func (s *Server) ebCreateEnvironment(form url.Values) (any, error) {
	app, name, label := form.Get("ApplicationName"), form.Get("EnvironmentName"), form.Get("VersionLabel")
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.findEnv(name, "", false); e != nil && e.status != "Terminated" {
		return nil, clientErr("InvalidParameterValue", "Environment %s already exists.", name)
	}
	versions := map[string]map[string]string{}
	for _, e := range s.envs {
		if e.app == app {
			for l, images := range e.versions {
				versions[l] = images
			}
		}
	}
	if len(versions) == 0 {
		return nil, clientErr("InvalidParameterValue", "No Application named '%s' found.", app)
	}
	if _, ok := versions[label]; !ok {
		return nil, clientErr("InvalidParameterValue", "No Application Version named '%s' found.", label)
	}
	es := EnvironmentSeed{
		Name: name, ID: s.newEnvID(), Application: app, VersionLabel: label, Status: "Launching",
		PlatformArn: form.Get("PlatformArn"), SolutionStack: form.Get("SolutionStackName"),
		Properties: map[string]string{}, Secrets: map[string]string{}, Versions: versions,
	}
	if es.PlatformArn == "" && es.SolutionStack != "" && !strings.Contains(es.SolutionStack, "running ECS") {
		es.PlatformArn = fmt.Sprintf("arn:aws:elasticbeanstalk:%s::platform/%s", s.region, es.SolutionStack)
	}
	for _, o := range memberStructs(form, "OptionSettings") {
		switch o["Namespace"] {
		case "aws:elasticbeanstalk:application:environment":
			es.Properties[o["OptionName"]] = o["Value"]
		case "aws:elasticbeanstalk:application:environmentsecrets":
			es.Secrets[o["OptionName"]] = o["Value"]
		case "aws:ec2:vpc":
			switch o["OptionName"] {
			case "VPCId":
				es.VPC.ID = o["Value"]
			case "Subnets":
				es.VPC.Subnets = strings.Split(o["Value"], ",")
			}
		}
	}
	loc := s.sourceBundleOf(app, label, s.bundleBucket())
	var doc struct {
		Containers []json.RawMessage `json:"containerDefinitions"`
		Volumes    json.RawMessage   `json:"volumes"`
	}
	if raw := dockerrunJSON(s.objects[loc.S3Bucket+"/"+loc.S3Key]); json.Unmarshal(raw, &doc) != nil || len(doc.Containers) == 0 {
		if isECSPlatform(orDefault(es.PlatformArn, "platform/ECS running on")) {
			return nil, clientErr("InvalidParameterValue", "The source bundle of version %s has no Dockerrun.aws.json with containerDefinitions.", label)
		}
	}
	es.Containers = doc.Containers
	if len(doc.Volumes) > 0 {
		es.TaskDefinition = map[string]json.RawMessage{"volumes": doc.Volumes}
	}
	if err := s.addEnvironment(es); err != nil {
		return nil, clientErr("InvalidParameterValue", "%v", err)
	}
	return s.xmlEnv(s.findEnv(name, es.ID, false)), nil
}

// newEnvID is an EB environment id: e- and 10 lowercase letters or digits.
func (s *Server) newEnvID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 10)
	for i := range b {
		b[i] = alphabet[s.rng.Intn(len(alphabet))]
	}
	return "e-" + string(b)
}
