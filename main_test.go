package main

import (
	"fmt"
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
	if out, err := exec.Command("/usr/bin/python3", "-c", "import django").CombinedOutput(); err != nil {
		// In CI (CI=true) a missing Django fails: a skip there would go unseen.
		why := fmt.Sprintf("Debian's python3-django is not importable by /usr/bin/python3 (%v: %s); 'make django' or 'apt-get install python3-django' installs it", err, lastLine(out))
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true and " + why)
		}
		t.Skip("skipping the demo: " + why)
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
	if err != nil || !strings.Contains(string(out), "All 6 steps behaved as described.") {
		t.Fatalf("the demo failed: %v\n%s", err, out)
	}
	// Its output goes to a pipe here, as to a file or a CI log: no colours.
	if strings.Contains(string(out), "\x1b[") {
		t.Errorf("the demo wrote ANSI escape codes into a pipe:\n%q", out)
	}
	if !strings.Contains(string(out), "Python: /usr/bin/python3, Debian's") {
		t.Errorf("the demo does not say which Python runs Django:\n%s", out)
	}
	if actions != "" && !strings.Contains(string(out), "The action step behaved as described") {
		t.Fatalf("the demo's action step did not run on EBMIGRATE_TF114=%s:\n%s", actions, out)
	}
}

// lastLine is the last line of a command's output (Python's error).
func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}
