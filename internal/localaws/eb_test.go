package localaws_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

func TestDescribeEnvironments(t *testing.T) {
	c := world(t)
	out, err := c.eb.DescribeEnvironments(ctx(t), &elasticbeanstalk.DescribeEnvironmentsInput{EnvironmentNames: []string{localaws.FixtureEnv}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Environments) != 1 {
		t.Fatalf("got %d environments", len(out.Environments))
	}
	e := out.Environments[0]
	if aws.ToString(e.EnvironmentId) != localaws.FixtureEnvID || aws.ToString(e.VersionLabel) != "v1" ||
		e.Status != ebtypes.EnvironmentStatusReady || aws.ToString(e.ApplicationName) != localaws.FixtureApp {
		t.Errorf("environment = %+v", e)
	}
	if got := aws.ToString(e.PlatformArn); got != "arn:aws:elasticbeanstalk:us-east-1::platform/ECS running on 64bit Amazon Linux 2023/4.3.0" {
		t.Errorf("platform = %q", got)
	}

	byID, err := c.eb.DescribeEnvironments(ctx(t), &elasticbeanstalk.DescribeEnvironmentsInput{EnvironmentIds: []string{localaws.FixtureEnvID}})
	if err != nil || len(byID.Environments) != 1 || aws.ToString(byID.Environments[0].EnvironmentName) != localaws.FixtureEnv {
		t.Errorf("by id: %v %+v", err, byID)
	}
	all, err := c.eb.DescribeEnvironments(ctx(t), &elasticbeanstalk.DescribeEnvironmentsInput{ApplicationName: aws.String(localaws.FixtureApp)})
	if err != nil || len(all.Environments) != 3 {
		t.Fatalf("by application (deleted included by default): %v, %d", err, len(all.Environments))
	}
	live, err := c.eb.DescribeEnvironments(ctx(t), &elasticbeanstalk.DescribeEnvironmentsInput{ApplicationName: aws.String(localaws.FixtureApp), IncludeDeleted: aws.Bool(false)})
	if err != nil || len(live.Environments) != 2 {
		t.Fatalf("IncludeDeleted=false: %v, %d", err, len(live.Environments))
	}
	none, err := c.eb.DescribeEnvironments(ctx(t), &elasticbeanstalk.DescribeEnvironmentsInput{EnvironmentNames: []string{"nope"}})
	if err != nil || len(none.Environments) != 0 {
		t.Fatalf("unknown name: %v, %d", err, len(none.Environments))
	}
}

func TestDescribeConfigurationSettings(t *testing.T) {
	c := world(t)
	out, err := c.eb.DescribeConfigurationSettings(ctx(t), &elasticbeanstalk.DescribeConfigurationSettingsInput{
		ApplicationName: aws.String(localaws.FixtureApp), EnvironmentName: aws.String(localaws.FixtureEnv),
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range out.ConfigurationSettings[0].OptionSettings {
		got[aws.ToString(o.Namespace)+"/"+aws.ToString(o.OptionName)] = aws.ToString(o.Value)
	}
	want := map[string]string{
		"aws:elasticbeanstalk:application:environment/DATABASE_PASSWORD": localaws.FixturePropSecret,
		"aws:elasticbeanstalk:application:environment/DEBUG":             "false",
		"aws:elasticbeanstalk:application:environmentsecrets/API_KEY":    localaws.FixtureSecretArn,
		"aws:ec2:vpc/Subnets":                                                 "subnet-0aaa1111,subnet-0bbb2222",
		"aws:autoscaling:launchconfiguration/SecurityGroups":                  "sg-0ccc3333",
		"aws:elasticbeanstalk:application:environment/DJANGO_SETTINGS_MODULE": "myapp.settings",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	_, err = c.eb.DescribeConfigurationSettings(ctx(t), &elasticbeanstalk.DescribeConfigurationSettingsInput{
		ApplicationName: aws.String(localaws.FixtureApp), EnvironmentName: aws.String("nope"),
	})
	if errCode(err) != "InvalidParameterValue" {
		t.Errorf("unknown environment: got %v, want InvalidParameterValue", err)
	}
}

func TestEnvironmentResourcesAndVersions(t *testing.T) {
	c := world(t)
	res, err := c.eb.DescribeEnvironmentResources(ctx(t), &elasticbeanstalk.DescribeEnvironmentResourcesInput{EnvironmentName: aws.String(localaws.FixtureEnv)})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.EnvironmentResources.Instances); n != 2 {
		t.Errorf("instances = %d, want 2", n)
	}
	vs, err := c.eb.DescribeApplicationVersions(ctx(t), &elasticbeanstalk.DescribeApplicationVersionsInput{
		ApplicationName: aws.String(localaws.FixtureApp), VersionLabels: []string{"v2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs.ApplicationVersions) != 1 || aws.ToString(vs.ApplicationVersions[0].SourceBundle.S3Key) != "myapp/v2.zip" {
		t.Errorf("versions = %+v", vs.ApplicationVersions)
	}
}

func TestUpdateEnvironmentDeploysVersion(t *testing.T) {
	c := world(t)
	up, err := c.eb.UpdateEnvironment(ctx(t), &elasticbeanstalk.UpdateEnvironmentInput{
		EnvironmentName: aws.String(localaws.FixtureEnv), VersionLabel: aws.String("v2"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if up.Status != ebtypes.EnvironmentStatusUpdating {
		t.Errorf("status right after UpdateEnvironment = %s, want Updating", up.Status)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := c.eb.DescribeEnvironments(ctx(t), &elasticbeanstalk.DescribeEnvironmentsInput{EnvironmentNames: []string{localaws.FixtureEnv}})
		if err != nil {
			t.Fatal(err)
		}
		if e := out.Environments[0]; e.Status == ebtypes.EnvironmentStatusReady {
			if aws.ToString(e.VersionLabel) != "v2" {
				t.Fatalf("version after deploy = %s", aws.ToString(e.VersionLabel))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("environment never became Ready")
		}
		time.Sleep(20 * time.Millisecond)
	}
	td, err := c.ecs.DescribeTaskDefinition(ctx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(localaws.FixtureFamily())})
	if err != nil {
		t.Fatal(err)
	}
	if td.TaskDefinition.Revision != 2 || aws.ToString(td.TaskDefinition.ContainerDefinitions[0].Image) != "example/app:v2" {
		t.Errorf("after deploy: revision %d image %s", td.TaskDefinition.Revision, aws.ToString(td.TaskDefinition.ContainerDefinitions[0].Image))
	}
	// ListTasks lags (consistency.go): list until the new web tasks are
	// listed and the old ones, being stopped, are not listed as running.
	var live []ecstypes.Task
	for deadline := time.Now().Add(10 * time.Second); ; {
		running, err := c.ecs.ListTasks(ctx(t), &ecs.ListTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Family: aws.String(localaws.FixtureFamily())})
		if err != nil {
			t.Fatal(err)
		}
		live = nil
		if len(running.TaskArns) > 0 {
			dt, err := c.ecs.DescribeTasks(ctx(t), &ecs.DescribeTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Tasks: running.TaskArns})
			if err != nil {
				t.Fatal(err)
			}
			for _, task := range dt.Tasks {
				if aws.ToString(task.DesiredStatus) == "RUNNING" {
					live = append(live, task)
				}
			}
		}
		if len(live) == 2 && len(running.TaskArns) == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	dt := struct{ Tasks []ecstypes.Task }{live}
	for _, task := range dt.Tasks {
		if aws.ToString(task.TaskDefinitionArn) != aws.ToString(td.TaskDefinition.TaskDefinitionArn) {
			t.Errorf("web task %s still runs %s", aws.ToString(task.TaskArn), aws.ToString(task.TaskDefinitionArn))
		}
	}
	if len(dt.Tasks) != 2 {
		t.Errorf("%d web tasks running after deploy, want 2", len(dt.Tasks))
	}
	_, err = c.eb.UpdateEnvironment(ctx(t), &elasticbeanstalk.UpdateEnvironmentInput{EnvironmentName: aws.String(localaws.FixtureEnv), VersionLabel: aws.String("v9")})
	if errCode(err) != "InvalidParameterValue" {
		t.Errorf("unknown version: %v", err)
	}
}
