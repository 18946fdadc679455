package ebmigrate_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// The size check measures the RegisterTaskDefinition body the SDK sends, as
// ECS does: a definition of exactly 64 KiB on the wire passes the plan and
// registers (though Go's JSON of the SDK struct, which the check measured
// before, is larger), and one byte more is refused at plan with nothing
// registered.
func TestTaskDefinitionSizeAsSent(t *testing.T) {
	srv, c := friendly(t)
	p, err := ebmigrate.PreviewMigration(testCtx(t), c, ebmigrate.PreviewInput{MigrateInput: migrateInput("true", "x")})
	if err != nil {
		t.Fatal(err)
	}
	base, err := ebmigrate.RegistrationSize(p.Target, p.Derived)
	if err != nil {
		t.Fatal(err)
	}
	pad := strings.Repeat("a", ebmigrate.MaxTaskDefinitionSize-base+1) // replaces "x": exactly 64 KiB
	fits, over := migrateInput("true", pad), migrateInput("true", pad+"a")

	p, err = ebmigrate.PreviewMigration(testCtx(t), c, ebmigrate.PreviewInput{MigrateInput: fits})
	if err != nil {
		t.Fatalf("plan of a definition of 64 KiB: %v", err)
	}
	if n, _ := ebmigrate.RegistrationSize(p.Target, p.Derived); n != ebmigrate.MaxTaskDefinitionSize {
		t.Fatalf("registration of %d bytes, want %d: the padding is off", n, ebmigrate.MaxTaskDefinitionSize)
	}
	if goJSON, _ := json.Marshal(p.Derived.Input); len(goJSON) <= ebmigrate.MaxTaskDefinitionSize {
		t.Errorf("Go's JSON of the definition is %d bytes: this case does not show the old measure's false refusal", len(goJSON))
	}
	if _, err := ebmigrate.Migrate(testCtx(t), c, fits, &recorder{}); err != nil {
		t.Fatalf("apply of a definition of 64 KiB: %v", err)
	}

	srv.ResetStats()
	_, planErr := ebmigrate.PreviewMigration(testCtx(t), c, ebmigrate.PreviewInput{MigrateInput: over})
	_, applyErr := ebmigrate.Migrate(testCtx(t), c, over, &recorder{})
	for when, err := range map[string]error{"plan": planErr, "apply": applyErr} {
		var pe *ebmigrate.ProblemError
		if !errors.As(err, &pe) || pe.Summary != "Task Definition Too Large" || !strings.Contains(pe.Detail, "65537 bytes") {
			t.Errorf("%s of 64 KiB + 1: %v, want Task Definition Too Large at 65537 bytes", when, err)
		}
	}
	if n := srv.Calls("ecs:RegisterTaskDefinition"); n != 0 {
		t.Errorf("%d registrations of a definition ECS refuses", n)
	}
}
