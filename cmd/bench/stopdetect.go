package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// 4a. Stop detection: from localaws recording the task STOPPED to the engine
// returning its outcome, engine-level, every run at once on its own
// environment (the default poll schedule and the provider's paced clients).
// CloudWatch ingests a task's last line late (log_ingest_delay_ms), and the
// outcome cannot honestly come before that line is read: the target is on
// the time beyond that ingestion.
func stopDetection(e *benchEnv, r *report) error {
	long := 120 * time.Second
	if e.o.quick {
		long = 10 * time.Second
	}
	cases := []struct {
		name    string
		command []string
	}{
		{"silent, 2 s", []string{"sleep", "2"}},
		{"last line printed at exit, 2 s", []string{"sh", "-c", "sleep 2; echo Applying app.0002_more... OK"}},
		{fmt.Sprintf("last line printed at exit, %s", long), []string{"sh", "-c", fmt.Sprintf("echo Operations to perform:; sleep %d; echo Applying app.0002_more... OK", int(long.Seconds()))}},
	}
	w, err := newWorld(e, len(cases)*e.o.repeats)
	if err != nil {
		return err
	}
	defer w.close()
	c := w.clients()
	type sample struct {
		detected, ingestion time.Duration
		err                 error
	}
	samples := make([]sample, len(cases)*e.o.repeats)
	var wg sync.WaitGroup
	for i := range samples {
		command := cases[i/e.o.repeats].command
		wg.Add(1)
		go func(i int, env string) {
			defer wg.Done()
			ctx, cancel := ctxFor(long + 2*time.Minute)
			defer cancel()
			res, err := ebmigrate.Migrate(ctx, c, ebmigrate.MigrateInput{
				Discover:     ebmigrate.DiscoverInput{EnvironmentName: env},
				Derive:       ebmigrate.DeriveSpec{Command: command},
				VersionLabel: "v1", LogLines: 10,
			}, ebmigrate.NopLogger)
			returned := time.Now()
			if err != nil {
				samples[i] = sample{err: err}
				return
			}
			ti, ok := w.task(res.TaskArn)
			if !ok || ti.StoppedAt == nil {
				samples[i] = sample{err: fmt.Errorf("localaws has no stop time for %s", res.TaskArn)}
				return
			}
			s := sample{detected: returned.Sub(*ti.StoppedAt)}
			if ingested, ok := lastLineIngested(w, c, res.Logs); ok && ingested.After(*ti.StoppedAt) {
				s.ingestion = ingested.Sub(*ti.StoppedAt)
			}
			samples[i] = s
		}(i, w.envs[i])
	}
	wg.Wait()
	r.line("\n## 4. What is there now, re-measured\n\n### 4a. Stop detection\n\n"+
		"From the moment `localaws` records the task `STOPPED` to the moment the engine returns its outcome (engine-level, with the provider's clients; %d runs of each task at once, each on its own environment). "+
		"CloudWatch Logs ingests each line late (`localaws` default: 2 s after it is printed), so the outcome of a task whose last line is printed at exit cannot come before that line is readable: "+
		"the target is on the time beyond the last line's ingestion after the stop. The log's end is found by the end mark the engine writes after the stop (README, How it works), not by a quiet grace.\n\n", e.o.repeats)
	r.line("| Task | Stop detected after | Of which the last line's ingestion after the stop | Beyond it | Target | |\n| --- | --- | --- | --- | --- | --- |\n")
	for k, cs := range cases {
		var detected, ingestion, beyond []time.Duration
		for _, s := range samples[k*e.o.repeats : (k+1)*e.o.repeats] {
			if s.err != nil {
				return s.err
			}
			detected, ingestion, beyond = append(detected, s.detected), append(ingestion, s.ingestion), append(beyond, s.detected-s.ingestion)
		}
		b := summarize(beyond)
		r.line("| %s | %s | %s | %s | median < 1 s | %s |\n", cs.name, summarize(detected), summarize(ingestion), b, met(b.med < time.Second))
	}
	return nil
}

// lastLineIngested is when CloudWatch ingested the last line the container
// printed (its ingestionTime), read back after the run; ok is false for a
// task that printed nothing.
func lastLineIngested(w *world, c ebmigrate.Clients, loc ebmigrate.LogLocation) (time.Time, bool) {
	ctx, cancel := ctxFor(time.Minute)
	defer cancel()
	var token *string
	var last time.Time
	found := false
	for {
		out, err := c.Logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{
			LogGroupName: aws.String(loc.Group), LogStreamName: aws.String(loc.Stream), StartFromHead: aws.Bool(true), NextToken: token,
		})
		if err != nil {
			return last, found
		}
		for _, ev := range out.Events {
			last, found = time.UnixMilli(aws.ToInt64(ev.IngestionTime)), true
		}
		if aws.ToString(out.NextForwardToken) == aws.ToString(token) {
			return last, found
		}
		token = out.NextForwardToken
	}
}
