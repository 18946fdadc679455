package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// 4a. Stop detection: from localaws recording the task STOPPED to the engine
// returning its outcome, engine-level, every run at once on its own
// environment (the default poll schedule and the provider's paced clients).
// The outcome cannot honestly come before the task's last line is readable
// (localaws: the driver's last batch, readable up to log_ingest_delay_ms
// after it is sent; on Fargate sent at the driver's next tick), so the
// target is on the time beyond that. A proven command (the pending-
// migrations query, run under the output relay) returns once its end line
// and every line before it are read; a user's migration command cannot be
// proven complete, and its log is read until a while after the stop
// (PollSchedule.LogGrace, 5 s; on Fargate LogFlush, 5 s, more): that row's
// figure is that wait, by design, and has no < 1 s target.
func stopDetection(e *benchEnv, r *report) error {
	long := 120 * time.Second
	if e.o.quick {
		long = 10 * time.Second
	}
	atExit := func(d time.Duration) []string {
		return []string{"sh", "-c", fmt.Sprintf("echo Planned operations:; sleep %d; echo shop.0002_price; echo '    Add field price to product'", int(d.Seconds()))}
	}
	type stopCase struct {
		name           string
		command        []string
		query, fargate bool
	}
	cases := []stopCase{
		{name: "migration, silent, 2 s", command: []string{"sleep", "2"}},
		{name: "migration, last line printed at exit, 2 s", command: atExit(2 * time.Second)},
		{name: fmt.Sprintf("migration, last line printed at exit, %s", long), command: atExit(long)},
		{name: "migration on Fargate, last line printed at exit, 2 s", command: atExit(2 * time.Second), fargate: true},
		{name: "pending-migrations query, last line printed at exit, 2 s", command: atExit(2 * time.Second), query: true},
		{name: "pending-migrations query on Fargate, last line printed at exit, 2 s", command: atExit(2 * time.Second), query: true, fargate: true},
	}
	w, err := newWorld(e, len(cases)*e.o.repeats, withoutHostVolumes)
	if err != nil {
		return err
	}
	defer w.close()
	c := w.clients()
	type sample struct {
		detected, readable time.Duration
		complete           bool
		err                error
	}
	samples := make([]sample, len(cases)*e.o.repeats)
	var wg sync.WaitGroup
	for i := range samples {
		cs := cases[i/e.o.repeats]
		wg.Add(1)
		go func(i int, env string) {
			defer wg.Done()
			ctx, cancel := ctxFor(long + 2*time.Minute)
			defer cancel()
			in := ebmigrate.MigrateInput{
				Discover:     ebmigrate.DiscoverInput{EnvironmentName: env},
				Derive:       ebmigrate.DeriveSpec{Command: cs.command},
				VersionLabel: "v1", LogLines: 10,
			}
			if cs.query {
				in.Query, in.CollectOutput, in.ProveOutput = true, true, true
				in.Derive.Family = ebmigrate.QueryFamily(env)
			}
			if cs.fargate {
				in.Derive.Placement = ebmigrate.Placement{LaunchType: "FARGATE"}
				in.Derive.ExecutionRoleArn = "arn:aws:iam::123456789012:role/bench-exec"
			}
			res, err := ebmigrate.Migrate(ctx, c, in, ebmigrate.NopLogger)
			returned := time.Now()
			if err != nil {
				samples[i] = sample{err: fmt.Errorf("%s: %w", cs.name, err)}
				return
			}
			ti, ok := w.task(res.TaskArn)
			if !ok || ti.StoppedAt == nil {
				samples[i] = sample{err: fmt.Errorf("localaws has no stop time for %s", res.TaskArn)}
				return
			}
			s := sample{detected: returned.Sub(*ti.StoppedAt), complete: res.LogsComplete}
			if at, ok := w.srv.LastReadable(res.Logs.Group, res.Logs.Stream); ok && at.After(*ti.StoppedAt) {
				s.readable = at.Sub(*ti.StoppedAt)
			}
			samples[i] = s
		}(i, w.envs[i])
	}
	wg.Wait()
	r.line("\n## 4. What is there now, re-measured\n\n### 4a. Stop detection\n\n"+
		"From the moment `localaws` records the task `STOPPED` to the moment the engine returns its outcome (engine-level, with the provider's clients; %d runs of each task at once, each on its own environment, %d tasks in all, on this machine's load). "+
		"`localaws` delivers the log as CloudWatch Logs and the awslogs driver document it, at its default timings: the driver sends a batch every 5 s and its last one as the container exits (on Fargate at its next tick, up to 5 s later), and each batch is readable after a delay of its own, up to 2 s. "+
		"The outcome cannot honestly come before the task's last line is readable, so the target is on the time beyond that. "+
		"A **pending-migrations query** runs under the output relay, whose numbered lines and end line prove its output whole: it returns once they are read. "+
		"A **migration**'s command is the user's (any image, perhaps without a shell) and its log's end cannot be proven: it is read until 5 s after the stop (`PollSchedule.LogGrace`; on Fargate 5 s more, the driver's flush interval), and its figure is that wait, by design, with no < 1 s target "+
		"(see the migration-output guide, The end of the log).\n\n", e.o.repeats, len(samples))
	r.line("| Task | Stop detected after | Of which the last line readable after the stop | Beyond it | Proven complete | Target | |\n| --- | --- | --- | --- | --- | --- | --- |\n")
	for k, cs := range cases {
		var detected, readable, beyond []time.Duration
		proven := 0
		for _, s := range samples[k*e.o.repeats : (k+1)*e.o.repeats] {
			if s.err != nil {
				return s.err
			}
			detected, readable, beyond = append(detected, s.detected), append(readable, s.readable), append(beyond, s.detected-s.readable)
			if s.complete {
				proven++
			}
		}
		b := summarize(beyond)
		target, verdict := "median < 1 s", met(b.med < time.Second)
		if !cs.query {
			wait := "5 s"
			if cs.fargate {
				wait = "10 s"
			}
			target, verdict = "none: unproven, read until "+wait+" after the stop", "by design"
		}
		r.line("| %s | %s | %s | %s | %d of %d | %s | %s |\n", cs.name, summarize(detected), summarize(readable), b, proven, e.o.repeats, target, verdict)
	}
	return nil
}

// withoutHostVolumes drops the fixture's host volume, which Fargate cannot
// have, from every environment (they share the fixture's containers).
func withoutHostVolumes(s *localaws.Seed) {
	for i := range s.Environments {
		one := localaws.Seed{Environments: s.Environments[i : i+1]}
		localaws.WithoutHostVolume(&one)
	}
}
