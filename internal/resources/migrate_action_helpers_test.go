package resources_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/tfcli"
)

// These tests drive ebmigrate_migrate through the terraform CLI: actions
// need Terraform 1.14 or later (make testacc114 builds and passes one).

// terraformWithActions is a terraform that runs actions: EBMIGRATE_TF114,
// else TF_ACC_TERRAFORM_PATH when it is Terraform 1.14 or later. Anything
// else skips the test, saying why.
func terraformWithActions(t *testing.T) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 and EBMIGRATE_TF114 to a Terraform >= 1.14 (make testacc114 does) to run the action tests")
	}
	for _, v := range []string{"EBMIGRATE_TF114", "TF_ACC_TERRAFORM_PATH"} {
		bin := os.Getenv(v)
		if bin == "" {
			continue
		}
		version, ok := terraformVersion(bin)
		if ok {
			return bin
		}
		if v == "EBMIGRATE_TF114" {
			t.Fatalf("EBMIGRATE_TF114=%s is %s, not Terraform 1.14 or later", bin, version)
		}
		t.Skipf("actions need Terraform 1.14 or later; TF_ACC_TERRAFORM_PATH=%s is %s: set EBMIGRATE_TF114 to a Terraform >= 1.14 (make testacc114 builds one) to run the action tests", bin, version)
	}
	t.Skip("actions need Terraform 1.14 or later: set EBMIGRATE_TF114 (make testacc114 builds one and sets it) to run the action tests")
	return ""
}

var terraformVersionRe = regexp.MustCompile(`^Terraform v(\d+)\.(\d+)\.`)

// terraformVersion is bin's first version line, and whether it is
// Terraform 1.14 or later (OpenTofu, which has no actions, is not).
func terraformVersion(bin string) (string, bool) {
	cmd := exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return fmt.Sprintf("not runnable (%v)", err), false
	}
	first, _, _ := strings.Cut(string(out), "\n")
	m := terraformVersionRe.FindStringSubmatch(first)
	if m == nil {
		return first, false
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	return first, major > 1 || major == 1 && minor >= 14
}

func newActionCLI(t *testing.T) *cli {
	t.Helper()
	d, err := tfcli.New(terraformWithActions(t), buildProvider(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &cli{t: t, Dir: d}
}

// migrateAction is an ebmigrate_migrate action x for the fixture
// environment (version "" leaves version_label unset).
func (w *world) migrateAction(version string, command []string, extra ...string) string {
	quoted := make([]string, len(command))
	for i, c := range command {
		quoted[i] = hclString(c)
	}
	label := ""
	if version != "" {
		label = fmt.Sprintf("version_label = %q", version)
	}
	return w.providerConfig() + fmt.Sprintf(`
action "ebmigrate_migrate" "x" {
  config {
    environment_name = %[1]q
    %[2]s
    command          = [%[3]s]
    %[4]s
  }
}
`, localaws.FixtureEnv, label, strings.Join(quoted, ", "), strings.Join(extra, "\n    "))
}

// deployWithAction is the before_update shape: terraform_data.environment
// stands for aws_elastic_beanstalk_environment, whose version_label changes
// in place (an update, so before_update fires), and terraform_data.deploy
// is what EB does on that update: UpdateEnvironment, sent with curl in the
// query protocol, after the environment's update.
func (w *world) deployWithAction(version string, command []string, event string) string {
	return w.migrateAction(version, command) + fmt.Sprintf(`
resource "terraform_data" "environment" {
  input = %[1]q
  lifecycle {
    action_trigger {
      events  = [%[4]s]
      actions = [action.ebmigrate_migrate.x]
    }
  }
}

resource "terraform_data" "deploy" {
  triggers_replace = terraform_data.environment.output
  provisioner "local-exec" {
    command = "curl -sSf -o /dev/null -d Action=UpdateEnvironment -d EnvironmentName=%[2]s -d VersionLabel=${self.triggers_replace} %[3]s"
  }
}
`, version, localaws.FixtureEnv, w.srv.URL(), event)
}

// deployedVersion is the environment's VersionLabel as DescribeEnvironments
// says, once it is Ready again.
func (w *world) deployedVersion() string {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := exec.Command("curl", "-sSf", "-d", "Action=DescribeEnvironments", "-d", "EnvironmentNames.member.1="+localaws.FixtureEnv, w.srv.URL()).Output()
		if err != nil {
			w.t.Fatalf("DescribeEnvironments: %v", err)
		}
		status := regexp.MustCompile(`<Status>([^<]*)</Status>`).FindStringSubmatch(string(out))
		version := regexp.MustCompile(`<VersionLabel>([^<]*)</VersionLabel>`).FindStringSubmatch(string(out))
		if status != nil && status[1] == "Ready" && version != nil {
			return version[1]
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("the environment did not become Ready: %s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// seenVersionCommand prints, from inside the migration task, the version
// the environment serves while the task runs, as DescribeEnvironments says.
func (w *world) seenVersionCommand() []string {
	return []string{"sh", "-c", fmt.Sprintf("echo serving $(curl -sS -d Action=DescribeEnvironments -d EnvironmentNames.member.1=%s %s | grep -o '<VersionLabel>[^<]*</VersionLabel>' | head -1)", localaws.FixtureEnv, w.srv.URL())}
}

// actionRunWarning is the "Migration Will Run" warning of a plan that
// invokes the action: Terraform folds an action's plan warnings into one
// "Warnings when planning action" diagnostic ("- Summary: detail" each).
func actionRunWarning(diags []jsonDiagnostic) string {
	for _, d := range diags {
		if d.Severity != "warning" || d.Summary != "Warnings when planning action" {
			continue
		}
		if _, rest, ok := strings.Cut(d.Detail, "- Migration Will Run: "); ok {
			text, _, _ := strings.Cut(rest, "\n- ")
			return text
		}
	}
	return ""
}

func needCurl(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		why := "curl is not on PATH: the action tests use it to stand for Elastic Beanstalk's deploy"
		if os.Getenv("CI") == "true" {
			t.Fatal(why + " (CI=true: install curl)")
		}
		t.Skip(why)
	}
}

// actionEvent is a line of terraform apply -json about an action.
type actionEvent struct {
	Type    string `json:"type"`
	Message string `json:"@message"`
	Hook    struct {
		Message string `json:"message"`
	} `json:"hook"`
	Diagnostic *jsonDiagnostic `json:"diagnostic"`
}

// invoke starts terraform apply -invoke=action.ebmigrate_migrate.x -json,
// and calls each for every line it prints.
func (c *cli) invoke(each func(actionEvent)) error {
	c.t.Helper()
	cmd := c.Command("apply", "-invoke=action.ebmigrate_migrate.x", "-auto-approve", "-input=false", "-json")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return err
	}
	var printed strings.Builder
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		printed.Write(sc.Bytes())
		printed.WriteByte('\n')
		var e actionEvent
		if json.Unmarshal(sc.Bytes(), &e) == nil {
			each(e)
		}
	}
	_, _ = io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("%w\n%s", err, printed.String())
	}
	return nil
}
