package resources_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestAccCLI_willRunOncePerApply: an apply shows the "Migration Will Run"
// warning once, from the plan the user approves, not again from the plan
// Terraform makes of each change just before applying it. Terraform 1.9
// and later tell the provider which plan that is (deferrals are allowed
// while applying); Terraform before 1.9 and OpenTofu do not, and show it
// twice.
func TestAccCLI_willRunOncePerApply(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	c.write(w.run("v1", okCommand))
	out, err := c.run("apply", "-auto-approve", "-input=false", "-json")
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	n := strings.Count(out, `"summary":"Migration Will Run"`)
	want := 1
	if version, _ := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), "version").Output(); strings.HasPrefix(string(version), "OpenTofu") || versionBelow(terraformUnderTestVersion(t), 1, 9) {
		want = 2
	}
	if n != want {
		t.Errorf("the apply showed %d Migration Will Run warnings, want %d on %s", n, want, terraformUnderTestVersion(t))
	}
	if !strings.Contains(out, `"summary":"Migration Output (myapp-prod)"`) {
		t.Errorf("the apply did not show the migration's output")
	}
}

// TestAccCLI_commandValueRedacted: a value passed in command (from a
// sensitive variable: Terraform strips the mark before the provider sees
// it) is redacted from the migration's output as the environment's values
// are, in the apply's "Migration Output" and in the state's output.
func TestAccCLI_commandValueRedacted(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	const secret = "postgres://app:Cmd-S3cret@db/app"
	c.write(`variable "database_url" {
  type      = string
  sensitive = true
  default   = "` + secret + `"
}
` + strings.Replace(w.run("v1", []string{"sh", "-c", "echo migrating with $0"}), `"echo migrating with $0"]`, `"echo migrating with $0", var.database_url]`, 1))
	out := c.apply("a secret in command")
	if strings.Contains(out, secret) || !strings.Contains(out, "migrating with (sensitive value)") {
		t.Errorf("the command's value is not redacted from the output:\n%s", out)
	}
	if lines := strings.Join(c.stateOutput(), "\n"); strings.Contains(lines, secret) || !strings.Contains(lines, "migrating with (sensitive value)") {
		t.Errorf("output in the state: %q", lines)
	}
}

// TestAccRun_logRetentionNeverExpire: logs.retention_in_days = 0 creates the
// default log group without a retention policy, so that its events never
// expire (CloudWatch Logs has no 0 retention: a group without a policy is
// one that never expires).
func TestAccRun_logRetentionNeverExpire(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	c.write(w.run("v1", okCommand, logsArgs("retention_in_days = 0")))
	c.apply("retention 0")
	if days, ok := w.srv.LogGroupRetention("/aws/elasticbeanstalk/myapp-prod/ebmigrate"); !ok || days != 0 {
		t.Errorf("the default log group exists %v with retention %d days, want 0 (none)", ok, days)
	}
	if n := w.srv.Calls("logs:PutRetentionPolicy"); n != 0 {
		t.Errorf("%d PutRetentionPolicy calls for retention 0", n)
	}
}
