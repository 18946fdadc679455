package ebmigrate_test

import (
	"errors"
	"math/rand"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// rule is what the phases must say of one migration of the rules project.
type rule struct {
	name   string
	phase  ebmigrate.Phase
	safety ebmigrate.Safety
	why    string // in Why
	hazard string // in a hazard; "" when it has none
}

const (
	before = ebmigrate.BeforeDeploy
	after  = ebmigrate.AfterDeploy
)

// Each rule, on real migrations (testdata/phases/rules/rules/migrations,
// one operation each unless said), read by the real introspection from
// Debian's Django 3.2.
var rules = []rule{
	{"0002_create_model", before, ebmigrate.SafeBeforeDeploy, "creates table rules_tag", ""},
	{"0003_create_unmanaged", before, ebmigrate.SafeAlways, "changes nothing in this database", ""},
	{"0004_add_nullable", before, ebmigrate.SafeBeforeDeploy, "column note is nullable", ""},
	{"0005_add_not_null_default", after, ebmigrate.SafeAfterDeploy, "NOT NULL without a database default (its default is Python-side", "no phase is safe"},
	{"0006_add_m2m", before, ebmigrate.SafeBeforeDeploy, "many-to-many table of categories", ""},
	{"0007_remove_nullable", after, ebmigrate.SafeAfterDeploy, "drops column drop_nullable", ""},
	{"0008_remove_required", after, ebmigrate.SafeAfterDeploy, "drops column drop_required", "the new code's inserts (which do not set it) fail"},
	{"0009_rename_field", after, ebmigrate.SafeAfterDeploy, "renames column rename_me to renamed", "queries column renamed"},
	{"0010_alter_to_required", after, ebmigrate.SafeAfterDeploy, "makes to_required NOT NULL", ""},
	{"0011_alter_to_optional", before, ebmigrate.SafeBeforeDeploy, "makes to_optional nullable", ""},
	{"0012_alter_widen", before, ebmigrate.SafeBeforeDeploy, "widens varchar(20) to varchar(50)", ""},
	{"0013_alter_narrow", after, ebmigrate.SafeAfterDeploy, "from varchar(50) to varchar(20)", ""},
	{"0014_alter_type", after, ebmigrate.SafeAfterDeploy, "from varchar(20) to integer", ""},
	{"0015_alter_unique", after, ebmigrate.SafeAfterDeploy, "adds a unique constraint", ""},
	{"0016_alter_help_text", before, ebmigrate.SafeAlways, "the database does not change", ""},
	{"0017_alter_index", before, ebmigrate.SafeAlways, "an index", ""},
	{"0018_rename_keeps_column", before, ebmigrate.SafeAlways, "keeps its name fixed_col", ""},
	{"0019_delete_model", after, ebmigrate.SafeAfterDeploy, "drops table rules_doomed", ""},
	{"0020_rename_model", after, ebmigrate.SafeAfterDeploy, "renames table rules_oldname to rules_newname", "queries table rules_newname"},
	{"0021_alter_model_table", after, ebmigrate.SafeAfterDeploy, "renames table rules_tabled to rules_tabled_v2", "queries table rules_tabled_v2"},
	{"0022_alter_model_options", before, ebmigrate.SafeAlways, "changes nothing", ""},
	{"0023_unique_together_added", after, ebmigrate.SafeAfterDeploy, "adds a unique constraint", ""},
	{"0024_unique_together_removed", before, ebmigrate.SafeBeforeDeploy, "drops a unique constraint", ""},
	{"0025_add_constraint", after, ebmigrate.SafeAfterDeploy, "CheckConstraint may reject rows the old code writes", ""},
	{"0026_remove_constraint", before, ebmigrate.SafeBeforeDeploy, "drops CheckConstraint constrained_n_gte_0", ""},
	{"0027_add_index", before, ebmigrate.SafeAlways, "an index rejects no query", ""},
	{"0028_remove_index", before, ebmigrate.SafeAlways, "an index rejects no query", ""},
	{"0029_run_python", after, ebmigrate.SafeAfterDeploy, "RunPython rules.migrations.0029_run_python.backfill: what its code does is not declared", ""},
	{"0030_run_python_noop", before, ebmigrate.SafeAlways, "does nothing (RunPython.noop)", ""},
	{"0031_run_sql", after, ebmigrate.SafeAfterDeploy, `RunSQL "UPDATE rules_product SET name = name"`, ""},
	{"0032_run_sql_noop", before, ebmigrate.SafeAlways, "does nothing (RunSQL.noop)", ""},
	{"0033_state_only_removal", before, ebmigrate.SafeAlways, "project state only", ""},
	{"0034_separate_add_nullable", before, ebmigrate.SafeBeforeDeploy, "database operation AddField extra to rules.product: column extra is nullable", ""},
	{"0035_custom_operation", after, ebmigrate.SafeAfterDeploy, "Touch is not an operation the rules know", ""},
	// AddField nullable and RemoveField in one migration.
	{"0036_mixed", after, ebmigrate.SafeAfterDeploy, "drops column mixed_old, which the old code reads (and 1 more operation)", "mixes operations the new code needs before the deploy (AddField mixed_new to rules.product)"},
	{"0037_empty", before, ebmigrate.SafeAlways, "no operations", ""},
	// AddField NOT NULL on the table 0002 creates.
	{"0038_add_to_new_table", before, ebmigrate.SafeBeforeDeploy, "table rules.tag is new in this release (rules.0002_create_model creates it)", ""},
	// No operations, depends on every other one.
	{"0039_merge", after, ebmigrate.SafeAlways, "it depends on rules.0005_add_not_null_default, which runs after the deploy", ""},
}

// TestPhaseRules runs the introspection on the rules project (its 0001
// applied) and checks each rule, each safe marker spelling, the
// unsplittable release and the before_deploy apply program.
func TestPhaseRules(t *testing.T) {
	requireDjango(t)
	t.Parallel()
	project := testdataDir("phases/rules")
	db := filepath.Join(t.TempDir(), "db.sqlite3")
	env := djangoEnv(db)
	manage(t, project, env, []string{"./manage.py", "shell", "-v", "0", "-c",
		"from django.core.management import call_command; call_command('migrate', 'rules', '0001_initial', verbosity=0); call_command('migrate', 'tangle', '0001_initial', verbosity=0)"})
	lines := manage(t, project, env, ebmigrate.IntrospectCommand(ebmigrate.PhaseOptions{}))
	intro, err := ebmigrate.ParseIntrospection(lines)
	if err != nil {
		t.Fatal(err)
	}
	if intro.Django != "3.2.25" && !strings.HasPrefix(intro.Django, "3.2") {
		t.Errorf("introspected Django %s, want Debian's 3.2", intro.Django)
	}

	t.Run("operations", func(t *testing.T) {
		plan, err := ebmigrate.ClassifyPhases(only(intro, "rules"), ebmigrate.PhaseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkRules(t, plan, "rules.", rules)
		// The before_deploy list is closed under its dependencies and in plan order.
		names := plan.Names(before)
		if i, j := slices.Index(names, "rules.0002_create_model"), slices.Index(names, "rules.0038_add_to_new_table"); i < 0 || j < i {
			t.Errorf("before_deploy %v: 0038 (on 0002's table) must come after 0002", names)
		}
		if got := plan.Names(after); got[len(got)-1] != "rules.0039_merge" {
			t.Errorf("after_deploy %v does not end with the merge", got)
		}
		// Each operation in migrate --plan's own words, as that prints them.
		djangoPlan, err := ebmigrate.ParseMigratePlan(manage(t, project, env, []string{"./manage.py", "migrate", "--plan"}))
		if err != nil {
			t.Fatal(err)
		}
		said, compared := plan.Operations(), 0
		for name, ops := range djangoPlan.Operations() {
			if !strings.HasPrefix(name, "rules.") {
				continue
			}
			compared++
			if !slices.Equal(said[name], ops) {
				t.Errorf("%s: described as %q, migrate --plan says %q", name, said[name], ops)
			}
		}
		if compared != len(plan.Migrations) {
			t.Errorf("migrate --plan lists %d of the %d pending rules migrations", compared, len(plan.Migrations))
		}
		if d := plan.Destructive(after); !slices.Contains(d, "rules.0007_remove_nullable") || slices.Contains(d, "rules.0004_add_nullable") {
			t.Errorf("destructive after_deploy migrations: %v", d)
		}
		// The configured default moves RunPython and RunSQL.
		code, err := ebmigrate.ClassifyPhases(only(intro, "rules"), ebmigrate.PhaseOptions{CodeOperations: before})
		if err != nil {
			t.Fatal(err)
		}
		checkRules(t, code, "rules.", []rule{
			{"0029_run_python", before, ebmigrate.SafeBeforeDeploy, "configured default (before_deploy)", ""},
			{"0031_run_sql", before, ebmigrate.SafeBeforeDeploy, "configured default (before_deploy)", ""},
		})
	})

	t.Run("lines in any order", func(t *testing.T) {
		shuffled := slices.Clone(lines)
		rand.New(rand.NewSource(1)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		again, err := ebmigrate.ParseIntrospection(append(shuffled, "a warning the project printed"))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(again, intro) {
			t.Error("the shuffled output parses to another introspection")
		}
		for _, drop := range []int{0, len(lines) / 2, len(lines) - 1} {
			short := slices.Delete(slices.Clone(lines), drop, drop+1)
			if _, err := ebmigrate.ParseIntrospection(short); err == nil {
				t.Errorf("output without its line %d (%.60s) parsed", drop, lines[drop])
			}
		}
	})

	t.Run("unsplittable", func(t *testing.T) {
		_, err := ebmigrate.ClassifyPhases(only(intro, "tangle"), ebmigrate.PhaseOptions{})
		var pe *ebmigrate.ProblemError
		if !errors.As(err, &pe) || pe.Summary != "Release Cannot Be Split Into Phases" ||
			!strings.Contains(pe.Detail, "tangle.0003_item_new_col must run before the deploy") ||
			!strings.Contains(pe.Detail, "depends on tangle.0002_remove_item_old_col, which runs after it") {
			t.Fatalf("got %v", err)
		}
	})

	t.Run("markers True and False", func(t *testing.T) {
		plan, err := ebmigrate.ClassifyPhases(only(intro, "marked_bool"), ebmigrate.PhaseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkRules(t, plan, "marked_bool.", []rule{
			{"0001_initial", before, ebmigrate.SafeBeforeDeploy, "creates table", ""},
			{"0003_before", before, ebmigrate.SafeBeforeDeploy, "marked safe = True", ""},
			{"0004_after", after, ebmigrate.SafeAfterDeploy, "marked safe = False", ""},
		})
	})

	t.Run("invalid marker", func(t *testing.T) {
		_, err := ebmigrate.ClassifyPhases(only(intro, "marked_invalid"), ebmigrate.PhaseOptions{})
		var pe *ebmigrate.ProblemError
		if !errors.As(err, &pe) || pe.Summary != "Invalid safe Marker" || !strings.Contains(pe.Detail, "marked_invalid.0001_initial has safe = <builtins.str>") {
			t.Fatalf("got %v", err)
		}
	})

	// The before_deploy program applies what it is given and nothing else.
	t.Run("apply", func(t *testing.T) {
		cmd, err := ebmigrate.PhaseApplyCommand(ebmigrate.PhaseOptions{}, []ebmigrate.PhasedMigration{{Name: "tangle.0003_item_new_col", Dependencies: []string{}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, code, stderr := manageCode(t, project, env, cmd); code != 3 || !strings.Contains(stderr, "would also apply tangle.0002_remove_item_old_col, which the plan did not put in it; nothing was applied") {
			t.Errorf("applying a migration whose dependency is not in the phase: exit %d, %s", code, stderr)
		}
		plan, err := ebmigrate.ClassifyPhases(only(intro, "rules"), ebmigrate.PhaseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var two []ebmigrate.PhasedMigration
		for _, m := range plan.In(before) {
			if m.Name == "rules.0002_create_model" || m.Name == "rules.0038_add_to_new_table" {
				two = append(two, m)
			}
		}
		if cmd, err = ebmigrate.PhaseApplyCommand(ebmigrate.PhaseOptions{}, two); err != nil {
			t.Fatal(err)
		}
		out := strings.Join(manage(t, project, env, cmd), "\n")
		if !strings.Contains(out, "Applying rules.0002_create_model... OK") || !strings.Contains(out, "Applying rules.0038_add_to_new_table... OK") || strings.Count(out, "Applying") != 2 {
			t.Errorf("applying 0002 and 0038 printed:\n%s", out)
		}
		if out := strings.Join(manage(t, project, env, cmd), "\n"); !strings.Contains(out, "none left") || strings.Contains(out, "Applying") {
			t.Errorf("applying them again printed:\n%s", out)
		}
	})

	markers := func(spelling string, extra ...rule) []rule {
		return append([]rule{
			{"0001_initial", before, ebmigrate.SafeBeforeDeploy, "creates table", ""},
			{"0002_always", before, ebmigrate.SafeAlways, "marked safe = Safe.always" + spelling, ""},
			{"0003_before", before, ebmigrate.SafeBeforeDeploy, "marked safe = Safe.before_deploy" + spelling, ""},
			{"0004_after", after, ebmigrate.SafeAfterDeploy, "marked safe = Safe.after_deploy" + spelling, ""},
			{"0005_always_delayed", after, ebmigrate.SafeAlways, "depends on", ""},
		}, extra...)
	}
	for _, tc := range []struct {
		app, shim, spelling string
		extra               []rule
	}{
		{"marked_enum", "safemigrate4", "", nil},
		{"marked_dataclass", "safemigrate5", "()", []rule{
			{"0003_before_uncalled", before, ebmigrate.SafeBeforeDeploy, "marked safe = Safe.before_deploy (", ""},
			{"0006_after_delayed", after, ebmigrate.SafeAfterDeploy, "marked safe = Safe.after_deploy()", "wait 24h0m0s"},
		}},
	} {
		t.Run("markers of "+tc.shim, func(t *testing.T) {
			t.Parallel()
			env := djangoEnv(filepath.Join(t.TempDir(), "db.sqlite3"), "PHASE_APPS="+tc.app, "PYTHONPATH="+filepath.Join(project, "shims", tc.shim))
			in, err := ebmigrate.ParseIntrospection(manage(t, project, env, ebmigrate.IntrospectCommand(ebmigrate.PhaseOptions{})))
			if err != nil {
				t.Fatal(err)
			}
			plan, err := ebmigrate.ClassifyPhases(in, ebmigrate.PhaseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			rs := markers(tc.spelling, tc.extra...)
			rs[4].why = "it depends on " + tc.app + ".0004_after, which runs after the deploy"
			checkRules(t, plan, tc.app+".", rs)
			for _, m := range plan.Migrations {
				if m.Marked && m.Operations != nil {
					t.Errorf("%s is marked but the rules judged it: %v", m.Name, m.Operations)
				}
			}
		})
	}
}

// only keeps the migrations of some apps.
func only(in ebmigrate.Introspection, apps ...string) ebmigrate.Introspection {
	out := in
	out.Migrations = nil
	for _, m := range in.Migrations {
		if slices.Contains(apps, m.App) {
			out.Migrations = append(out.Migrations, m)
		}
	}
	return out
}

func checkRules(t *testing.T, plan ebmigrate.PhasePlan, prefix string, want []rule) {
	t.Helper()
	got := map[string]ebmigrate.PhasedMigration{}
	for _, m := range plan.Migrations {
		got[m.Name] = m
	}
	for _, r := range want {
		m, ok := got[prefix+r.name]
		if !ok {
			t.Errorf("%s%s is not in the plan", prefix, r.name)
			continue
		}
		if m.Phase != r.phase || m.Safety != r.safety || !strings.Contains(m.Why, r.why) {
			t.Errorf("%s: %s/%s %q; want %s/%s with %q", m.Name, m.Phase, m.Safety, m.Why, r.phase, r.safety, r.why)
		}
		hazards := strings.Join(m.Hazards, "\n")
		if (r.hazard == "") != (hazards == "") || !strings.Contains(hazards, r.hazard) {
			t.Errorf("%s: hazards %q; want one with %q", m.Name, hazards, r.hazard)
		}
	}
}
