package resources_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// overlaps reports migration tasks of the world whose processes ran at
// once, from when localaws really ran them (ECS shows a start late), and
// how many ran at all.
func (w *world) overlaps() (ran int, overlaps []string) {
	var tasks []localaws.TaskInfo
	for _, ti := range w.srv.Stats().Tasks {
		if strings.HasPrefix(ti.StartedBy, "ebmigrate-") && ti.ProcessStartedAt != nil {
			tasks = append(tasks, ti)
		}
	}
	for i, a := range tasks {
		for _, b := range tasks[i+1:] {
			if a.ProcessStoppedAt == nil || b.ProcessStoppedAt == nil ||
				(a.ProcessStartedAt.Before(*b.ProcessStoppedAt) && b.ProcessStartedAt.Before(*a.ProcessStoppedAt)) {
				overlaps = append(overlaps, a.TaskArn+" and "+b.TaskArn)
			}
		}
	}
	return len(tasks), overlaps
}

// TestAccRun_concurrentApplies: two applies for one environment from two
// working directories at once never have two migration tasks running. The
// two are different ebmigrate_run (names): each TestCase destroys its
// resource when its apply is done, and a destroy deletes its family's
// revisions, which would include the one the other apply is about to run.
func TestAccRun_concurrentApplies(t *testing.T) {
	t.Parallel()
	// The image cached: a task runs milliseconds after RunTask, before
	// ListTasks lists it and before DescribeTasks shows it started.
	w := newWorld(t, func(s *localaws.Seed) { s.Timing.ImageCached = true })
	t.Run("group", func(t *testing.T) {
		for version, name := range map[string]string{"v2": "migrate", "v3": "second"} {
			t.Run(version, func(t *testing.T) {
				t.Parallel()
				resource.Test(t, resource.TestCase{
					ProtoV6ProviderFactories: factories,
					Steps: []resource.TestStep{{
						Config: w.run(version, []string{"sh", "-c", "sleep 1; echo migrated " + version}, fmt.Sprintf("name = %q", name)),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(addr, tfjsonpath.New("output"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("migrated " + version)})),
						},
					}},
				})
			})
		}
	})
	ran, overlaps := w.overlaps()
	if len(overlaps) > 0 {
		t.Errorf("migration tasks ran at once: %v", overlaps)
	}
	if ran != 2 {
		t.Errorf("%d migration tasks ran, want 2", ran)
	}
}

// TestAccRun_timeoutThenAttach: a timed-out apply leaves the task running and
// says so; the next apply waits for that task and records its result, with
// no second RunTask.
func TestAccRun_timeoutThenAttach(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// Long enough that the task still runs when step 2's apply looks for
	// it, on a busy machine too (plan, show and apply come first).
	command := []string{"sh", "-c", "sleep 15; echo migrated"}
	var firstTask string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:      w.run("v1", command, `timeouts = { create = "3s" }`),
				ExpectError: words("Migration Wait Interrupted", "create timeout (3s", "ran out", "last status RUNNING", "left running", "next apply waits for it"),
			},
			{
				PreConfig: func() {
					for _, ti := range w.srv.Stats().Tasks {
						if strings.HasPrefix(ti.StartedBy, "ebmigrate-") {
							firstTask = ti.TaskArn
						}
					}
				},
				Config: w.run("v1", command, `timeouts = { create = "1m" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("task_arn"), knownvalue.StringFunc(func(v string) error {
						if v != firstTask {
							return fmt.Errorf("task_arn = %s, want the task the timed-out apply started (%s)", v, firstTask)
						}
						return nil
					})),
				},
				Check: func(*terraform.State) error {
					if n := w.migrationTasks(); n != 1 {
						return fmt.Errorf("%d migration tasks started, want 1", n)
					}
					return nil
				},
			},
		},
	})
}

// TestAccRun_stopOnTimeout: with stop_on_timeout the timed-out task is stopped.
func TestAccRun_stopOnTimeout(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config:      w.run("v1", []string{"sleep", "60"}, taskArgs("stop_on_timeout = true"), timeoutsArgs(`create = "3s"`)),
			ExpectError: words("create timeout", "ran out", "was stopped (StopTask), as task.stop_on_timeout asks"),
		}},
	})
	if n := w.srv.Calls("ecs:StopTask"); n != 1 {
		t.Errorf("StopTask calls = %d, want 1", n)
	}
	if !w.srv.WaitTasksStopped(10 * time.Second) {
		t.Error("the migration task was not stopped")
	}
}

// TestAccRun_startFailures: each way a task fails to place or start has its
// own diagnostic, with ECS's reason.
func TestAccRun_startFailures(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	fault := func(f localaws.Fault) func() {
		return func() {
			w.srv.ClearFaults()
			f.Count = 1
			if err := w.srv.AddFault(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				PreConfig:   fault(localaws.Fault{Task: "placement_failure", Reason: "RESOURCE:MEMORY"}),
				Config:      w.run("v1", okCommand),
				ExpectError: regexp.MustCompile(`(?s)Migration Task Not Placed.*RESOURCE:MEMORY.*less memory`),
			},
			{
				PreConfig:   fault(localaws.Fault{Task: "placement_failure", Reason: "AGENT"}),
				Config:      w.run("v1", okCommand),
				ExpectError: regexp.MustCompile(`(?s)Migration Task Not Placed.*AGENT.*agent`),
			},
			{
				PreConfig:   fault(localaws.Fault{Task: "pull_error"}),
				Config:      w.run("v1", okCommand),
				ExpectError: regexp.MustCompile(`(?s)Migration Failed.*could not pull its container image.*CannotPullContainerError`),
			},
			{
				PreConfig:   fault(localaws.Fault{Task: "oom", DurationMS: 100}),
				Config:      w.run("v1", []string{"sleep", "10"}),
				ExpectError: regexp.MustCompile(`(?s)Migration Failed.*ran out of memory.*Exit code:\s+137.*OutOfMemoryError.*more memory`),
			},
			{
				PreConfig:   w.srv.ClearFaults,
				Config:      w.run("v1", []string{"sh", "-c", "exec no-such-program"}),
				ExpectError: regexp.MustCompile(`(?s)Migration Failed.*exit code 127`),
			},
		},
	})
}

// TestAccRun_failedToStart: a task ECS cannot start (here: a secret that does
// not exist) reports TaskFailedToStart with ECS's reason.
func TestAccRun_failedToStart(t *testing.T) {
	t.Parallel()
	w := newFriendlyWorld(t, func(s *localaws.Seed) { s.Secrets = nil })
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config:      w.run("v1", okCommand),
			ExpectError: regexp.MustCompile(`(?s)Migration Failed.*failed to start.*Exit code:\s+none.*TaskFailedToStart.*ResourceInitializationError`),
		}},
	})
}

// TestAccRun_throttlingAndErrors: with 30% of DescribeTasks, GetLogEvents and
// RunTask calls failing, the migration completes with one task.
func TestAccRun_throttlingAndErrors(t *testing.T) {
	t.Parallel()
	w := newWorld(t, func(s *localaws.Seed) {
		s.RandomSeed = 7
		s.Faults = []localaws.Fault{
			{Operation: "ecs:DescribeTasks", Error: "ThrottlingException", Fraction: 0.3},
			{Operation: "logs:GetLogEvents", Error: "500", Fraction: 0.3},
			{Operation: "ecs:RunTask", Error: "ThrottlingException", Fraction: 0.3},
		}
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: w.run("v1", []string{"sh", "-c", "for i in 1 2 3; do echo step $i; sleep 0.3; done"}),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("output"), stringList("step 1", "step 2", "step 3")),
			},
			Check: func(*terraform.State) error {
				if n := w.migrationTasks(); n != 1 {
					return fmt.Errorf("%d migration tasks, want 1", n)
				}
				return nil
			},
		}},
	})
}
