package main

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"
)

// 1. Scale: fifty environments migrated in one apply, at Terraform's default
// parallelism and at fifty, against localaws's default account quotas (AWS's
// ECS token buckets, GetLogEvents' 25 a second, EB's describe bucket).
func scale(e *benchEnv, r *report) error {
	const n = 50
	task := 5 * time.Second
	if e.o.quick {
		task = 3 * time.Second
	}
	type result struct {
		parallelism int
		wall        time.Duration
		firstStart  time.Duration // apply start to the first RunTask: refresh and plan
		lastCreate  time.Duration // apply start to the last task's creation
		lastStop    time.Duration // apply start to the last task's stop
		longest     time.Duration
		failures    int
		peakKB      int
		calls       map[string]int
		throttled   map[string]int
	}
	var results []result
	for _, p := range []int{10, 50} {
		w, err := newWorld(e, n)
		if err != nil {
			return err
		}
		d, err := newTFDir(e, fmt.Sprintf("scale-%d", p))
		if err != nil {
			w.close()
			return err
		}
		if err := d.write(runEach(w, fmt.Sprintf(`["sleep", "%d"]`, int(task.Seconds())))); err != nil {
			w.close()
			return err
		}
		var out bytes.Buffer
		cmd := d.cmd("apply", "-auto-approve", "-input=false", "-no-color", fmt.Sprintf("-parallelism=%d", p))
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		peak, err := runWatchingRSS(cmd)
		wall := time.Since(start)
		res := result{parallelism: p, wall: wall, peakKB: peak}
		st := w.srv.Stats()
		res.calls, res.throttled = st.Calls, st.Throttled
		succeeded := 0
		for _, ti := range w.migrations() {
			if d := ti.CreatedAt.Sub(start); res.firstStart == 0 || d < res.firstStart {
				res.firstStart = d
			}
			res.lastCreate = max(res.lastCreate, ti.CreatedAt.Sub(start))
			if ti.StoppedAt != nil {
				res.lastStop = max(res.lastStop, ti.StoppedAt.Sub(start))
			}
			if ti.StartedAt != nil && ti.StoppedAt != nil {
				// How long its process ran: localaws reports a start late.
				if d := ranFor(ti); d > res.longest {
					res.longest = d
				}
			}
			if len(ti.Containers) == 1 && ti.Containers[0].ExitCode != nil && *ti.Containers[0].ExitCode == 0 {
				succeeded++
			}
		}
		res.failures = n - succeeded
		if errs := strings.Count(out.String(), "Error: "); errs > res.failures {
			res.failures = errs
		}
		if err != nil && res.failures == 0 {
			res.failures = -1 // the apply failed with no failed migration: say so below
		}
		w.close()
		if res.failures != 0 {
			r.line("\n<details><summary>apply at parallelism %d: last lines</summary>\n\n```\n%s\n```\n</details>\n", p, tail(out.String(), 40))
		}
		results = append(results, res)
	}
	r.line("\n## 1. Fifty environments in one apply\n\n")
	r.line("`terraform apply` of %d `ebmigrate_run` over %d environments, each migration `sleep %d`, first apply (every migration task definition is registered), against `localaws` with its default account quotas. "+
		"Wall time against the longest task (its process's start to stop); failures are migrations that did not run once to exit code 0, plus apply errors.\n\n", n, n, int(task.Seconds()))
	r.line("| Parallelism | Apply wall time | First task created after | Last task created after | Last task stopped after | Longest task | Wall / longest | Failures | Target | | Provider peak RSS |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, res := range results {
		fails := fmt.Sprint(res.failures)
		if res.failures < 0 {
			fails = "apply failed"
		}
		target, ok := "0 failures", res.failures == 0
		switch res.parallelism {
		case 50:
			target, ok = "≤ 45 s, 0 failures", ok && res.wall <= 45*time.Second
		case 10:
			// Polls are the engine's to pace: a throttled one could have been avoided.
			polled := res.throttled["ecs:DescribeTasks"] + res.throttled["ecs:ListTasks"] + res.throttled["logs:GetLogEvents"]
			target, ok = "0 failures, no throttled `DescribeTasks`, `ListTasks`, `GetLogEvents`", ok && polled == 0
		}
		r.line("| %d | %s | %s | %s | %s | %s | %.1f× | %s | %s | %s | %.1f MB |\n", res.parallelism, round(res.wall), round(res.firstStart), round(res.lastCreate), round(res.lastStop), round(res.longest),
			float64(res.wall)/float64(max(res.longest, time.Millisecond)), fails, target, met(ok), float64(res.peakKB)/1024)
	}
	ops := map[string]bool{}
	for _, res := range results {
		for op := range res.calls {
			ops[op] = true
		}
	}
	names := make([]string, 0, len(ops))
	for op := range ops {
		names = append(names, op)
	}
	sort.Strings(names)
	r.line("\nCalls by operation (throttled by the account's quota, then retried by the provider, in parentheses):\n\n")
	r.line("| Operation |")
	for _, res := range results {
		r.line(" parallelism %d |", res.parallelism)
	}
	r.line("\n| --- |%s\n", strings.Repeat(" --- |", len(results)))
	for _, op := range names {
		r.line("| `%s` |", op)
		for _, res := range results {
			if th := res.throttled[op]; th > 0 {
				r.line(" %d (%d) |", res.calls[op], th)
			} else {
				r.line(" %d |", res.calls[op])
			}
		}
		r.line("\n")
	}
	r.line("\nWhat bounds the wall time: before the first task, Terraform plans all %d (each plan reads the environment and previews the migration); "+
		"then at parallelism 10 the migrations go in waves of ten, each costing its task plus the per-migration overhead under contention; "+
		"at parallelism 50, ECS's *Task definition modify actions* bucket (20 at once, then 1 a second) lets a first apply register 20 task definitions at once and one a second after that, "+
		"so the last of %d first-time migrations cannot be created before about %d s after the first (an apply with nothing new to register does not call it); "+
		"after its creation come a newly registered revision's lag before `RunTask` knows it (1 s in `localaws`), ECS's provisioning and start (4 s), the command and the stop, and then the 5 s its log is read after the stop (a migration's log cannot be proven complete; the migration-output guide). "+
		"The engine's polling (`DescribeTasks` every second until a task runs, every 250 ms for its first 10 s, then every second; `GetLogEvents` with it) goes through the provider's token buckets "+
		"(15 `DescribeTasks`/`ListTasks` a second of ECS's 20, 20 `GetLogEvents` of CloudWatch's 25, Elastic Beanstalk's settings reads 8 a second after 20, task definitions at ECS's refill with half a call of slack), so that many migrations at once share the account's budget instead of being throttled.\n", n, n, n-20)
	return nil
}
