package ebmigrate

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Running the phases: the introspection as a read-only query, then the
// phase's migrations as a migration, each through Migrate (the guard,
// once-only, output and failure diagnostics as for any migration).

//go:embed phase_apply.py
var applyProgram string

// PhaseApplyCommand applies exactly the given migrations (a before_deploy
// phase, in order): manage.py migrate to each one no other of them depends
// on, after checking in the container that this applies nothing else.
func PhaseApplyCommand(opts PhaseOptions, migrations []PhasedMigration) ([]string, error) {
	names := map[string]bool{}
	needed := map[string]bool{}
	allowed := []string{}
	for _, m := range migrations {
		if !migrationLabel.MatchString(m.Name) {
			return nil, problem("Invalid Migration Name", "%q is not a migration's name (app_label.migration_name).", m.Name)
		}
		names[m.Name] = true
		allowed = append(allowed, m.Name)
		for _, d := range m.Dependencies {
			needed[d] = true
		}
	}
	targets := []string{}
	for _, m := range migrations {
		if !needed[m.Name] {
			targets = append(targets, m.Name)
		}
	}
	// Names are identifiers (checked above): as JSON they are Python literals.
	a, _ := json.Marshal(allowed)
	t, _ := json.Marshal(targets)
	program := strings.Replace(applyProgram, "__EBMIGRATE_ALLOWED__", string(a), 1)
	program = strings.Replace(program, "__EBMIGRATE_TARGETS__", string(t), 1)
	return opts.ShellCommand(program), nil
}

// PhaseRun is what one phase did.
type PhaseRun struct {
	Phase Phase
	// Plan is every pending migration's phase, as the introspection found
	// them when the phase ran (before_deploy only).
	Plan PhasePlan
	// Query is the introspection's task (before_deploy only).
	Query *Result
	// Migrations are what the phase was to apply (before_deploy: the plan's
	// list; after_deploy: nil, it applies whatever is pending).
	Migrations []string
	// Migration is the migration task's result; nil when there was nothing
	// to apply.
	Migration *Result
}

// IntrospectPhases runs the introspection in the app's container as a
// read-only query (in's environment, version, container and network; its
// command replaced) and reads its output.
func IntrospectPhases(ctx context.Context, c Clients, in MigrateInput, opts PhaseOptions, log Logger) (Introspection, *Result, error) {
	q := in
	q.Derive.Command = IntrospectCommand(opts)
	q.Derive.Family = QueryFamily(in.Discover.EnvironmentName)
	// A query, proven whole as the pending migrations' query is (its end
	// line's counts prove it again).
	q.Query, q.CollectOutput, q.ProveOutput = true, true, true
	res, err := Migrate(ctx, c, q, log)
	var me *MigrationError
	if errors.As(err, &me) {
		me.What = "the read-only task that reads the pending migrations for the phases (manage.py shell)"
	}
	if err != nil {
		return Introspection{}, res, err
	}
	if res.Logs.Group == "" {
		return Introspection{}, res, problem("Output Not Readable",
			"The introspection of the pending migrations of environment %q ran but its output cannot be read: the container has no awslogs log configuration with an awslogs-stream-prefix. Give the app container an awslogs configuration.",
			in.Discover.EnvironmentName)
	}
	intro, err := res.Introspection()
	if err != nil && !res.LogsComplete {
		err = fmt.Errorf("%w (%s)", err, res.LogsProblem)
	}
	return intro, res, err
}

// MigratePhase runs one phase of a release. BeforeDeploy introspects the
// pending migrations, classifies them (an unsplittable release is an error
// and nothing runs) and applies the before_deploy ones, if any (none:
// run.Migration is nil). AfterDeploy applies every migration still
// pending: in.Derive.Command when set (the user's migrate command), else
// manage.py migrate --noinput.
func MigratePhase(ctx context.Context, c Clients, in MigrateInput, phase Phase, opts PhaseOptions, log Logger) (*PhaseRun, error) {
	run := &PhaseRun{Phase: phase}
	m := in
	switch phase {
	case AfterDeploy:
		if len(m.Derive.Command) == 0 {
			m.Derive.Command = opts.MigrateCommand()
		}
	case BeforeDeploy:
		intro, q, err := IntrospectPhases(ctx, c, in, opts, log)
		run.Query = q
		var me *MigrationError
		if errors.As(err, &me) && me.Outcome.Kind == NonZeroExit && *me.Outcome.ExitCode != 137 {
			me.Hint = "It reads the migrations of the version to deploy and changes nothing: nothing was migrated, and the deploy has not started. Read its output below (a migration or setting that cannot be loaded), fix the cause, and apply again."
		}
		if err != nil {
			return run, err
		}
		if run.Plan, err = ClassifyPhases(intro, opts); err != nil {
			return run, err
		}
		list := run.Plan.In(BeforeDeploy)
		run.Migrations = run.Plan.Names(BeforeDeploy)
		if err := checkReviewed(in.Discover.EnvironmentName, run.Migrations, opts.Reviewed); err != nil {
			return run, err
		}
		if len(list) == 0 {
			log.Info("no pending migration runs before the deploy", map[string]any{"after_deploy": run.Plan.Names(AfterDeploy)})
			return run, nil
		}
		if m.Derive.Command, err = PhaseApplyCommand(opts, list); err != nil {
			return run, err
		}
		// A command the provider composes: its output can be proven whole.
		m.ProveOutput = true
		log.Info("migrations before the deploy", map[string]any{"before_deploy": run.Migrations, "after_deploy": run.Plan.Names(AfterDeploy)})
	default:
		return run, problem("Invalid Phase", "The phase %q is not one of %s.", phase, strings.Join(PhaseValues, ", "))
	}
	res, err := Migrate(ctx, c, m, log)
	run.Migration = res
	return run, err
}

// checkReviewed fails a before_deploy phase that would apply a migration
// the reviewed plan did not list (reviewed nil: no check).
func checkReviewed(env string, names, reviewed []string) error {
	if reviewed == nil {
		return nil
	}
	var unreviewed []string
	for _, n := range names {
		if !slices.Contains(reviewed, n) {
			unreviewed = append(unreviewed, n)
		}
	}
	if len(unreviewed) == 0 {
		return nil
	}
	return problemAt(ArgReviewPending, "Phase Differs From The Plan",
		"The before_deploy phase of environment %q would apply %s, which the reviewed plan did not list (review.pending: %s): the pending migrations changed since the plan. Nothing was applied. Plan and apply again.",
		env, strings.Join(unreviewed, ", "), noneOr(reviewed))
}

func noneOr(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
