package ebmigrate

import (
	"testing"
	"time"
)

// A request waits for others to join it only during a burst of calls for
// several environments. The calls of a one-resource apply (its refresh, its
// plan, its apply's re-plan) all name one environment: no other call could
// join them, and each goes at once instead of waiting gatherWindow.
func TestDescribesGatherOnlyForSeveralEnvironments(t *testing.T) {
	b := &describeBatcher{}
	at := time.Unix(1_800_000_000, 0)
	steps := []struct {
		after  time.Duration
		names  []string
		gather bool
		why    string
	}{
		{0, []string{"web"}, false, "the first call"},
		{5 * time.Millisecond, []string{"web"}, false, "the same environment again, 5 ms later (refresh, then plan)"},
		{300 * time.Millisecond, []string{"web"}, false, "the same environment again (the apply's re-plan)"},
		{2 * time.Millisecond, []string{"api"}, true, "another environment during the burst"},
		{2 * time.Millisecond, []string{"web"}, true, "a third call of the burst, after calls for two environments"},
		{2 * time.Second, []string{"web"}, false, "a call after a quiet burstGap"},
		{3 * time.Millisecond, []string{"web"}, false, "the same environment right after it"},
	}
	for _, s := range steps {
		at = at.Add(s.after)
		if got := b.gather(s.names, at); got != s.gather {
			t.Errorf("%s: gather = %v, want %v", s.why, got, s.gather)
		}
	}
}
