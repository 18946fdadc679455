package resources

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// Running a migration with or without a phase, for ebmigrate_run and
// ebmigrate_migrate alike: the engine's MigratePhase, and what is recorded
// when a phase had nothing to apply.

// migratePhased runs the migration, or its phase (p.phase set). The result
// is the migration task's; a before_deploy phase that applied nothing
// (every pending migration runs after the deploy) ran only its read-only
// introspection, whose task is the result, with one line that says so in
// place of its output (the introspection's own lines are never shown).
func migratePhased(ctx context.Context, c ebmigrate.Clients, in ebmigrate.MigrateInput, p phaseArgs, log ebmigrate.Logger) (*ebmigrate.Result, error) {
	if p.phase == "" {
		return ebmigrate.Migrate(ctx, c, in, log)
	}
	run, err := ebmigrate.MigratePhase(ctx, c, in, p.phase, p.opts, log)
	if err != nil || run.Migration != nil {
		return run.Migration, err
	}
	res := *run.Query
	res.RawOutput = nil
	res.LogsNote = ""
	res.LogTail = []string{fmt.Sprintf("ebmigrate: no pending migration runs before the deploy; after_deploy applies %s", noneOr(run.Plan.Names(ebmigrate.AfterDeploy)))}
	return &res, nil
}

// phaseArgs is the model's phase, with review.pending as the list the
// reviewed plan showed (a before_deploy phase applies nothing else).
func (m *runModel) phaseArgs(ctx context.Context) (phaseArgs, diag.Diagnostics) {
	p, _, diags := readPhase(ctx, m.Phase, m.CodeOperations, m.Command, false)
	if p.phase != "" {
		if r, known := m.reviewArgs(ctx); known && !r.Pending.IsNull() && !r.Pending.IsUnknown() {
			p.opts.Reviewed = []string{}
			diags.Append(r.Pending.ElementsAs(ctx, &p.opts.Reviewed, false)...)
		}
	}
	return p, diags
}

// phaseDoing names what failed: the migration, or its phase.
func phaseDoing(p phaseArgs) string {
	if p.phase == "" {
		return "the migration"
	}
	return "the " + string(p.phase) + " phase"
}

func noneOr(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
