package resources

import (
	"testing"
	"time"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// testLogWaits are the engine's waits for a log's end, shortened to
// localaws's test timings (TestConsistency: the driver's batches every
// 300 ms, each readable within 300 ms of being sent), as those are
// shortened: on, never off. The grace keeps a margin over them for a
// loaded machine, where the driver's last batch may go late.
var testLogWaits = ebmigrate.PollSchedule{LogGrace: time.Second, LogFlush: 300 * time.Millisecond, LogEndWithin: 5 * time.Second}

func init() { pollSchedule = testLogWaits }

// SetPollSchedule makes ebmigrate_run poll on p until the test ends (with
// the shortened log waits where p leaves them unset). The test must not
// call t.Parallel: parallel tests resume only after every sequential one
// has finished, so none sees p.
func SetPollSchedule(t *testing.T, p ebmigrate.PollSchedule) {
	t.Helper()
	prev := pollSchedule
	if p.LogGrace == 0 {
		p.LogGrace = testLogWaits.LogGrace
	}
	if p.LogFlush == 0 {
		p.LogFlush = testLogWaits.LogFlush
	}
	if p.LogEndWithin == 0 {
		p.LogEndWithin = testLogWaits.LogEndWithin
	}
	pollSchedule = p
	t.Cleanup(func() { pollSchedule = prev })
}
