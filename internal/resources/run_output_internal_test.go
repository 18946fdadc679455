package resources

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestBoundLine: a line above maxOutputLineBytes is cut at a character
// boundary and says how much was cut; shorter lines stay as they are.
func TestBoundLine(t *testing.T) {
	if got := boundLine("Applying shop.0002... OK"); got != "Applying shop.0002... OK" {
		t.Errorf("a short line changed: %q", got)
	}
	long := strings.Repeat("a", maxOutputLineBytes-1) + "é" + strings.Repeat("b", 100)
	got := boundLine(long)
	if !utf8.ValidString(got) || !strings.HasSuffix(got, "… (102 more bytes)") || !strings.HasPrefix(got, strings.Repeat("a", maxOutputLineBytes-1)+"…") {
		t.Errorf("boundLine cut %d bytes into %q…%q", len(long), got[:10], got[len(got)-30:])
	}
}
