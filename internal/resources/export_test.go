package resources

import (
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// SetPollSchedule makes ebmigrate_run poll on p until the test ends. The
// test must not call t.Parallel: parallel tests resume only after every
// sequential one has finished, so none sees p.
func SetPollSchedule(t *testing.T, p ebmigrate.PollSchedule) {
	t.Helper()
	prev := pollSchedule
	pollSchedule = p
	t.Cleanup(func() { pollSchedule = prev })
}
