package ebmigrate_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// requireDjango fails the test in CI (CI=true), where a missing Django would
// turn every Django test into a silent skip, and elsewhere skips it saying
// what to install.
func requireDjango(t *testing.T) {
	t.Helper()
	out, err := exec.Command("/usr/bin/python3", "-c", "import django").CombinedOutput()
	if err == nil {
		return
	}
	why := fmt.Sprintf("Debian's python3-django is not importable by /usr/bin/python3 (%v: %s); 'make django' or 'apt-get install python3-django' installs it", err, strings.TrimSpace(string(out)))
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true and " + why)
	}
	t.Skip("skipping the Django test: " + why)
}

// testdataDir is internal/ebmigrate/testdata/<rel>, absolute.
func testdataDir(rel string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata", filepath.FromSlash(rel))
}

// djangoEnv is the environment a container of the test images gets: Debian's
// Python (Django 3.2) first on PATH, no bytecode written into testdata.
func djangoEnv(db string, extra ...string) []string {
	return append([]string{"PATH=/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1", "HOME=" + os.TempDir(), "DATABASE_PATH=" + db}, extra...)
}

// manage runs argv (from ./manage.py on) in a testdata project, as the app
// container would, and returns its stdout lines; a failure is fatal.
func manage(t *testing.T, dir string, env []string, argv []string) []string {
	t.Helper()
	out, code, stderr := manageCode(t, dir, env, argv)
	if code != 0 {
		t.Fatalf("%s in %s exited %d: %s", strings.Join(argv[:2], " "), dir, code, stderr)
	}
	return out
}

// manageCode is manage that returns the exit code and stderr instead of failing.
func manageCode(t *testing.T, dir string, env []string, argv []string) ([]string, int, string) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = dir, env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s: %v", argv[0], err)
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n"), code, stderr.String()
}
