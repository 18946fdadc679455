package resources_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// The zero-downtime release of the phase tests: the engine's
// testdata/phases/release, whose v2 adds the column price_cents that v2's
// code writes and drops the column sku that v1's code reads. The fixture
// environment serves v1 (its database migrated to v1), and its web tasks
// can run each version's traffic (workload.py, localaws's web workload).

// releaseDir is a version of the release's Django project.
func releaseDir(version string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "ebmigrate", "testdata", "phases", "release", version)
}

// releaseWorld is the fixture environment serving v1 of the release, with
// v2 (and the extra versions, label -> project directory) to deploy; with
// workload, its one web task runs the deployed version's traffic.
func releaseWorld(t *testing.T, workload bool, extra map[string]string) (*world, string) {
	t.Helper()
	requireDjango(t)
	db := filepath.Join(t.TempDir(), "db.sqlite3")
	manageRelease(t, releaseDir("v1"), db, "migrate", "--noinput", "-v", "0")
	dirs := map[string]string{"v1": releaseDir("v1"), "v2": releaseDir("v2")}
	for label, dir := range extra {
		dirs[label] = dir
	}
	return newWorld(t, func(s *localaws.Seed) {
		e := &s.Environments[0]
		for label, dir := range dirs {
			s.Images["example/app:"+label] = localaws.Image{Dir: dir, Env: map[string]string{
				"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1", "HOME": os.TempDir(),
			}}
			if e.Versions[label] == nil {
				e.Versions[label] = map[string]string{"web": "example/app:" + label, localaws.FixtureProxy: "example/nginx:1.27"}
			}
		}
		// One web task keeps the tests lean; the demo runs two.
		e.Instances = 1
		e.Properties["DATABASE_PATH"] = db
		e.Properties["DJANGO_SETTINGS_MODULE"] = "shopsite.settings"
		if workload {
			e.Workload = &localaws.WorkloadSeed{Command: []string{"python3", "workload.py"}}
		}
	}), db
}

// manageRelease runs manage.py of a project on the database db.
func manageRelease(t *testing.T, dir, db string, args ...string) string {
	t.Helper()
	cmd := exec.Command("/usr/bin/python3", append([]string{"manage.py"}, args...)...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/bin:/bin", "DATABASE_PATH=" + db, "DJANGO_SETTINGS_MODULE=shopsite.settings", "PYTHONDONTWRITEBYTECODE=1", "HOME=" + os.TempDir()}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("manage.py %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// releaseVariant is v2 of the release with more migrations (file name ->
// source, under shop/migrations), in a directory of the test's.
func releaseVariant(t *testing.T, migrations map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "app")
	// v2 links to v1's unchanged files: copied as files.
	if out, err := exec.Command("cp", "-RL", releaseDir("v2"), dir).CombinedOutput(); err != nil {
		t.Fatalf("copying the release: %v\n%s", err, out)
	}
	for name, src := range migrations {
		if err := os.WriteFile(filepath.Join(dir, "shop", "migrations", name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// withAWSStandIn serves the AWS provider's stand-in (hashicorp/aws, for
// Terraform and for OpenTofu) in this process and makes c's Terraform
// reattach to it: its aws_elastic_beanstalk_environment deploys on
// localaws (examples_aws_stand_in_test.go).
func (c *cli) withAWSStandIn() {
	c.t.Helper()
	server := func() tfprotov6.ProviderServer { return providerserver.NewProtocol6(awsStandIn{})() }
	reattach := serveInProcess(c.t, map[string]func() tfprotov6.ProviderServer{
		"registry.terraform.io/hashicorp/aws": server,
		"registry.opentofu.org/hashicorp/aws": server,
	})
	c.Env = append(c.Env, "TF_REATTACH_PROVIDERS="+reattach)
}

// awsProvider points the AWS provider's stand-in at this world's localaws.
func (w *world) awsProvider() string {
	return fmt.Sprintf(`
provider "aws" {
  region = "us-east-1"
  endpoints {
    elasticbeanstalk = %q
  }
}
`, w.srv.URL())
}

// phaseTasks are the tasks the provider started for a family suffix
// ("before_deploy", "after_deploy", "_query"), oldest first.
func (w *world) phaseTasks(suffix string) []localaws.TaskInfo {
	var out []localaws.TaskInfo
	for _, ti := range w.srv.Stats().Tasks {
		if strings.HasPrefix(ti.StartedBy, "ebmigrate-") && strings.HasSuffix(ti.Family, suffix) {
			out = append(out, ti)
		}
	}
	slices.SortFunc(out, func(a, b localaws.TaskInfo) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out
}

// waitServing waits until the web task of version has served a request
// since now.
func (w *world) waitServing(t *testing.T, version string) {
	t.Helper()
	since := time.Now()
	deadline := since.Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, wl := range w.srv.Workloads() {
			if wl.VersionLabel == version && wl.StoppedAt == nil && wl.LastOKAt != nil && wl.LastOKAt.After(since) {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s's web task did not serve within 30 s: %+v", version, w.srv.Workloads())
}
