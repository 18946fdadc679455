package resources

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// ebmigrate_pending_migrations with phase: the pending migrations read from
// the migrations themselves (the engine's introspection, a read-only
// task), classified into the two phases of a release, shown in the plan.

var phasesAttrTypes = map[string]attr.Type{
	"before_deploy": types.ListType{ElemType: types.StringType}, "after_deploy": types.ListType{ElemType: types.StringType},
	"reasons": types.MapType{ElemType: types.StringType}, "hazards": types.ListType{ElemType: types.StringType},
}

func phasesAttribute() schema.SingleNestedAttribute {
	list := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: desc}
	}
	return schema.SingleNestedAttribute{
		Computed: true,
		MarkdownDescription: "With `phase`: which pending migrations each phase of the release applies, and why. Null without `phase`. " +
			"The plan shows it in a \"Migration Phases\" warning, and what no phase makes safe in a \"Zero-Downtime Hazard\" warning.",
		Attributes: map[string]schema.Attribute{
			"before_deploy": list("The migrations `phase = \"before_deploy\"` applies, in order: safe while the old version still serves, and needed (or harmless) for the new one."),
			"after_deploy":  list("The migrations `phase = \"after_deploy\"` applies, in order, once the new version serves: those that would break the old version, and those that depend on them."),
			"reasons": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Why each pending migration is in its phase, in one sentence: its django-safemigrate marker, or the operation that decides it and what it does to either version's code. Pass it to `ebmigrate_run`'s `review.reasons`."},
			"hazards": list("What no phase makes safe, one sentence each (a NOT NULL column without a database default, a rename, a migration that mixes both kinds of operation), with what to do: the plan warns of each."),
		},
	}
}

// readPhases reads the pending migrations for phase: the introspection,
// the classification (a release that cannot be split fails the read, so
// the plan), the phase's lists, and the plan's warnings.
func (d *pendingMigrationsDataSource) readPhases(ctx context.Context, m *pendingMigrationsModel, in ebmigrate.MigrateInput, resp *datasource.ReadResponse) {
	p, _, diags := readPhase(ctx, m.Phase, m.CodeOperations, m.Command, true)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	env := m.EnvironmentName.ValueString()
	doing := fmt.Sprintf("reading the pending migrations of environment %q for the %s phase (a read-only manage.py shell task)", env, p.phase)
	intro, res, err := ebmigrate.IntrospectPhases(ctx, *d.clients, in, p.opts, tfLogger{ctx})
	var plan ebmigrate.PhasePlan
	if err == nil {
		plan, err = ebmigrate.ClassifyPhases(intro, p.opts)
	}
	if err != nil {
		summary, detail, at := errorDiagnostic("Pending Migrations Query Failed", doing, err)
		addDiagnostic(&resp.Diagnostics, summary, detail+queryFailureNote, at)
		return
	}
	if res.PruneError != nil {
		resp.Diagnostics.AddWarning("Old Task Definitions Not Deregistered",
			fmt.Sprintf("While %s, pruning old revisions of family %s failed: %v", doing, ebmigrate.QueryFamily(env), res.PruneError))
	}
	resp.Diagnostics.Append(d.cleanLegacyQueryFamily(ctx, env)...)
	m.Pending = plan.Names(p.phase)
	m.Destructive = plan.Destructive(p.phase)
	m.Irreversible = []string{}
	m.AppliedCount = types.Int64Null()
	ops, diags := types.MapValueFrom(ctx, types.ListType{ElemType: types.StringType}, plan.Operations())
	resp.Diagnostics.Append(diags...)
	m.Operations = ops
	reasons, diags := types.MapValueFrom(ctx, types.StringType, plan.Reasons())
	resp.Diagnostics.Append(diags...)
	m.Phases = types.ObjectValueMust(phasesAttrTypes, map[string]attr.Value{
		"before_deploy": stringList(plan.Names(ebmigrate.BeforeDeploy)), "after_deploy": stringList(plan.Names(ebmigrate.AfterDeploy)),
		"reasons": reasons, "hazards": stringList(plan.Hazards()),
	})
	m.ID = m.EnvironmentName
	m.TaskArn = types.StringValue(res.TaskArn)
	version := "the deployed version"
	if known(m.VersionLabel) {
		version = "version " + m.VersionLabel.ValueString()
	}
	if d.walk == nil || d.walk.firstPhaseSplit(env+"\x00"+version) {
		resp.Diagnostics.AddWarning("Migration Phases", phaseSplitText(env, version, plan))
		if hazards := plan.Hazards(); len(hazards) > 0 {
			resp.Diagnostics.AddWarning("Zero-Downtime Hazard", fmt.Sprintf("What no phase of the release of environment %s (%s) makes safe: a request of either version may fail while it is deployed.\n\n  - %s",
				env, version, strings.Join(hazards, "\n  - ")))
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// phaseSplitText is the "Migration Phases" warning: both lists, and why.
func phaseSplitText(env, version string, plan ebmigrate.PhasePlan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "The release of environment %s (%s) has %d pending migrations.", env, version, len(plan.Migrations))
	for _, part := range []struct {
		phase ebmigrate.Phase
		head  string
	}{
		{ebmigrate.BeforeDeploy, "Before the deploy (before_deploy), while the old version still serves:"},
		{ebmigrate.AfterDeploy, "After the deploy (after_deploy), once the new version serves:"},
	} {
		fmt.Fprintf(&b, "\n\n%s", part.head)
		list := plan.In(part.phase)
		if len(list) == 0 {
			b.WriteString("\n  none")
		}
		for _, mig := range list {
			fmt.Fprintf(&b, "\n  %s: %s", mig.Name, mig.Why)
		}
	}
	return b.String()
}

func stringList(values []string) types.List {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}
