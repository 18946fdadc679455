package resources

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// The migration review: what ebmigrate_pending_migrations found pending, passed
// to ebmigrate_run as pending and operations, shown in the plan, judged by the
// destructive_changes policy, and a reason to run only while not empty.

const defaultDestructiveChanges = "warn"

var destructiveChangesValues = []string{"allow", "warn", "deny"}

// reviewArgs is the model's review (all null when unset or unknown: an
// unknown review object is known only at apply, checked then).
func (m *runModel) reviewArgs(ctx context.Context) (reviewModel, bool) {
	r, known, _ := objectAs[reviewModel](ctx, m.Review)
	return r, known
}

func quotedList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}

// pendingRuns tells whether pending is a reason to run: it changed and is
// not known to be empty.
func pendingRuns(ctx context.Context, plan, state runModel) bool {
	p, known := plan.reviewArgs(ctx)
	s, _ := state.reviewArgs(ctx)
	if !known {
		return true
	}
	if p.Pending.Equal(s.Pending) || p.Pending.IsNull() {
		return false
	}
	return p.Pending.IsUnknown() || len(p.Pending.Elements()) > 0
}

// keepReviewOfLastRun plans, for a plan that runs nothing, the state's
// review.pending, review.operations and review.reasons instead of a
// configured empty list or map: the migrations the last run applied are what made
// ebmigrate_pending_migrations empty, so "nothing pending" is no change
// (otherwise every apply that migrates is followed by an update that records
// the emptied list, and CI's "plan after apply is empty" check fails).
// Terraform accepts a planned value equal to the prior one in place of a
// configured one (the provider deems them equivalent), with or without
// -refresh=false. A null (argument removed) or non-empty value is planned as
// configured.
func (m *runModel) keepReviewOfLastRun(ctx context.Context, state runModel) diag.Diagnostics {
	p, known := m.reviewArgs(ctx)
	s, stateKnown := state.reviewArgs(ctx)
	if !known || !stateKnown {
		return nil
	}
	emptied := func(planned, prior interface {
		IsNull() bool
		IsUnknown() bool
	}, plannedLen, priorLen int) bool {
		return !planned.IsNull() && !planned.IsUnknown() && plannedLen == 0 && priorLen > 0
	}
	changed := false
	if emptied(p.Pending, s.Pending, len(p.Pending.Elements()), len(s.Pending.Elements())) {
		p.Pending, changed = s.Pending, true
	}
	if emptied(p.Operations, s.Operations, len(p.Operations.Elements()), len(s.Operations.Elements())) {
		p.Operations, changed = s.Operations, true
	}
	if emptied(p.Reasons, s.Reasons, len(p.Reasons.Elements()), len(s.Reasons.Elements())) {
		p.Reasons, changed = s.Reasons, true
	}
	if !changed {
		return nil
	}
	o, diags := types.ObjectValueFrom(ctx, reviewAttrTypes, p)
	if !diags.HasError() {
		m.Review = o
	}
	return diags
}

// reviewedMigration is one pending migration with its operations.
type reviewedMigration struct {
	name        string
	operations  []string
	destructive []string
	// reason is why it is in its phase ("" when review.reasons does not say).
	reason string
}

// review reads pending and operations; ok is false while either is unknown.
func (m *runModel) review(ctx context.Context) (migrations []reviewedMigration, ok bool, diags diag.Diagnostics) {
	r, known := m.reviewArgs(ctx)
	if !known || r.Pending.IsUnknown() || r.Operations.IsUnknown() {
		return nil, false, nil
	}
	var pending []string
	if !r.Pending.IsNull() {
		diags.Append(r.Pending.ElementsAs(ctx, &pending, false)...)
	}
	ops := map[string][]string{}
	if !r.Operations.IsNull() {
		diags.Append(r.Operations.ElementsAs(ctx, &ops, false)...)
	}
	reasons := map[string]string{}
	if !r.Reasons.IsNull() && !r.Reasons.IsUnknown() {
		diags.Append(r.Reasons.ElementsAs(ctx, &reasons, false)...)
	}
	if r.Pending.IsNull() {
		for name := range ops {
			pending = append(pending, name)
		}
		sort.Strings(pending)
	}
	for _, name := range pending {
		rm := reviewedMigration{name: name, operations: ops[name], reason: reasons[name]}
		for _, op := range rm.operations {
			if ebmigrate.IsDestructive(op) {
				rm.destructive = append(rm.destructive, op)
			}
		}
		migrations = append(migrations, rm)
	}
	return migrations, true, diags
}

// reviewPlannedRun adds the review to a plan that runs the migration: the
// pending migrations and their operations in the "Migration Will Run"
// warning, and the destructive_changes policy's warning or error.
func reviewPlannedRun(ctx context.Context, plan runModel, diags *diag.Diagnostics) {
	if r, known := plan.reviewArgs(ctx); known && r.Pending.IsNull() && r.Operations.IsNull() {
		return
	}
	migrations, known, d := plan.review(ctx)
	diags.Append(d...)
	if !known {
		appendToRunWarning(diags, "The pending migrations are known after apply; destructive_changes is checked then.")
		return
	}
	var b strings.Builder
	phase := ""
	if p, known, _ := readPhase(ctx, plan.Phase, plan.CodeOperations, plan.Command, false); known && p.phase != "" {
		phase = " " + string(p.phase)
	}
	switch {
	case len(migrations) == 0 && phase != "":
		b.WriteString("No pending migration runs in the" + phase + " phase.")
	case len(migrations) == 0:
		b.WriteString("No migration is pending.")
	default:
		if phase == "" {
			b.WriteString("Pending migrations and their operations:")
		} else {
			b.WriteString("Pending migrations of the" + phase + " phase, their operations, and why each is in it:")
		}
		for _, m := range migrations {
			fmt.Fprintf(&b, "\n  %s", m.name)
			if m.reason != "" {
				fmt.Fprintf(&b, " (%s)", m.reason)
			}
			for _, op := range m.operations {
				mark := ""
				if slices.Contains(m.destructive, op) {
					mark = "   [destructive]"
				}
				fmt.Fprintf(&b, "\n    %s%s", op, mark)
			}
		}
	}
	appendToRunWarning(diags, b.String())
	diags.Append(plan.judgeDestructive(ctx, migrations, "plan")...)
}

// judgeDestructive applies destructive_changes to the migrations about to
// run. when is "plan" or "apply".
func (m *runModel) judgeDestructive(ctx context.Context, migrations []reviewedMigration, when string) diag.Diagnostics {
	var diags diag.Diagnostics
	r, _ := m.reviewArgs(ctx)
	policy := r.DestructiveChanges.ValueString()
	if policy == "" {
		policy = defaultDestructiveChanges
	}
	if policy == "allow" || r.DestructiveChanges.IsUnknown() {
		return diags
	}
	var allowed []string
	if !r.AllowDestructive.IsNull() && !r.AllowDestructive.IsUnknown() {
		diags.Append(r.AllowDestructive.ElementsAs(ctx, &allowed, false)...)
	}
	var denied, warned []string
	for _, mig := range migrations {
		for _, op := range mig.destructive {
			line := fmt.Sprintf("  %s: %s", mig.name, op)
			if policy == "deny" && !slices.Contains(allowed, mig.name) {
				denied = append(denied, line)
			} else {
				warned = append(warned, line)
			}
		}
	}
	env := m.EnvironmentName.ValueString()
	if len(denied) > 0 {
		var names []string
		for _, mig := range migrations {
			if len(mig.destructive) > 0 && !slices.Contains(allowed, mig.name) {
				names = append(names, fmt.Sprintf("%q", mig.name))
			}
		}
		diags.AddError("Destructive Migration Denied", fmt.Sprintf(
			"The migration of environment %s would run operations that destroy or rename data, and review.destructive_changes = \"deny\":\n%s\n\n"+
				"Nothing ran. Review them (a removed field's or model's data is lost for good; code still running expects the old names); "+
				"to let them run, list their migrations in review.allow_destructive = [%s], or set review.destructive_changes = \"warn\".",
			env, strings.Join(denied, "\n"), strings.Join(names, ", ")))
	}
	if len(warned) > 0 {
		why := fmt.Sprintf("review.destructive_changes = %q", policy)
		if policy == "deny" {
			why = "allowed by review.allow_destructive"
		}
		diags.AddWarning("Destructive Migration", fmt.Sprintf(
			"The migration of environment %s will run operations that destroy or rename data (%s):\n%s\n\nData of a removed field or deleted model is lost for good once the %s applies.",
			env, why, strings.Join(warned, "\n"), when))
	}
	return diags
}

// appendToRunWarning adds text to the plan's "Migration Will Run" warning.
func appendToRunWarning(diags *diag.Diagnostics, text string) {
	for i, d := range *diags {
		if d.Severity() == diag.SeverityWarning && strings.HasPrefix(d.Summary(), planWarningSummary) {
			(*diags)[i] = diag.NewWarningDiagnostic(d.Summary(), d.Detail()+"\n\n"+text)
			return
		}
	}
}

// checkDestructiveAtApply is the policy at apply, for the pending migrations
// that were unknown at plan time.
func (m *runModel) checkDestructiveAtApply(ctx context.Context) diag.Diagnostics {
	migrations, known, diags := m.review(ctx)
	if r, _ := m.reviewArgs(ctx); !known || r.DestructiveChanges.ValueString() != "deny" {
		return diags
	}
	for _, d := range m.judgeDestructive(ctx, migrations, "apply") {
		if d.Severity() == diag.SeverityError {
			diags.Append(d)
		}
	}
	return diags
}
