package ebmigrate_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// TestMigrateFailureBoundsLines: a failure's last lines are cut at
// MaxLineBytes each, like a success's output, so that one huge line does not
// fill the diagnostic.
func TestMigrateFailureBoundsLines(t *testing.T) {
	_, c := fixture(t)
	in := migrateInput("sh", "-c", `printf 'x%.0s' $(seq 1 12000); echo; echo "Traceback: boom"; exit 1`)
	_, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	var me *ebmigrate.MigrationError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v", err)
	}
	if len(me.LogLines) != 2 || me.LogLines[1] != "Traceback: boom" {
		t.Fatalf("log lines %d: %.80q", len(me.LogLines), me.LogLines)
	}
	want := strings.Repeat("x", ebmigrate.MaxLineBytes) + "… (" + "9952 more bytes)"
	if me.LogLines[0] != want {
		t.Errorf("the long line is %d bytes, ends %q; want it cut at %d bytes", len(me.LogLines[0]), me.LogLines[0][max(0, len(me.LogLines[0])-30):], ebmigrate.MaxLineBytes)
	}
	if n := len(err.Error()); n > 4*ebmigrate.MaxLineBytes {
		t.Errorf("the failure message is %d bytes", n)
	}
}

// TestBoundLine: a line above MaxLineBytes is cut at a character boundary
// and says how much was cut; shorter lines stay as they are.
func TestBoundLine(t *testing.T) {
	if got := ebmigrate.BoundLine("Applying shop.0002... OK"); got != "Applying shop.0002... OK" {
		t.Errorf("a short line changed: %q", got)
	}
	long := strings.Repeat("a", ebmigrate.MaxLineBytes-1) + "é" + strings.Repeat("b", 100)
	got := ebmigrate.BoundLine(long)
	if !utf8.ValidString(got) || !strings.HasSuffix(got, "… (102 more bytes)") || !strings.HasPrefix(got, strings.Repeat("a", ebmigrate.MaxLineBytes-1)+"…") {
		t.Errorf("BoundLine cut %d bytes into %q…%q", len(long), got[:10], got[len(got)-30:])
	}
}
