package resources_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// These tests run ebmigrate_run as infrastructure repositories do: in the
// same configuration as what creates and deploys the application version.

const releaseBucket = "my-releases"

// infraWorld is the fixture world plus the source bundles of releases that
// an apply has yet to register (v4, v5: web runs example/app:<release>).
func infraWorld(t *testing.T) *world {
	return newWorld(t, func(s *localaws.Seed) {
		if s.S3Objects == nil {
			s.S3Objects = map[string]string{}
		}
		for _, v := range []string{"v4", "v5"} {
			s.S3Objects[releaseBucket+"/myapp/"+v+".zip"] = `{"AWSEBDockerrunVersion": 2, "containerDefinitions": [` +
				`{"name": "web", "image": "example/app:` + v + `", "essential": true, "memory": 512},` +
				`{"name": "nginx", "image": "example/nginx:1.27", "essential": false, "memory": 128}]}`
			s.Images["example/app:"+v] = s.Images["example/app:v1"]
		}
	})
}

// release is the infra-repo shape: the apply registers the application
// version (aws_elastic_beanstalk_application_version), deploys it
// (aws_elastic_beanstalk_environment's version_label) and migrates it. The
// first two are terraform_data resources running the AWS CLI against
// localaws, since the AWS provider is not available offline.
func (w *world) release(version string) string {
	aws := fmt.Sprintf("aws --endpoint-url %s --region us-east-1 elasticbeanstalk", w.srv.URL())
	return w.providerConfig() + fmt.Sprintf(`
resource "terraform_data" "version" {
  triggers_replace = %[2]q
  provisioner "local-exec" {
    command = "%[1]s create-application-version --application-name myapp --version-label %[2]s --source-bundle S3Bucket=%[3]s,S3Key=myapp/%[2]s.zip"
  }
}

# Stands for aws_elastic_beanstalk_environment: its version_label is known at
# plan, and the environment deploys it during the apply.
resource "terraform_data" "environment" {
  input            = %[2]q
  triggers_replace = terraform_data.version.id
  provisioner "local-exec" {
    command = "%[1]s update-environment --environment-name %[4]s --version-label %[2]s"
  }
}

resource "ebmigrate_run" "migrate" {
  environment_name = %[4]q
  version_label    = terraform_data.environment.input
  command          = ["sh", "-c", "echo migrating %[2]s"]
}
`, aws, version, releaseBucket, localaws.FixtureEnv)
}

// migratedImages are the images of the migration tasks, in order.
func (w *world) migratedImages() []string {
	var out []string
	for _, ti := range w.srv.Stats().Tasks {
		if strings.HasPrefix(ti.StartedBy, "ebmigrate-") {
			for _, c := range ti.Containers {
				out = append(out, c.Image)
			}
		}
	}
	return out
}

// TestAccCLI_infraRepo: a release whose application version the same apply
// creates plans without error, warns what is checked at apply, and the apply
// migrates it with its image; the next release does the same.
func TestAccCLI_infraRepo(t *testing.T) {
	t.Parallel()
	needAWSCLI(t)
	w := infraWorld(t)
	c := newCLI(t)
	for i, release := range []string{"v4", "v5"} {
		c.write(w.release(release))
		diags, changes := c.planJSON()
		for _, d := range diags {
			if d.Severity == "error" {
				t.Fatalf("%s: the plan failed: %+v", release, d)
			}
		}
		warnings := runWarnings(diags)
		if !changes || len(warnings) != 1 {
			t.Fatalf("%s: changes %v, warnings %+v", release, changes, diags)
		}
		for _, part := range []string{release + ")", "Checked at apply", "Application Version Not Found", `no version "` + release + `"`, "task definition, container, image are known after apply"} {
			if !strings.Contains(warnings[0].Detail, part) {
				t.Errorf("%s: the warning does not say %q: %s", release, part, warnings[0].Detail)
			}
		}
		if strings.Contains(warnings[0].Detail, "image example/app:") {
			t.Errorf("%s: the warning names an image it cannot know: %s", release, warnings[0].Detail)
		}
		c.apply(release + ": apply")
		images := w.migratedImages()
		if len(images) != i+1 || images[i] != "example/app:"+release {
			t.Errorf("after release %s the migrations ran with %v", release, images)
		}
		if _, changes := c.planJSON(); changes {
			t.Errorf("%s: the plan after the apply is not empty", release)
		}
	}
}

// savedPlan is the ebmigrate_run change of `terraform plan -out` as
// `terraform show -json` gives it (what reviewers and policy tools read).
func (c *cli) savedPlan() (after map[string]any, unknown map[string]any) {
	c.t.Helper()
	if out, err := c.run("plan", "-input=false", "-no-color", "-out=tfplan"); err != nil {
		c.t.Fatalf("plan -out: %v\n%s", err, out)
	}
	raw, err := c.Command("show", "-json", "tfplan").Output()
	if err != nil {
		c.t.Fatalf("show -json: %v", err)
	}
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				After        map[string]any `json:"after"`
				AfterUnknown map[string]any `json:"after_unknown"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(raw, &plan); err != nil {
		c.t.Fatal(err)
	}
	for _, rc := range plan.ResourceChanges {
		if rc.Address == "ebmigrate_run.migrate" {
			return rc.Change.After, rc.Change.AfterUnknown
		}
	}
	c.t.Fatalf("no ebmigrate_run.migrate in the saved plan: %s", raw)
	return nil, nil
}

// TestAccCLI_savedPlan: a saved plan claims nothing AWS says (no value the
// apply-time plan could contradict): the results are known after apply, the
// arguments are the configuration's, and it applies.
func TestAccCLI_savedPlan(t *testing.T) {
	t.Parallel()
	w := infraWorld(t)
	c := newCLI(t)
	c.write(w.run("v1", okCommand))
	c.apply("apply")
	c.write(w.run("v2", okCommand, containerArgs(`name = "web"`)))
	after, unknown := c.savedPlan()
	for _, attr := range []string{"last_run", "output", "environment_id"} {
		if unknown[attr] != true {
			t.Errorf("%s is not known after apply in the saved plan: after %v, unknown %v", attr, after[attr], unknown[attr])
		}
	}
	if container, _ := after["container"].(map[string]any); container["name"] != "web" || after["version_label"] != "v2" {
		t.Errorf("the saved plan does not have the configuration's arguments: %v", after)
	}
	for attr := range after {
		if strings.HasPrefix(attr, "planned_") {
			t.Errorf("the saved plan has %s", attr)
		}
	}
	if out, err := c.run("apply", "-input=false", "-no-color", "tfplan"); err != nil {
		t.Fatalf("apply tfplan: %v\n%s", err, out)
	}
	if images := w.migratedImages(); len(images) != 2 || images[1] != "example/app:v2" {
		t.Errorf("migrations ran with %v", images)
	}
}

// TestAccCLI_savedPlanFaultAtApply: an AWS call that fails (HTTP 500) in
// the apply-time plan of a saved plan is an error that names the call and
// says nothing ran, not Terraform's "Provider produced inconsistent final
// plan" (which the planned_* attributes gave: known in the saved plan,
// unknown when the apply-time preview failed); nothing runs.
func TestAccCLI_savedPlanFaultAtApply(t *testing.T) {
	t.Parallel()
	w := infraWorld(t)
	c := newCLI(t)
	c.write(w.noRetries(w.run("v1", okCommand)))
	c.apply("apply")
	c.write(w.noRetries(w.run("v2", okCommand)))
	c.savedPlan()
	if err := w.srv.AddFault(localaws.Fault{Operation: "ecs:DescribeTaskDefinition", Error: "500"}); err != nil {
		t.Fatal(err)
	}
	out, err := c.run("apply", "-input=false", "-no-color", "tfplan")
	if err == nil || strings.Contains(out, "inconsistent final plan") || !strings.Contains(out, "While Planning") ||
		!strings.Contains(out, "DescribeTaskDefinition") || !strings.Contains(out, "Nothing ran") {
		t.Errorf("apply of the saved plan with ECS answering 500: %v\n%s", err, out)
	}
	if n := w.migrationTasks(); n != 1 {
		t.Errorf("%d migrations ran, want the first only", n)
	}
}

// TestAccCLI_environmentGoneWarns: a refresh that drops the resource because
// its environment was replaced says so, naming the environment, and the plan
// migrates the new one.
func TestAccCLI_environmentGoneWarns(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	c.write(w.run("v1", okCommand))
	c.apply("apply")
	replacement := localaws.FixtureSeed(t.TempDir()).Environments[0]
	replacement.ID = "e-new0000001"
	replacement.Cluster = "awseb-myapp-prod-newcluster"
	if err := w.srv.TerminateEnvironment(localaws.FixtureEnv); err != nil {
		t.Fatal(err)
	}
	if err := w.srv.AddEnvironment(replacement); err != nil {
		t.Fatal(err)
	}
	diags, changes := c.planJSON()
	var gone []jsonDiagnostic
	for _, d := range diags {
		if d.Summary == "Migrated Environment Gone" {
			gone = append(gone, d)
		}
	}
	if !changes || len(gone) != 1 || !strings.Contains(gone[0].Detail, `"myapp-prod" is now e-new0000001, not `+localaws.FixtureEnvID) ||
		!strings.Contains(gone[0].Detail, "triggers = { environment_id") {
		t.Errorf("changes %v, diagnostics %+v", changes, diags)
	}
}

// TestAccCLI_environmentReplacedInOneApply: the documented pattern, the
// environment's id in triggers, migrates an environment that the same apply
// replaces (here a terraform_data whose replacement terminates and recreates
// it through EB's API, as a replaced aws_elastic_beanstalk_environment does).
func TestAccCLI_environmentReplacedInOneApply(t *testing.T) {
	t.Parallel()
	needAWSCLI(t)
	w := newWorld(t)
	c := newCLI(t)
	config := func(generation string) string {
		eb := fmt.Sprintf("aws --endpoint-url %s --region us-east-1 elasticbeanstalk", w.srv.URL())
		return w.providerConfig() + fmt.Sprintf(`
# Stands for aws_elastic_beanstalk_environment: a new generation replaces it.
resource "terraform_data" "environment" {
  triggers_replace = %[2]q
  provisioner "local-exec" {
    command = "[ ${self.triggers_replace} = 1 ] || { %[1]s terminate-environment --environment-name %[3]s && %[1]s create-environment --application-name myapp --environment-name %[3]s --version-label v1 --solution-stack-name '64bit Amazon Linux 2023 v4.3.0 running ECS'; }"
  }
}

resource "ebmigrate_run" "migrate" {
  environment_name = %[3]q
  version_label    = "v1"
  command          = ["sh", "-c", "echo migrated"]
  triggers         = { environment_id = terraform_data.environment.id }
}
`, eb, generation, localaws.FixtureEnv)
	}
	c.write(config("1"))
	c.apply("apply")
	c.write(config("2"))
	c.apply("the apply that replaces the environment")
	state, err := c.run("state", "show", "-no-color", "ebmigrate_run.migrate")
	if err != nil {
		t.Fatal(err)
	}
	if n := w.migrationTasks(); n != 2 || strings.Contains(state, localaws.FixtureEnvID) {
		t.Errorf("%d migrations; the second must run in the new environment:\n%s", n, state)
	}
	if _, changes := c.planJSON(); changes {
		t.Error("the plan after the replacement is not empty")
	}
}

// TestAccCLI_unknownVersionClaimsNoContainer: with version_label known only
// after apply, the plan says nothing about the container (the version's
// Dockerrun.aws.json may name others than today's task definition), unless
// the configuration names it.
func TestAccCLI_unknownVersionClaimsNoContainer(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	unknownVersion := func(extra ...string) string {
		return strings.Replace(w.run("v1", okCommand, extra...), `version_label    = "v1"`, `version_label    = terraform_data.version.output`, 1) + `
resource "terraform_data" "version" {
  input = "v1"
}
`
	}
	c.write(unknownVersion())
	diags, _ := c.planJSON()
	ws := runWarnings(diags)
	if len(ws) != 1 || strings.Contains(ws[0].Detail, "container web") || !strings.Contains(ws[0].Detail, "the container (version_label is known after apply)") {
		t.Errorf("plan with version_label unknown: %+v", diags)
	}
	c.write(unknownVersion(containerArgs(`name = "web"`)))
	diags, _ = c.planJSON()
	if ws := runWarnings(diags); len(ws) != 1 || !strings.Contains(ws[0].Detail, "container web") {
		t.Errorf("plan with version_label unknown and container.name configured: %+v", diags)
	}
}

// needAWSCLI skips a test that runs the AWS CLI (standing for the AWS
// provider) when it is not on PATH, saying so, and fails it in CI
// (CI=true), where a skip would go unseen: `make awscli` installs Debian's
// awscli, as `make test` does when it can.
func needAWSCLI(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		why := "the AWS CLI is not on PATH: it stands for the AWS provider in this test (make awscli installs it)"
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true and " + why)
		}
		t.Skip(why)
	}
}
