package resources

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// maxOutputLineBytes bounds one line of the output attribute and the
// Migration Output warning (the engine cuts each line it keeps).
const maxOutputLineBytes = ebmigrate.MaxLineBytes

// maxLogLines bounds log_lines, which both the output attribute (state, and
// every plan that re-runs) and a failure's diagnostic use: at most about
// 2 MB of lines. A Django migrate prints a line per migration and a few
// headers, so even the first run of a large project (hundreds of
// migrations) fits, as does any traceback; more belongs in CloudWatch Logs,
// not in state.
const maxLogLines = 1000

// outputLines are the last lines of a successful run, for the output
// attribute: the engine has redacted the environment's values and cut each
// line at maxOutputLineBytes.
func outputLines(res *ebmigrate.Result) []string {
	return append([]string{}, res.LogTail...)
}

func outputList(lines []string) types.List {
	elems := make([]attr.Value, len(lines))
	for i, l := range lines {
		elems[i] = types.StringValue(l)
	}
	return types.ListValueMust(types.StringType, elems)
}

// migrationOutput is the warning that shows a successful run's last lines
// after the apply: Terraform shows only errors and warnings without TF_LOG
// (the framework has no other severity). Each line is indented, so that
// Terraform prints it as it is instead of re-wrapping it (format.WordWrap
// leaves lines that start with a space alone). The summary names the
// migration by its id (the environment, and the name unless it is
// migrate: the phase of a release's two): Terraform shows only the first of
// the warnings with the same summary in full (ConsolidateWarnings(1)),
// which would hide every other migration's output. Nothing is shown with logs.lines = 0.
func migrationOutput(ctx context.Context, m runModel, res *ebmigrate.Result, lines []string) diag.Diagnostics {
	var diags diag.Diagnostics
	logLines := m.logLines(ctx)
	if logLines == 0 {
		return diags
	}
	var b strings.Builder
	what := "The migration"
	if known(m.Phase) {
		what = "The " + m.Phase.ValueString() + " phase of the migration"
	}
	fmt.Fprintf(&b, "%s of environment %q (version %s) succeeded in task %s.", what, m.EnvironmentName.ValueString(), m.VersionLabel.ValueString(), res.TaskArn)
	if len(lines) > 0 {
		fmt.Fprintf(&b, " Its last %d log lines (logs.lines = %d; also in the output attribute):\n\n", len(lines), logLines)
		for _, l := range lines {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	detail := strings.TrimRight(b.String(), "\n")
	if res.LogsNote != "" {
		detail += "\n\n" + res.LogsNote
	}
	diags.AddWarning(fmt.Sprintf("Migration Output (%s)", runID(m.EnvironmentName.ValueString(), m.Name.ValueString())), detail)
	return diags
}

func outputAttribute() schema.ListAttribute {
	return schema.ListAttribute{
		ElementType: types.StringType,
		Computed:    true,
		// Every plan that re-runs would otherwise print the previous run's
		// lines, and with them whatever redaction cannot catch (values under
		// MinRedactedLen, secrets ECS fetches itself, lines Docker split).
		Sensitive: true,
		MarkdownDescription: fmt.Sprintf("The last `logs.lines` lines the migration container printed in the last successful run, oldest first, each cut at %d bytes; "+
			"the apply also shows them in a \"Migration Output\" warning. Values of the environment's properties and of `container.environment` and `container.environment_wo` (of at least %d characters) are replaced with `%s`; "+
			"secrets that ECS fetches (`environmentsecrets`, `valueFrom`) never pass through the provider and cannot be recognised, so do not print them. "+
			"Empty when `logs.lines` is 0 or the container printed nothing (the warning then says why), null after an import until a run. An apply that does not re-run the migration keeps the previous lines. "+
			"Sensitive, so that a plan that re-runs does not print the previous run's lines (redaction cannot catch every secret); the warning after the apply shows them. "+
			"To use them as a root module output, write `value = nonsensitive(ebmigrate_run.migrate.output)`.",
			maxOutputLineBytes, ebmigrate.MinRedactedLen, ebmigrate.Redacted),
		PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
	}
}
