package ebmigrate_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// hookLogger records the engine's messages and calls f once when it logs at.
type hookLogger struct {
	recorder
	at   string
	once sync.Once
	f    func()
}

func (l *hookLogger) Info(msg string, fields map[string]any) {
	l.recorder.Info(msg, fields)
	if msg == l.at {
		l.once.Do(l.f)
	}
}

// A conditional PUT of the lock whose first attempt landed and whose answer
// was lost (localaws's after fault): the SDK's retry gets 412, or 409 when
// S3 took it for a conflicting operation in progress, and the lock holds
// exactly what this apply wrote, so it is this apply's. Before, the 412
// read as another apply's write: the apply waited a lease behind its own
// lock (the take), or left it starting with its task unrecorded (the
// record of the task); the 409 did so still, read as another's write
// without a look.
func TestLockWriteAnswerLost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, at string // at: the step after which the next PutObject loses its answer ("": the take)
		conflict bool
	}{
		{name: "take", at: ""},
		{name: "renewal before RunTask", at: "took the migration lock"},
		{name: "task record", at: "migration task started"},
		{name: "take, 409 on the retry", at: "", conflict: true},
		{name: "task record, 409 on the retry", at: "migration task started", conflict: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := fixture(t, knownAtOnce)
			c := withRetries(srv)
			lose := func() {
				faults := []localaws.Fault{{Operation: "s3:PutObject", Error: "500", After: true, Count: 1}}
				if tc.conflict {
					faults = append(faults, localaws.Fault{Operation: "s3:PutObject", Error: "ConditionalRequestConflict", Skip: 1, Count: 1})
				}
				for _, f := range faults {
					if err := srv.AddFault(f); err != nil {
						t.Error(err)
					}
				}
			}
			log := &hookLogger{at: tc.at, f: lose}
			if tc.at == "" {
				lose()
			}
			in := leased(migrateInput("sh", "-c", "echo migrated"))
			if _, err := ebmigrate.Migrate(testCtx(t), c, in, log); err != nil {
				t.Fatal(err)
			}
			for _, wrong := range []string{"another migration holds the lock; waiting for it before starting anything", "could not record the migration task in the lock; watching it anyway"} {
				if slices.Contains(log.infos, wrong) {
					t.Errorf("the apply logged %q: it took its own write for another apply's", wrong)
				}
			}
			if n := len(migrationTasks(srv)); n != 1 {
				t.Errorf("%d tasks, want 1", n)
			}
			if state, task := lockState(t, srv, localaws.FixtureEnv); state != "released" || task == "" {
				t.Errorf("lock %q naming task %q at the end, want released naming the task", state, task)
			}
		})
	}
}
