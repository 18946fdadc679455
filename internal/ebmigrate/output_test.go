package ebmigrate_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// TestMigrateKeepsLastLines: a successful run keeps its last LogLines lines,
// with the environment's values (EB properties and the environment
// argument) redacted there and in the provider log; short values stay.
func TestMigrateKeepsLastLines(t *testing.T) {
	_, c := fixture(t)
	rec := &recorder{}
	in := migrateInput("sh", "-c", `echo "line 1"; echo "db password is $DATABASE_PASSWORD"; echo "token=$EXTRA_TOKEN, debug $DEBUG"; echo "Applying shop.0002_price... OK"`)
	in.Derive.Environment = map[string]string{"EXTRA_TOKEN": "tok-from-the-environment-argument"}
	in.LogLines = 3
	res, err := ebmigrate.Migrate(testCtx(t), c, in, rec)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"db password is " + ebmigrate.Redacted,
		"token=" + ebmigrate.Redacted + ", debug false",
		"Applying shop.0002_price... OK",
	}
	if strings.Join(res.LogTail, "\n") != strings.Join(want, "\n") || !strings.Contains(res.LogsNote, "That they are the last ones cannot be proven") {
		t.Errorf("tail = %q, note %q; want %q and a note that the end is not proven", res.LogTail, res.LogsNote, want)
	}
	log := rec.lines()
	if !strings.Contains(log, "db password is "+ebmigrate.Redacted) {
		t.Errorf("the provider log does not show the redacted line:\n%s", log)
	}
	for _, secret := range []string{localaws.FixturePropSecret, "tok-from-the-environment-argument"} {
		if strings.Contains(log, secret) {
			t.Errorf("the provider log holds a secret value:\n%s", log)
		}
	}
}

// TestMigrateFailureRedacts: a failure's last lines are redacted too.
func TestMigrateFailureRedacts(t *testing.T) {
	_, c := fixture(t)
	in := migrateInput("sh", "-c", `echo "connecting with $DATABASE_PASSWORD"; exit 1`)
	_, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	var me *ebmigrate.MigrationError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), localaws.FixturePropSecret) || !strings.Contains(err.Error(), "connecting with "+ebmigrate.Redacted) {
		t.Errorf("failure message:\n%s", err)
	}
}

// TestMigrateNoOutputNote: a run that showed no line says so, without
// claiming that it printed nothing (that cannot be proven), and a zero
// LogLines keeps no line and needs no note.
func TestMigrateNoOutputNote(t *testing.T) {
	_, c := fixture(t)
	res, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("true"), &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.LogTail) != 0 || !strings.Contains(res.LogsNote, "showed no line") || !strings.Contains(res.LogsNote, "That it printed nothing cannot be proven") {
		t.Errorf("tail %q, note %q", res.LogTail, res.LogsNote)
	}
	in := migrateInput("sh", "-c", "echo one")
	in.LogLines = 0
	res, err = ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.LogTail) != 0 || res.LogsNote != "" {
		t.Errorf("log_lines 0: tail %q, note %q", res.LogTail, res.LogsNote)
	}
}
