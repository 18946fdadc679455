package localaws_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// The AWS CLI (botocore, not aws-sdk-go-v2) parses what localaws says: the
// wire formats are AWS's, not a dialect of our client.
func TestAWSCLI(t *testing.T) {
	awsCLI, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("no aws CLI on PATH: the wire formats are checked with the Go SDK only")
	}
	c := world(t)
	td := c.registerTaskDef(t, "migrate", "sh", "-c", "exit 4")
	task := c.runTask(t, td)
	c.waitStopped(t, aws.ToString(task.TaskArn))

	run := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command(awsCLI, append(args, "--endpoint-url", c.srv.URL(), "--region", "us-east-1", "--output", "json")...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=secret", "AWS_PAGER=",
			"AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "AWS_EC2_METADATA_DISABLED=true")
		out, err := cmd.Output()
		if err != nil {
			stderr := ""
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = string(ee.Stderr)
			}
			t.Fatalf("aws %v: %v\n%s", args, err, stderr)
		}
		var v map[string]any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("aws %v printed no JSON: %v\n%s", args, err, out)
		}
		return v
	}
	tasks := run("ecs", "describe-tasks", "--cluster", localaws.FixtureCluster(), "--tasks", aws.ToString(task.TaskArn))
	got := tasks["tasks"].([]any)[0].(map[string]any)
	if got["lastStatus"] != "STOPPED" || got["containers"].([]any)[0].(map[string]any)["exitCode"] != float64(4) {
		t.Errorf("describe-tasks: %v", got)
	}
	cfg := run("elasticbeanstalk", "describe-configuration-settings", "--application-name", localaws.FixtureApp, "--environment-name", localaws.FixtureEnv)
	settings := cfg["ConfigurationSettings"].([]any)[0].(map[string]any)["OptionSettings"].([]any)
	found := false
	for _, s := range settings {
		o := s.(map[string]any)
		if o["Namespace"] == "aws:elasticbeanstalk:application:environment" && o["OptionName"] == "DATABASE_PASSWORD" && o["Value"] == localaws.FixturePropSecret {
			found = true
		}
	}
	if !found {
		t.Errorf("describe-configuration-settings: %v", settings)
	}
	envs := run("elasticbeanstalk", "describe-environments", "--environment-names", localaws.FixtureEnv)
	if e := envs["Environments"].([]any)[0].(map[string]any); e["EnvironmentId"] != localaws.FixtureEnvID {
		t.Errorf("describe-environments: %v", e)
	}
	logs := run("logs", "get-log-events", "--log-group-name", localaws.FixtureLogGroup, "--log-stream-name", "migrate/web/"+taskID(aws.ToString(task.TaskArn)))
	if _, ok := logs["nextForwardToken"]; !ok {
		t.Errorf("get-log-events: %v", logs)
	}
}
