package main

import (
	"fmt"
	"sort"
	"time"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// 4b. API calls per operation: one long migration, and failing migrations
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
	r.line("\n### 4b. API calls\n\nCalls per operation made by one migration (engine-level; SDK retries would add to these only on errors).\n\n")
	r.line("| Operation | %s migration | failing, 10,000 log lines | failing, 100,000 log lines |\n| --- | --- | --- | --- |\n", long)
	var ops []string
	for op := range merge(ok, small, big) {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		r.line("| `%s` | %d | %d | %d |\n", op, ok[op], small[op], big[op])
	}
	r.line("\nThe migration lock's calls are in the table: `elasticbeanstalk:CreateStorageLocation` once per provider process (the lock's bucket), then per migration one `s3:GetObject` (the lock read) and `s3:PutObject`s: take it with `If-None-Match`, then, each with `If-Match`, a renewal right before every `RunTask` (as many as the `ecs:RunTask` row: it is asked again while ECS does not know a just-registered revision yet), record the task and release it, plus one renewal every 10 s while a lock names no task yet; the bundle reads of a version not deployed add their own `s3:GetObject`.\n")
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
