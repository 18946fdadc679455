package resources

import (
	"context"
	"testing"
)

// TestRunSchemaVersionAndUpgraders: the schema carries runSchemaVersion, and
// UpgradeState has an upgrader for every version below it, each with the
// prior schema of its own version (none today, at version 0: this keeps the
// scaffolding honest when version 1 comes).
func TestRunSchemaVersionAndUpgraders(t *testing.T) {
	ctx := context.Background()
	if got := runSchema(ctx).Version; got != runSchemaVersion {
		t.Errorf("runSchema(ctx).Version = %d, want runSchemaVersion %d", got, runSchemaVersion)
	}
	upgraders := (&runResource{}).UpgradeState(ctx)
	for v := int64(0); v < runSchemaVersion; v++ {
		u, ok := upgraders[v]
		switch {
		case !ok:
			t.Errorf("no state upgrader from version %d (runSchemaVersion is %d)", v, runSchemaVersion)
		case u.PriorSchema == nil || u.PriorSchema.Version != v:
			t.Errorf("the upgrader from version %d has a prior schema of another version: %+v", v, u.PriorSchema)
		case u.StateUpgrader == nil:
			t.Errorf("the upgrader from version %d has no StateUpgrader", v)
		}
	}
	for v := range upgraders {
		if v < 0 || v >= runSchemaVersion {
			t.Errorf("an upgrader from version %d, which is not below runSchemaVersion %d", v, runSchemaVersion)
		}
	}
}
