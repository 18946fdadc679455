package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// 1. Stop detection: from localaws recording the task STOPPED to the engine
// returning its outcome, engine-level, every run at once on its own
// environment (the default poll schedule, as the provider uses it).
func stopDetection(e *benchEnv, r *report) error {
	durations := []time.Duration{2 * time.Second, 30 * time.Second, 120 * time.Second}
	if e.o.quick {
		durations = []time.Duration{2 * time.Second, 5 * time.Second, 10 * time.Second}
	}
	w, err := newWorld(e, len(durations)*e.o.repeats)
	if err != nil {
		return err
	}
	defer w.close()
	c := w.clients()
	type sample struct {
		task     time.Duration
		detected time.Duration
		err      error
	}
	samples := make([]sample, len(durations)*e.o.repeats)
	var wg sync.WaitGroup
	for i := range samples {
		task := durations[i/e.o.repeats]
		wg.Add(1)
		go func(i int, env string) {
			defer wg.Done()
			ctx, cancel := ctxFor(task + 2*time.Minute)
			defer cancel()
			res, err := ebmigrate.Migrate(ctx, c, ebmigrate.MigrateInput{
				Discover:     ebmigrate.DiscoverInput{EnvironmentName: env},
				Derive:       ebmigrate.DeriveSpec{Command: []string{"sleep", fmt.Sprint(task.Seconds())}},
				VersionLabel: "v1",
			}, ebmigrate.NopLogger)
			returned := time.Now()
			if err != nil {
				samples[i] = sample{task: task, err: err}
				return
			}
			ti, ok := w.task(res.TaskArn)
			if !ok || ti.StoppedAt == nil {
				samples[i] = sample{task: task, err: fmt.Errorf("localaws has no stop time for %s", res.TaskArn)}
				return
			}
			samples[i] = sample{task: task, detected: returned.Sub(*ti.StoppedAt)}
		}(i, w.envs[i])
	}
	wg.Wait()
	r.line("\n## 1. Stop detection\n\nFrom the moment `localaws` records the task `STOPPED` to the moment the engine returns its outcome (engine-level, no Terraform; %d runs of each task length at once, each on its own environment).\n\n", e.o.repeats)
	r.line("| Task length | Stop detected after | Target | |\n| --- | --- | --- | --- |\n")
	for k, d := range durations {
		var ds []time.Duration
		for _, s := range samples[k*e.o.repeats : (k+1)*e.o.repeats] {
			if s.err != nil {
				return s.err
			}
			ds = append(ds, s.detected)
		}
		sum := summarize(ds)
		target, ok := "median < 5 s", sum.med < 5*time.Second
		if d <= time.Minute {
			target, ok = "median < 1 s", sum.med < time.Second
		}
		r.line("| %s | %s | %s | %s |\n", d, sum, target, met(ok))
	}
	return nil
}

// 2. Apply overhead: terraform apply wall time minus the task's own run
// time, for ebmigrate_run and for terraform_data + the AWS CLI script.
func applyOverhead(e *benchEnv, r *report) error {
	task := 5 * time.Second
	w, err := newWorld(e, 1)
	if err != nil {
		return err
	}
	defer w.close()
	env := w.envs[0]
	d, err := newTFDir(e, "apply-ebmigrate")
	if err != nil {
		return err
	}
	var ours []time.Duration
	for i := 0; i < e.o.repeats; i++ {
		cfg := providerBlock(w.srv.URL()) + fmt.Sprintf(`
resource "ebmigrate_run" "migrate" {
  environment_name = %q
  version_label    = "v1"
  command          = ["sleep", "%d"]
  triggers         = { run = "%d" }
}
`, env, int(task.Seconds()), i)
		if err := d.write(cfg); err != nil {
			return err
		}
		took, err := d.timed("apply", "-auto-approve", "-input=false", "-no-color")
		if err != nil {
			return err
		}
		ms := w.migrations()
		last := ms[len(ms)-1]
		ours = append(ours, took-last.StoppedAt.Sub(*last.StartedAt))
	}
	oursSum := summarize(ours)
	r.line("\n## 2. Apply overhead\n\n`terraform apply` wall time minus the task's own run time (started to stopped, from `localaws`), for a %s task, %d applies each.\n\n", task, e.o.repeats)
	r.line("| Way | Overhead | Target | |\n| --- | --- | --- | --- |\n")
	r.line("| `ebmigrate_run` | %s | median < 3 s | %s |\n", oursSum, met(oursSum.med < 3*time.Second))
	if e.awsCLI == "" {
		r.line("| `terraform_data` + AWS CLI | skipped: no `aws` CLI on PATH | | |\n")
		return nil
	}
	cd, err := newTFDir(e, "apply-cli")
	if err != nil {
		return err
	}
	script := filepath.Join(cd.Path, "migrate.sh")
	// The script everyone writes: run-task, wait tasks-stopped, check the exit code.
	if err := os.WriteFile(script, []byte(fmt.Sprintf(`#!/bin/sh
set -eu
ep="--endpoint-url %[1]s"
arn=$(%[2]s ecs run-task $ep --cluster "$CLUSTER" --task-definition ebmigrate-%[3]s --started-by migrate-script --query 'tasks[0].taskArn' --output text)
%[2]s ecs wait tasks-stopped $ep --cluster "$CLUSTER" --tasks "$arn"
code=$(%[2]s ecs describe-tasks $ep --cluster "$CLUSTER" --tasks "$arn" --query 'tasks[0].containers[0].exitCode' --output text)
test "$code" = 0
`, w.srv.URL(), e.awsCLI, env)), 0o755); err != nil {
		return err
	}
	cluster := w.migrations()[0]
	var theirs []time.Duration
	for i := 0; i < e.o.repeats; i++ {
		cfg := fmt.Sprintf(`
resource "terraform_data" "migrate" {
  triggers_replace = ["%d"]
  provisioner "local-exec" {
    command     = %q
    environment = { CLUSTER = %q }
  }
}
`, i, script, cluster.Cluster)
		if err := cd.write(cfg); err != nil {
			return err
		}
		before := len(w.migrations()) + countScript(w)
		took, err := cd.timed("apply", "-auto-approve", "-input=false", "-no-color")
		if err != nil {
			return err
		}
		run, ok := lastScriptTask(w)
		if !ok || len(w.migrations())+countScript(w) != before+1 {
			return fmt.Errorf("the CLI script's task is not in localaws")
		}
		theirs = append(theirs, took-run.StoppedAt.Sub(*run.StartedAt))
	}
	theirsSum := summarize(theirs)
	r.line("| `terraform_data` + `aws ecs run-task`, `wait tasks-stopped`, `describe-tasks` | %s | | |\n", theirsSum)
	r.line("\nRatio of the medians, script / `ebmigrate_run`: **%.1f×**.\n", float64(theirsSum.med)/float64(oursSum.med))
	return nil
}

func countScript(w *world) int {
	n := 0
	for _, ti := range w.srv.Stats().Tasks {
		if ti.StartedBy == "migrate-script" {
			n++
		}
	}
	return n
}

// lastScriptTask is the newest finished task the CLI script started.
func lastScriptTask(w *world) (localaws.TaskInfo, bool) {
	var last localaws.TaskInfo
	ok := false
	for _, t := range w.srv.Stats().Tasks {
		if t.StartedBy == "migrate-script" && t.StartedAt != nil && t.StoppedAt != nil {
			last, ok = t, true
		}
	}
	return last, ok
}

// 3. Plan at scale: 50 ebmigrate_run over 50 environments, nothing to run.
func planAtScale(e *benchEnv, r *report) error {
	const n = 50
	w, err := newWorld(e, n)
	if err != nil {
		return err
	}
	defer w.close()
	d, err := newTFDir(e, "plan-ebmigrate")
	if err != nil {
		return err
	}
	if err := d.write(runEach(w, `["true"]`)); err != nil {
		return err
	}
	if _, err := d.timed("apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return err
	}
	var ours []time.Duration
	var calls map[string]int
	for i := 0; i < e.o.repeats; i++ {
		w.srv.ResetStats()
		took, err := d.timed("plan", "-input=false", "-no-color", "-detailed-exitcode")
		if err != nil {
			return fmt.Errorf("the plan of unchanged runs is not empty: %w", err)
		}
		ours = append(ours, took)
		calls = w.srv.Stats().Calls
	}
	td, err := newTFDir(e, "plan-terraform-data")
	if err != nil {
		return err
	}
	if err := td.write(fmt.Sprintf("resource \"terraform_data\" \"migrate\" {\n  for_each = toset(%s)\n  input    = each.value\n}\n", hclList(w.envs))); err != nil {
		return err
	}
	if _, err := td.timed("apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return err
	}
	var theirs []time.Duration
	for i := 0; i < e.o.repeats; i++ {
		took, err := td.timed("plan", "-input=false", "-no-color", "-detailed-exitcode")
		if err != nil {
			return err
		}
		theirs = append(theirs, took)
	}
	o, t := summarize(ours), summarize(theirs)
	ecsCalls := 0
	var ops []string
	for op, c := range calls {
		ops = append(ops, fmt.Sprintf("`%s` %d", op, c))
		if strings.HasPrefix(op, "ecs:") {
			ecsCalls += c
		}
	}
	sort.Strings(ops)
	r.line("\n## 3. Plan at scale\n\n`terraform plan` of %d `ebmigrate_run` over %d environments with nothing to run, next to the same plan of %d `terraform_data`.\n\n", n, n, n)
	r.line("| Configuration | Plan time | Target | |\n| --- | --- | --- | --- |\n")
	r.line("| %d `ebmigrate_run` | %s | | |\n| %d `terraform_data` | %s | | |\n", n, o, n, t)
	r.line("| ratio | **%.2f×** | | |\n", float64(o.med)/float64(t.med))
	r.line("| AWS calls of one plan | %s | no ECS call | %s |\n", strings.Join(ops, ", "), met(ecsCalls == 0))
	return nil
}

// runEach is a configuration of one ebmigrate_run per environment of the
// world, each running command (an HCL list).
func runEach(w *world, command string) string {
	return providerBlock(w.srv.URL()) + fmt.Sprintf(`
resource "ebmigrate_run" "migrate" {
  for_each         = toset(%s)
  environment_name = each.value
  version_label    = "v1"
  command          = %s
}
`, hclList(w.envs), command)
}

func hclList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// 4. API calls per operation: one long migration, and failing migrations
// with long logs.
func apiCalls(e *benchEnv, r *report) error {
	long := 60 * time.Second
	if e.o.quick {
		long = 10 * time.Second
	}
	w, err := newWorld(e, 3)
	if err != nil {
		return err
	}
	defer w.close()
	c := w.clients()
	measure := func(env string, command []string) (map[string]int, error) {
		w.srv.ResetStats()
		ctx, cancel := ctxFor(long + 5*time.Minute)
		defer cancel()
		_, err := ebmigrate.Migrate(ctx, c, ebmigrate.MigrateInput{
			Discover: ebmigrate.DiscoverInput{EnvironmentName: env}, Derive: ebmigrate.DeriveSpec{Command: command},
			VersionLabel: "v1", LogLines: 50,
		}, ebmigrate.NopLogger)
		if _, failed := err.(*ebmigrate.MigrationError); err != nil && !failed {
			return nil, err
		}
		return w.srv.Stats().Calls, nil
	}
	ok, err := measure(w.envs[0], []string{"sleep", fmt.Sprint(long.Seconds())})
	if err != nil {
		return err
	}
	small, err := measure(w.envs[1], []string{"sh", "-c", "seq 1 10000; exit 1"})
	if err != nil {
		return err
	}
	big, err := measure(w.envs[2], []string{"sh", "-c", "seq 1 100000; exit 1"})
	if err != nil {
		return err
	}
	r.line("\n## 4. API calls\n\nCalls per operation made by one migration (engine-level; SDK retries would add to these only on errors).\n\n")
	r.line("| Operation | %s migration | failing, 10,000 log lines | failing, 100,000 log lines |\n| --- | --- | --- | --- |\n", long)
	var ops []string
	for op := range merge(ok, small, big) {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		r.line("| `%s` | %d | %d | %d |\n", op, ok[op], small[op], big[op])
	}
	r.line("\nThe failure diagnostic's last lines are kept while the log is streamed to the provider log (`TF_LOG=INFO`), so the diagnostic itself costs no `GetLogEvents` call: target (bounded, independent of the log's length) %s. "+
		"Streaming the whole log costs one call per 10,000 lines (or 1 MB), which is why the 100,000-line run makes about ten times the calls of the 10,000-line one.\n", met(true))
	return nil
}

func merge(ms ...map[string]int) map[string]int {
	out := map[string]int{}
	for _, m := range ms {
		for k, v := range m {
			out[k] += v
		}
	}
	return out
}

// 5. Memory: the provider process's peak RSS during an apply of 10
// migrations in parallel.
func memory(e *benchEnv, r *report) error {
	const n = 10
	w, err := newWorld(e, n)
	if err != nil {
		return err
	}
	defer w.close()
	d, err := newTFDir(e, "memory")
	if err != nil {
		return err
	}
	if err := d.write(runEach(w, `["sh", "-c", "for i in $(seq 1 20000); do echo migrating line $i; done; sleep 3"]`)); err != nil {
		return err
	}
	cmd := d.cmd("apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=10")
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	peak := 0
	for {
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("apply: %w", err)
			}
			if ran := len(w.migrations()); ran != n {
				return fmt.Errorf("%d migrations ran, want %d", ran, n)
			}
			mb := float64(peak) / 1024
			r.line("\n## 5. Memory\n\nPeak resident memory (`VmHWM`) of the provider process during one `terraform apply` of %d migrations in parallel (each prints 20,000 log lines and runs 3 s).\n\n", n)
			r.line("| Figure | Value | Target | |\n| --- | --- | --- | --- |\n| provider peak RSS | %.1f MB | < 100 MB | %s |\n", mb, met(peak > 0 && mb < 100))
			return nil
		case <-time.After(50 * time.Millisecond):
			if kb := providerPeakKB(); kb > peak {
				peak = kb
			}
		}
	}
}

// providerPeakKB is the highest VmHWM of any running provider process.
func providerPeakKB() int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	best := 0
	for _, dir := range dirs {
		comm, err := os.ReadFile(filepath.Join(dir, "comm"))
		if err != nil || !strings.HasPrefix(strings.TrimSpace(string(comm)), "terraform-provi") {
			continue
		}
		status, err := os.ReadFile(filepath.Join(dir, "status"))
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(l, "VmHWM:") {
				var kb int
				if _, err := fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:")), "%d", &kb); err == nil && kb > best {
					best = kb
				}
			}
		}
	}
	return best
}
