package resources

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

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

// TestProgressBatches: a migration that prints ten thousand lines sends a
// handful of progress events, not ten thousand: lines go out in batches of
// at most progressBatchLines, at most one every interval, each saying how
// many earlier lines it left out; engine events keep their order after the
// lines before them, and close sends what is left.
func TestProgressBatches(t *testing.T) {
	var mu sync.Mutex
	var got []string
	l := newProgressLogger(context.Background(), func(e action.InvokeProgressEvent) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, e.Message)
	})
	l.interval = 50 * time.Millisecond
	start := time.Now()
	for i := 0; i < 10000; i++ {
		l.Output(fmt.Sprintf("row %d", i))
		if i == 5000 {
			l.Info("still migrating", nil)
		}
	}
	time.Sleep(2 * l.interval)
	l.Output("last line")
	l.close()
	took := time.Since(start)
	mu.Lock()
	defer mu.Unlock()
	if most := int(took/l.interval) + 4; len(got) > most {
		t.Errorf("%d progress events for 10001 lines in %s, want at most %d", len(got), took, most)
	}
	shown, skipped := 0, 0
	for _, m := range got {
		for _, line := range strings.Split(m, "\n") {
			var n int
			if _, err := fmt.Sscanf(line, "(%d earlier lines not shown", &n); err == nil {
				skipped += n
			} else if strings.HasPrefix(line, "| ") {
				shown++
			}
		}
		if strings.Count(m, "\n| ")+1 > progressBatchLines+1 {
			t.Errorf("an event of more than %d lines: %.100q", progressBatchLines, m)
		}
	}
	if shown+skipped != 10001 {
		t.Errorf("%d lines shown and %d said left out, want 10001 together", shown, skipped)
	}
	if last := got[len(got)-1]; !strings.HasSuffix(last, "| last line") {
		t.Errorf("the last event is %q, want the last line", last)
	}
	event := -1
	for i, m := range got {
		if m == "still migrating" {
			event = i
		}
	}
	if event < 1 || !strings.Contains(got[event-1], "| row 5000") {
		t.Errorf("the engine event is not right after the lines before it: %d", event)
	}
}
