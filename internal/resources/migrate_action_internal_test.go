package resources

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/action"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// TestProgressLogger: the engine's events and lines become progress events
// in order, lines cut as the engine cuts them, events with their fields in
// key order, and nothing is sent once the invocation has returned.
func TestProgressLogger(t *testing.T) {
	var got []string
	l := newProgressLogger(context.Background(), func(e action.InvokeProgressEvent) { got = append(got, e.Message) })
	l.Info("migration task started", map[string]any{"task": "arn:t", "cluster": "arn:c"})
	l.Output("Applying shop.0002... OK")
	long := strings.Repeat("x", ebmigrate.MaxLineBytes+100)
	l.Output(long)
	l.close()
	l.Output("after close")
	want := []string{"migration task started (cluster: arn:c, task: arn:t)", "| Applying shop.0002... OK", "| " + ebmigrate.BoundLine(long)}
	if len(got) != len(want) {
		t.Fatalf("progress = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("progress[%d] = %.80q, want %.80q", i, got[i], want[i])
		}
	}
	if !strings.HasSuffix(got[2], "… (100 more bytes)") {
		t.Errorf("a long line was not cut: %d bytes", len(got[2]))
	}
}
