package ebmigrate_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// A release that adds a column the new code writes and drops one the old
// code reads (testdata/phases/release: v1 serves, v2 is deployed), with the
// environment's web task running each version's traffic throughout (the
// localaws workload). Migrated without phases, it fails the old version's
// requests (all before the deploy) or the new version's (all after it); with
// the phases (before_deploy, the deploy, after_deploy) not one request fails.
func TestPhasedRelease(t *testing.T) {
	requireDjango(t)
	t.Parallel()
	migrateAll := []string{"./manage.py", "migrate", "--noinput"}
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, r *rollout)
		// failing is the version whose requests fail, "" for none.
		failing, why string
	}{
		{"phased", func(t *testing.T, r *rollout) {
			run, err := ebmigrate.MigratePhase(testCtx(t), r.c, r.in, ebmigrate.BeforeDeploy, ebmigrate.PhaseOptions{}, &recorder{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(run.Migrations, []string{"shop.0002_product_price_cents"}) || !slices.Equal(run.Plan.Names(ebmigrate.AfterDeploy), []string{"shop.0003_remove_product_sku"}) {
				t.Fatalf("phases: before %v, after %v", run.Migrations, run.Plan.Names(ebmigrate.AfterDeploy))
			}
			if out := strings.Join(run.Migration.LogTail, "\n"); !strings.Contains(out, "Applying shop.0002_product_price_cents... OK") || strings.Contains(out, "0003") {
				t.Errorf("before_deploy printed:\n%s", out)
			}
			r.serving(t, "v1") // v1 goes on with the new column
			r.deploy(t)
			after, err := ebmigrate.MigratePhase(testCtx(t), r.c, r.in, ebmigrate.AfterDeploy, ebmigrate.PhaseOptions{}, &recorder{})
			if err != nil {
				t.Fatal(err)
			}
			if out := strings.Join(after.Migration.LogTail, "\n"); !strings.Contains(out, "Applying shop.0003_remove_product_sku... OK") {
				t.Errorf("after_deploy printed:\n%s", out)
			}
			r.serving(t, "v2")
		}, "", ""},
		{"all before the deploy", func(t *testing.T, r *rollout) {
			r.in.Derive.Command = migrateAll
			if _, err := ebmigrate.Migrate(testCtx(t), r.c, r.in, &recorder{}); err != nil {
				t.Fatal(err)
			}
			r.failed(t, "v1")
			r.deploy(t)
			r.serving(t, "v2")
		}, "v1", "no column named sku"},
		{"all after the deploy", func(t *testing.T, r *rollout) {
			r.deploy(t)
			r.failed(t, "v2")
			r.in.Derive.Command = migrateAll
			if _, err := ebmigrate.Migrate(testCtx(t), r.c, r.in, &recorder{}); err != nil {
				t.Fatal(err)
			}
			r.serving(t, "v2")
		}, "v2", "no column named price_cents"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRollout(t)
			r.serving(t, "v1")
			tc.run(t, r)
			all := r.srv.Workloads()
			versions := map[string]int{}
			for _, w := range all {
				versions[w.VersionLabel]++
				if w.VersionLabel == "v1" && w.StoppedAt == nil {
					t.Errorf("v1's workload %s still runs after the deploy", w.TaskArn)
				}
				if w.OK == 0 {
					t.Errorf("%s's workload %s served nothing", w.VersionLabel, w.TaskArn)
				}
				switch {
				case w.VersionLabel != tc.failing && w.Failed > 0:
					t.Errorf("%s's requests failed %d times: %q", w.VersionLabel, w.Failed, w.Failures)
				case w.VersionLabel == tc.failing && (w.Failed == 0 || !strings.Contains(w.Failures[0], tc.why)):
					t.Errorf("%s's requests failed %d times (%q), want failures with %q", w.VersionLabel, w.Failed, w.Failures, tc.why)
				}
			}
			if versions["v1"] != 1 || versions["v2"] != 1 {
				t.Errorf("workloads by version: %v, want one web task of each", versions)
			}
		})
	}
}

// rollout is an environment serving v1 of testdata/phases/release, with v2
// to deploy.
type rollout struct {
	srv *localaws.Server
	c   ebmigrate.Clients
	in  ebmigrate.MigrateInput
}

func newRollout(t *testing.T) *rollout {
	t.Helper()
	db := t.TempDir() + "/db.sqlite3"
	// v1's schema, as v1's release left it.
	manage(t, testdataDir("phases/release/v1"), djangoEnv(db), []string{"./manage.py", "migrate", "--noinput", "-v", "0"})
	srv, c := friendly(t, func(s *localaws.Seed) {
		for _, v := range []string{"v1", "v2"} {
			s.Images["example/app:"+v] = localaws.Image{Dir: testdataDir("phases/release/" + v), Env: map[string]string{
				"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1",
			}}
		}
		e := &s.Environments[0]
		// One web task keeps the test lean; the demo runs two.
		e.Instances = 1
		e.Properties["DATABASE_PATH"] = db
		e.Properties["DJANGO_SETTINGS_MODULE"] = "shopsite.settings"
		e.Workload = &localaws.WorkloadSeed{Command: []string{"python3", "workload.py"}}
	})
	in := migrateInput()
	in.VersionLabel = "v2"
	return &rollout{srv: srv, c: c, in: in}
}

// serving waits until each running workload of version has served requests
// since now.
func (r *rollout) serving(t *testing.T, version string) {
	t.Helper()
	since := time.Now()
	r.waitFor(t, version+" serving requests", func(w localaws.WorkloadInfo) bool {
		return w.VersionLabel == version && w.StoppedAt == nil && w.LastOKAt != nil && w.LastOKAt.After(since)
	})
}

// failed waits until a workload of version has failed requests.
func (r *rollout) failed(t *testing.T, version string) {
	t.Helper()
	r.waitFor(t, version+"'s requests failing", func(w localaws.WorkloadInfo) bool {
		return w.VersionLabel == version && w.Failed > 0
	})
}

func (r *rollout) waitFor(t *testing.T, what string, ok func(localaws.WorkloadInfo) bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if slices.ContainsFunc(r.srv.Workloads(), ok) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("waited 30 s for %s: %+v", what, r.srv.Workloads())
}

// deploy deploys v2 as Elastic Beanstalk does (UpdateEnvironment) and waits
// until the environment is Ready again.
func (r *rollout) deploy(t *testing.T) {
	t.Helper()
	eb := clientsFor(r.srv, 1).EB.(*elasticbeanstalk.Client)
	if _, err := eb.UpdateEnvironment(testCtx(t), &elasticbeanstalk.UpdateEnvironmentInput{
		EnvironmentName: aws.String(localaws.FixtureEnv), VersionLabel: aws.String("v2"),
	}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		env, err := ebmigrate.DescribeEnvironment(testCtx(t), r.c.EB, localaws.FixtureEnv)
		if err != nil {
			t.Fatal(err)
		}
		if env.Status == ebtypes.EnvironmentStatusReady && aws.ToString(env.VersionLabel) == "v2" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the deploy of v2 did not finish in 30 s")
}
