package ebmigrate

import (
	"testing"
	"time"
)

// An unproven log is read until the grace after the stop, longer only when
// CloudWatch accepted a line later than the driver's batching explains.
func TestSettleWait(t *testing.T) {
	for _, tc := range []struct{ delay, want time.Duration }{
		{-1, 5 * time.Second},                     // no line seen
		{800 * time.Millisecond, 5 * time.Second}, // within a batch
		{5 * time.Second, 5 * time.Second},        // a whole flush interval in the batch
		{7 * time.Second, 8 * time.Second},        // accepted 2 s late: half again
		{time.Hour, time.Minute},                  // at most LogEndWithin
	} {
		if got := settleWait(5*time.Second, 5*time.Second, time.Minute, tc.delay); got != tc.want {
			t.Errorf("settleWait(delay %s) = %s, want %s", tc.delay, got, tc.want)
		}
	}
}
