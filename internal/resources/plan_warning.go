package resources

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

const planWarningSummary = "Migration Will Run"

// applyTimePlan tells the plan Terraform asks for just before it applies a
// change (to plan it again with the values known then) from the plan a
// user reviews, from the deferral capability the request carries:
// Terraform 1.9 and later allow deferrals while applying
// (internal/terraform/context_apply.go: DeferralAllowed: true) and while
// planning only with the experimental -allow-deferral. There the "Migration
// Will Run" warning would be shown a second time after the apply (once per
// plan): it goes to the provider log instead. Terraform before 1.9 and
// OpenTofu send no deferral capability, and show it twice.
func applyTimePlan(deferralAllowed bool) bool { return deferralAllowed }

// previewRun shows a planned run: it runs the engine's Preview (read-only
// calls only) and adds the warning that says what will run. It sets no
// attribute: a value the plan claimed from AWS would have to be the same in
// the apply-time plan, or Terraform fails the apply as an "inconsistent
// final plan" (an AWS call failing then, a redeploy in between). What it
// finds missing in AWS is not a plan error: the same apply may create it (a
// new application version, container or environment), so the warning says
// it is checked at apply. An AWS call that fails is an error that says so:
// the apply could not run the migration either. prior is the state of an
// update, nil for a create; changes are the arguments whose change runs it.
func (r *runResource) previewRun(ctx context.Context, plan *runModel, in ebmigrate.MigrateInput, prior *runModel, changes []string, unknown map[string]bool, applying bool, diags *diag.Diagnostics) {
	head := runHeadline(ctx, *plan, prior, changes)
	if r.clients == nil {
		addPlanWarning(ctx, diags, applying, plan.Phase, head+". Its cluster, task definition, container and image are known after apply (the provider's configuration is)."+phaseNote(ctx, plan.Phase, plan.CodeOperations, plan.Command))
		return
	}
	in.Derive.Tags = mergeTags(r.clients.DefaultTags, plan.Tags)
	p, err := ebmigrate.PreviewMigration(ctx, *r.clients, ebmigrate.PreviewInput{MigrateInput: in, Unknown: unknown})
	var pe *ebmigrate.ProblemError
	if f, ok := ebmigrate.AsAWSFailure(err); ok && !errors.As(err, &pe) {
		diags.AddError(f.Summary+" While Planning",
			fmt.Sprintf("While planning the migration of ebmigrate_run for environment %q, an AWS call failed, so the plan cannot say what will run: %s\n\nNothing ran. Plan (or apply) again; if it keeps failing, run with TF_LOG=DEBUG to see the call.",
				plan.EnvironmentName.ValueString(), f.Detail()))
		return
	}
	if unknown[ebmigrate.ArgVersionLabel] && in.Derive.Container == "" && p.Container != "" {
		// The version's Dockerrun.aws.json may name other containers than
		// today's task definition: nothing is said about the container.
		p.Container = ""
		p.Unknown = append(p.Unknown, "the container (version_label is known after apply)")
	}
	for _, w := range p.Warnings {
		diags.AddWarning("Migration May Not Go As Planned", w)
	}
	// The configured cluster and a pinned revision are the configuration's;
	// the environment's own may change before the run (the same apply may
	// replace or redeploy it).
	clusterFixed := in.Discover.Cluster != ""
	taskDefFixed := ebmigrate.PinnedRevision(in.Discover.SourceTaskDefinition)
	addPlanWarning(ctx, diags, applying, plan.Phase, previewText(head, plan.VersionLabel, p, clusterFixed, taskDefFixed, err)+phaseNote(ctx, plan.Phase, plan.CodeOperations, plan.Command))
}

// addPlanWarning adds the "Migration Will Run" warning, or logs it in the
// plan Terraform asks for while applying (applyTimePlan). A phase's names
// its phase: Terraform shows only the first of the warnings with one
// summary in full (ConsolidateWarnings), and the two phases of a release
// are planned together.
func addPlanWarning(ctx context.Context, diags *diag.Diagnostics, applying bool, phase types.String, text string) {
	summary := planWarningSummary
	if known(phase) {
		summary += " (" + phase.ValueString() + ")"
	}
	if applying {
		tflog.Info(ctx, summary+" (planned again while applying): "+text)
		return
	}
	diags.AddWarning(summary, text)
}

// runHeadline says which command runs where, for which version and why; the
// command by its first words only (its values may be sensitive).
func runHeadline(ctx context.Context, plan runModel, prior *runModel, changes []string) string {
	command := "a command known after apply"
	if !plan.Command.IsUnknown() {
		var argv []string
		_ = plan.Command.ElementsAs(ctx, &argv, false)
		command = commandName(argv)
	}
	if p, known, _ := readPhase(ctx, plan.Phase, plan.CodeOperations, plan.Command, false); known {
		command = phaseCommandName(p, command)
	}
	version := "version known after apply"
	if !plan.VersionLabel.IsUnknown() {
		version = "version " + plan.VersionLabel.ValueString()
		if prior != nil && !prior.VersionLabel.Equal(plan.VersionLabel) {
			version = "version " + prior.VersionLabel.ValueString() + " -> " + plan.VersionLabel.ValueString()
		}
	}
	env := "an Elastic Beanstalk environment whose name is known after apply"
	if !plan.EnvironmentName.IsUnknown() {
		env = "environment " + plan.EnvironmentName.ValueString()
	}
	head := fmt.Sprintf("ebmigrate_run will run %s in %s (%s)", command, env, version)
	// The version is in the message already; the other changes are said here.
	var why []string
	for _, c := range changes {
		if c != "version_label" && c != "environment_name" {
			why = append(why, c)
		}
	}
	if len(why) > 0 {
		head += ", because " + strings.Join(why, ", ") + " changed"
	}
	return head
}

// previewText is the warning: the facts the preview knows, what is known
// only after apply, and what stopped the preview (checked at apply).
func previewText(head string, version types.String, p *ebmigrate.Preview, clusterFixed, taskDefFixed bool, err error) string {
	// The cluster and task definition are what the environment has today;
	// unless configured, the apply may replace or redeploy it first, so they
	// are said as today's, not as what will run.
	var facts, today []string
	if p.Cluster != "" {
		c := "cluster " + shortName(p.Cluster, ":cluster/")
		if clusterFixed {
			facts = append(facts, "on "+c)
		} else {
			today = append(today, c)
		}
	}
	if p.SourceTaskDefinition != "" {
		td := "task definition " + shortName(p.SourceTaskDefinition, ":task-definition/")
		if taskDefFixed {
			facts = append(facts, "from "+td)
		} else {
			today = append(today, td)
		}
	}
	if p.Container != "" {
		facts = append(facts, "container "+p.Container)
	}
	if p.Image != "" {
		image := "image " + p.Image
		if p.ImageSource != "" {
			image += " (from " + p.ImageSource + ")"
		}
		facts = append(facts, image)
	}
	text := head
	if len(facts) > 0 {
		sep := ", "
		if strings.HasPrefix(facts[0], "on ") || strings.HasPrefix(facts[0], "from ") {
			sep = " "
		}
		text += sep + strings.Join(facts, ", ")
	}
	text += "."
	if t := p.Target; t != nil && !version.IsUnknown() && t.VersionLabel != version.ValueString() {
		text += fmt.Sprintf(" The environment has version %s deployed.", t.VersionLabel)
	}
	if len(today) > 0 {
		text += " Today the environment has " + strings.Join(today, " and ") + " (unless this apply replaces or redeploys it first)."
	}
	if err != nil {
		what := err.Error()
		var pe *ebmigrate.ProblemError
		if errors.As(err, &pe) {
			what = pe.Summary + ": " + pe.Detail
		}
		text += " Checked at apply, after what this apply creates or changes: at plan time, " + strings.TrimSuffix(what, ".") + "."
		if len(p.Unknown) == 0 {
			var missing []string
			for _, f := range []struct{ name, v string }{{"cluster", p.Cluster}, {"task definition", p.SourceTaskDefinition}, {"container", p.Container}, {"image", p.Image}} {
				if f.v == "" {
					missing = append(missing, f.name)
				}
			}
			if len(missing) > 0 {
				text += " Its " + strings.Join(missing, ", ") + " are known after apply."
			}
		}
	}
	if len(p.Unknown) > 0 {
		text += " Known after apply: " + strings.Join(p.Unknown, "; ") + "."
	}
	if p.ExecuteCommand != "" {
		text += " ECS Exec is on: while the migration runs, open a shell in it with " + p.ExecuteCommand
	}
	return text
}

// commandName names a command by its first words, never its values: the
// program, then up to two subcommand or flag words, then "…" and a pointer
// to the command attribute when there is more.
func commandName(argv []string) string {
	if len(argv) == 0 {
		return "the default command"
	}
	words := []string{argv[0]}
	for _, a := range argv[1:] {
		if len(words) == 3 || !ebmigrate.IsPlainCommandWord(a) {
			break
		}
		words = append(words, a)
	}
	name := strings.Join(words, " ")
	if len(words) < len(argv) {
		name += " …"
	}
	return "`" + name + "` (see the command attribute)"
}

func knownString(v types.String) string {
	if v.IsUnknown() || v.IsNull() {
		return ""
	}
	return v.ValueString()
}

// shortName is the part of an ARN after marker ("cluster/name" -> "name").
func shortName(arn, marker string) string {
	if _, name, ok := strings.Cut(arn, marker); ok {
		return name
	}
	return arn
}
