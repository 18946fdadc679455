package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// 4a. Stop detection: from localaws recording the task STOPPED to the engine
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
	r.line("\n## 4. What is there now, re-measured\n\n### 4a. Stop detection\n\nFrom the moment `localaws` records the task `STOPPED` to the moment the engine returns its outcome (engine-level, no Terraform; %d runs of each task length at once, each on its own environment).\n\n", e.o.repeats)
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
