package resources

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// The phases of a zero-downtime release, as ebmigrate_run, ebmigrate_migrate
// and ebmigrate_pending_migrations take them: phase (which half of the
// pending migrations) and code_operations (where RunPython and RunSQL go),
// defined once here like the nested arguments (migration_args.go), and
// read from a configuration by one function.

func phaseSpec(o object) argSpec {
	return argSpec{kind: argString, str: []validator.String{stringvalidator.OneOf(ebmigrate.PhaseValues...)},
		desc: "Which of the pending migrations run, for a release without downtime: `before_deploy` applies, in dependency order, those that are safe while the old version still serves " +
			"(new tables, nullable columns or columns with a database default, indexes, dropped constraints), `after_deploy` the rest, once the new version serves " +
			"(dropped or renamed columns and tables, columns made NOT NULL, type changes, new constraints). Unset, every pending migration runs at once, as `command` says. " +
			"A migration's django-safemigrate `safe` marker decides its phase when it has one; otherwise its operations do, read from the migration itself " +
			"(a read-only `manage.py shell` task of the version's code); one that depends on a migration of the later phase runs with it, and one that must run before the deploy " +
			"but depends on one that must run after fails the release, naming both. See the guide \"Zero-downtime releases\". " +
			"With a phase, `command` must be Django's `migrate` (`<how manage.py runs> migrate [--noinput] [-v N]`; its words before `migrate` and its `--settings` and `--pythonpath` run the phase's `manage.py shell`).",
		per: map[object]string{
			runObject: " Use two `ebmigrate_run`, `before_deploy` before the environment (which `depends_on` it) and `after_deploy` after it (`depends_on` the environment). " +
				"`before_deploy` reads the pending migrations and applies its own with `manage.py migrate <app> <migration>` after checking in the container that nothing else would apply (with `review.pending` set, nothing the reviewed plan did not list); " +
				"`after_deploy` runs `command`. An unset `name` is the phase, so the two get their own ids (`<environment name>/before_deploy`), families and import addresses. " +
				"A change re-runs the migration.",
			actionObject: " Trigger `before_deploy` at the environment's `before_update` with `version_label` set to the version being deployed, and `after_deploy` at its `after_update`. " +
				"`before_deploy` reads the pending migrations and applies its own; `after_deploy` runs `command`. The migration task definition family is `ebmigrate-<environment name>_<phase>`, as `ebmigrate_run`'s of that phase.",
			queryObject: " Set, the query reads the pending migrations from the migrations themselves instead of running `command` (which must still be Django's `migrate`, `--plan` allowed): " +
				"`pending` and `destructive` are that phase's migrations, `operations` every pending migration's, and `phases` says which migrations each phase applies and why. " +
				"A release that cannot be split (a migration that must run before the deploy depends on one that must run after) fails the plan, naming both.",
		}}
}

func codeOperationsSpec(o object) argSpec {
	return argSpec{kind: argString, str: []validator.String{stringvalidator.OneOf(ebmigrate.PhaseValues...)},
		desc: "The phase of `RunPython` and `RunSQL` operations in migrations without a django-safemigrate `safe` marker: what their code does is not declared, so it cannot be read. " +
			"`after_deploy` (the default, when unset) runs them once the old version no longer serves, which suits data migrations that backfill or rewrite what the old code still writes; " +
			"`before_deploy` runs them while it still serves, which suits code that only adds (a view, a trigger, seed rows the new code reads). " +
			"A `RunPython.noop` or empty `RunSQL` harms neither version. Mark a migration `safe` to decide one migration alone. Only with `phase`.",
		per: map[object]string{runObject: " A change does not re-run the migration."}}
}

// phaseArgs is a configuration's phase: "" none.
type phaseArgs struct {
	phase ebmigrate.Phase
	opts  ebmigrate.PhaseOptions
}

// readPhase reads phase, code_operations and command (null: the default)
// as the engine takes them; a value unknown here leaves the phase unknown
// (known false).
func readPhase(ctx context.Context, phase, code types.String, command types.List, query bool) (p phaseArgs, known bool, diags diag.Diagnostics) {
	if phase.IsUnknown() || code.IsUnknown() || command.IsUnknown() {
		return p, false, nil
	}
	if phase.IsNull() {
		return p, true, nil
	}
	var argv []string
	if !command.IsNull() {
		diags.Append(command.ElementsAs(ctx, &argv, false)...)
	}
	opts, err := ebmigrate.PhaseCommand(argv, query)
	if err != nil {
		diags.AddAttributeError(path.Root("command"), "Command Not Django's migrate", err.Error())
		return p, true, diags
	}
	opts.CodeOperations = ebmigrate.Phase(code.ValueString())
	return phaseArgs{phase: ebmigrate.Phase(phase.ValueString()), opts: opts}, true, diags
}

// validatePhaseConfig applies the phase's rules that the configuration
// alone decides (validateMigrationConfig calls it).
func validatePhaseConfig(ctx context.Context, config tfsdk.Config, o object) diag.Diagnostics {
	var diags diag.Diagnostics
	var phase, code, version types.String
	var command types.List
	for name, v := range map[string]any{"phase": &phase, "code_operations": &code, "command": &command} {
		if config.GetAttribute(ctx, path.Root(name), v).HasError() {
			return diags
		}
	}
	if phase.IsNull() && known(code) {
		diags.AddAttributeError(path.Root("code_operations"), "Code Operations Without Phase",
			fmt.Sprintf("code_operations = %q says in which phase RunPython and RunSQL operations run, and phase is not set, so every pending migration runs at once. Set phase, or remove code_operations.", code.ValueString()))
	}
	_, _, d := readPhase(ctx, phase, code, command, o == queryObject)
	diags.Append(d...)
	if o == actionObject && known(phase) && phase.ValueString() == string(ebmigrate.BeforeDeploy) {
		var image types.String
		_ = config.GetAttribute(ctx, path.Root("version_label"), &version)
		_ = config.GetAttribute(ctx, path.Root("container").AtName("image"), &image)
		if version.IsNull() && image.IsNull() {
			diags.AddAttributeError(path.Root("version_label"), "Missing Version To Deploy",
				"phase = \"before_deploy\" applies the migrations of the version about to be deployed that are safe before it is; without version_label (or container.image) the action runs the code of the version the environment has deployed, "+
					"whose migrations are applied already. Set version_label to the version being deployed (the environment's version_label).")
		}
	}
	return diags
}

// phaseName is ebmigrate_run's name when none is configured: the phase, so
// that the two halves of a release have their own ids and families, or
// "migrate" without one.
type phaseName struct{}

func (phaseName) Description(context.Context) string {
	return "defaults to the phase, or \"migrate\" without one"
}

func (p phaseName) MarkdownDescription(ctx context.Context) string { return p.Description(ctx) }

func (phaseName) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() {
		return
	}
	var phase types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("phase"), &phase)...)
	switch {
	case phase.IsUnknown():
		resp.PlanValue = types.StringUnknown()
	case phase.IsNull():
		resp.PlanValue = types.StringValue(defaultName)
	default:
		resp.PlanValue = phase
	}
}

// phaseCommandName names what a phase runs, for the plan's warning and the
// action's progress: never the introspection's or the apply's program, but
// the user's command by its first words.
func phaseCommandName(p phaseArgs, command string) string {
	if p.phase == "" {
		return command
	}
	return "the " + string(p.phase) + " phase of " + command
}

// phaseNote says, after the plan's warning, what a phase does.
func phaseNote(ctx context.Context, phase, code types.String, command types.List) string {
	p, known, _ := readPhase(ctx, phase, code, command, false)
	switch {
	case !known && phase.IsUnknown():
		return " Its phase is known after apply."
	case p.phase == ebmigrate.BeforeDeploy:
		return " The before_deploy phase reads the pending migrations of that code with a read-only manage.py shell task, then applies with manage.py migrate " +
			"those that are safe while the old version still serves, and nothing else (nor anything review.pending does not list, when it is set)."
	case p.phase == ebmigrate.AfterDeploy:
		return " The after_deploy phase runs the command, which applies every migration still pending."
	}
	return ""
}
