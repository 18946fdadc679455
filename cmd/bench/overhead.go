package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// 3. Apply overhead: terraform apply wall time minus the task's own run
// time, for ebmigrate_run, for Terraform's floor (terraform_data running a
// local sleep of the same length) and for terraform_data + the AWS CLI script.
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
	var ours, oursFromCreate, remainders, ecsOwn []time.Duration
	var applies []time.Duration
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
		ours = append(ours, took-ranFor(last))
		oursFromCreate = append(oursFromCreate, took-last.StoppedAt.Sub(last.CreatedAt))
		applies = append(applies, took)
		// ECS's own time for the task: created to stopped beyond the command's run time.
		ecsOwn = append(ecsOwn, last.StoppedAt.Sub(last.CreatedAt)-task)
	}
	floor, err := terraformFloor(e, task)
	if err != nil {
		return err
	}
	// The floor of an apply: Terraform's own (terraform_data + local-exec
	// sleeping as long), ECS's own time for the task, and the ingestion of
	// the task's last line (none: the task prints nothing). The log of a
	// user's command cannot be proven complete, so it is read until
	// LogGrace after the stop (logs_end.go): a wait of the design, apart
	// from the floor. What is left of the apply's wall time beyond the
	// command's run time is ours.
	floorSum, ecsSum := summarize(floor), summarize(ecsOwn)
	floorTotal := floorSum.med + ecsSum.med
	// Each apply less its own task's ECS time (localaws reports a start
	// 1-3 s late, drawn per task, which a median would leave in ours) and
	// the log's wait.
	logWait := ebmigrate.DefaultPoll.LogGrace
	for i, a := range applies {
		remainders = append(remainders, a-task-floorSum.med-ecsOwn[i]-logWait)
	}
	oursSum, createSum, remSum := summarize(ours), summarize(oursFromCreate), summarize(remainders)
	r.line("\n## 3. Apply overhead\n\n`terraform apply` of one `ebmigrate_run` running `sleep %d` (silent), %d applies, against `localaws` with its default timings. "+
		"The floor is what no provider can avoid: Terraform's own (`terraform_data` with a `local-exec` provisioner running `sleep %d`: the same wait with no provider process and no AWS), "+
		"ECS's own time for the task (created to stopped, beyond the command's %s, from `localaws`: provisioning, pending, start, deprovisioning) "+
		"and the ingestion of the task's last line (none here: it prints nothing). "+
		"Apart from the floor, a wait of the design: a migration's log cannot be proven complete (CloudWatch Logs promises no time by which a line is readable), so it is read until %s after the stop. "+
		"Ours is the apply's wall time beyond the command's run time, the floor and that wait.\n\n", int(task.Seconds()), e.o.repeats, int(task.Seconds()), task, logWait)
	r.line("| Part | Time | Target | |\n| --- | --- | --- | --- |\n")
	r.line("| floor: Terraform's own, `terraform_data` + `local-exec sleep %d`, beyond the sleep | %s | | |\n", int(task.Seconds()), floorSum)
	r.line("| floor: ECS's own time for the task, created to stopped beyond %s | %s | | |\n", task, ecsSum)
	r.line("| floor: ingestion of the last line | 0 (silent task) | | |\n")
	r.line("| the log's unproven end: read until %s after the stop (`PollSchedule.LogGrace`) | %s | | |\n", logWait, logWait)
	r.line("| `ebmigrate_run` apply, wall time | %s | | |\n", summarize(applies))
	r.line("| **ours**: the apply beyond the command, Terraform's own and ECS's own time, and the log's wait | %s | ≤ 0.5 s | %s |\n", remSum, met(remSum.med <= 500*time.Millisecond))
	r.line("| `ebmigrate_run`, apply beyond the task's run (its process's start to stop) | %s | | |\n", oursSum)
	r.line("| `ebmigrate_run`, apply beyond created to stopped | %s | | |\n", createSum)
	if startup, err := providerStartup(e, 9); err == nil {
		r.line("| provider process start, exec to handshake (Terraform starts it once per phase: schema, validate, plan, apply) | %s | | |\n", startup)
	}
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
		theirs = append(theirs, took-ranFor(run))
	}
	theirsSum := summarize(theirs)
	ratio := float64(theirsSum.med) / float64(oursSum.med)
	r.line("| `terraform_data` + `aws ecs run-task`, `wait tasks-stopped`, `describe-tasks`, apply beyond the task's run | %s | | |\n", theirsSum)
	r.line("| the script's overhead / ours (both beyond the task's run, its process's start to stop; ours reads the log until %s after the stop, the script reads no log) | **%.2f×** | ≥ 2× | %s |\n", logWait, ratio, met(ratio >= 2))
	r.line("| the same, ours without the log's %s | %.2f× | | |\n", logWait, float64(theirsSum.med)/float64(oursSum.med-logWait))
	// Both figures hold ECS's own time for the task, so that the ratio has a
	// ceiling: what it would be if our part (beyond the floor) were nothing.
	r.line("| its ceiling: the script's overhead / the floor (Terraform's own + ECS's own), what the ratio would be with nothing of ours | %.2f× | | |\n", float64(theirsSum.med)/float64(floorTotal))
	return nil
}

// terraformFloor is the overhead of terraform_data running a local sleep of
// task's length: apply wall time minus the sleep.
func terraformFloor(e *benchEnv, task time.Duration) ([]time.Duration, error) {
	fd, err := newTFDir(e, "apply-floor")
	if err != nil {
		return nil, err
	}
	var out []time.Duration
	for i := 0; i < e.o.repeats; i++ {
		cfg := fmt.Sprintf(`
resource "terraform_data" "migrate" {
  triggers_replace = ["%d"]
  provisioner "local-exec" {
    command = "sleep %d"
  }
}
`, i, int(task.Seconds()))
		if err := fd.write(cfg); err != nil {
			return nil, err
		}
		took, err := fd.timed("apply", "-auto-approve", "-input=false", "-no-color")
		if err != nil {
			return nil, err
		}
		out = append(out, took-task)
	}
	return out, nil
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

// providerStartup is how long the provider binary takes from exec to the
// go-plugin handshake line, the part of each of Terraform's provider
// launches (one per command phase) that the provider itself spends.
func providerStartup(e *benchEnv, n int) (summary, error) {
	var ds []time.Duration
	for i := 0; i < n; i++ {
		cmd := exec.Command(filepath.Join(e.providerDir, "terraform-provider-ebmigrate"))
		cmd.Env = append(os.Environ(),
			"TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
			"PLUGIN_PROTOCOL_VERSIONS=6", "PLUGIN_MIN_PORT=10000", "PLUGIN_MAX_PORT=25000")
		out, err := cmd.StdoutPipe()
		if err != nil {
			return summary{}, err
		}
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return summary{}, err
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		took := time.Since(start)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if err != nil || !strings.Contains(line, "|6|") {
			return summary{}, fmt.Errorf("the provider printed no protocol 6 handshake: %q %v", line, err)
		}
		ds = append(ds, took)
	}
	return summarize(ds), nil
}

// ranFor is how long a task's processes really ran (localaws reports a
// start late, as ECS does).
func ranFor(ti localaws.TaskInfo) time.Duration {
	if ti.ProcessStartedAt != nil && ti.ProcessStoppedAt != nil {
		return ti.ProcessStoppedAt.Sub(*ti.ProcessStartedAt)
	}
	return ti.StoppedAt.Sub(*ti.StartedAt)
}
