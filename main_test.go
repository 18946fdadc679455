package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemo runs the demo (examples/demo/demo.sh) as `make demo` does, so that
// it cannot rot: a real Django app migrated by terraform apply against localaws.
func TestDemo(t *testing.T) {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || tf == "" {
		t.Skip("set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test does) to run the demo")
	}
	if exec.Command("/usr/bin/python3", "-c", "import django").Run() != nil {
		t.Skip("Debian's python3-django is not installed and 'make test' could not install it: skipping the demo")
	}
	bin := t.TempDir()
	for _, b := range [][2]string{{"terraform-provider-ebmigrate", "."}, {"localaws", "./cmd/localaws"}} {
		if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, b[0]), b[1]).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", b[1], err, out)
		}
	}
	cmd := exec.Command("bash", "examples/demo/demo.sh")
	// The action step runs on EBMIGRATE_TF114 (make testacc114 sets it), or
	// on TF_ACC_TERRAFORM_PATH when that is Terraform 1.14+; else it skips.
	actions := os.Getenv("EBMIGRATE_TF114")
	cmd.Env = append(os.Environ(), "TERRAFORM="+tf, "TERRAFORM_ACTIONS="+actions, "PROVIDER_DIR="+bin, "LOCALAWS="+filepath.Join(bin, "localaws"), "DEMO_WORK="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "All 5 steps behaved as described.") {
		t.Fatalf("the demo failed: %v\n%s", err, out)
	}
	if actions != "" && !strings.Contains(string(out), "The action step behaved as described") {
		t.Fatalf("the demo's action step did not run on EBMIGRATE_TF114=%s:\n%s", actions, out)
	}
}
