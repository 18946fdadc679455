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
// was lost (localaws's after fault): the SDK's retry gets 412, and the lock
// holds exactly what this apply wrote, so it is this apply's. Before, the
// 412 read as another apply's write: the apply waited a lease behind its
// own lock (the take), or left it starting with its task unrecorded (the
// record of the task).
func TestLockWriteAnswerLost(t *testing.T) {
	t.Parallel()
	for _, at := range []string{"take", "took the migration lock"} {
		t.Run(at, func(t *testing.T) {
			t.Parallel()
			srv, _ := fixture(t)
			c := withRetries(srv)
			lose := func() {
				if err := srv.AddFault(localaws.Fault{Operation: "s3:PutObject", Error: "500", After: true, Count: 1}); err != nil {
					t.Error(err)
				}
			}
			log := &hookLogger{at: at, f: lose}
			if at == "take" {
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
			if state, _ := lockState(t, srv, localaws.FixtureEnv); state != "released" {
				t.Errorf("lock %q at the end, want released", state)
			}
		})
	}
}
