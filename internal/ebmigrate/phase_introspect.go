package ebmigrate

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// The pending migrations as the migrations themselves say (phase_introspect.py),
// for the phases: migrate --plan's one-line descriptions do not say whether an
// added column is nullable or has a database default, nor what an AlterField
// changes.

//go:embed phase_introspect.py
var introspectProgram string

// IntrospectPrefix starts each line of the introspection's output.
const IntrospectPrefix = "ebmigrate.phases.v1 "

// DefaultManagePy runs Django's manage.py in the app container.
var DefaultManagePy = []string{"./manage.py"}

// IntrospectCommand is the read-only command that prints the pending
// migrations and their operations' facts: manage.py shell -c with the
// program (PhaseOptions.ShellCommand).
func IntrospectCommand(opts PhaseOptions) []string {
	return opts.ShellCommand(introspectProgram)
}

// Introspection is what the introspection printed: the pending migrations in
// the order migrate applies them.
type Introspection struct {
	Django string `json:"django"`
	Vendor string `json:"vendor"`
	// Safemigrate is django-safemigrate's version, "" when it is not installed.
	Safemigrate string `json:"safemigrate"`
	Migrations  []IntrospectedMigration
}

// IntrospectedMigration is one pending migration.
type IntrospectedMigration struct {
	App  string `json:"app"`
	Name string `json:"name"`
	// Dependencies are the pending migrations it depends on (app.name),
	// run_before included, as Django's migration graph has them.
	Dependencies []string `json:"deps"`
	Atomic       bool     `json:"atomic"`
	// Marker is its django-safemigrate safe attribute; nil when it has none.
	Marker     *SafeMarker      `json:"safe"`
	Operations []OperationFacts `json:"-"`

	Seq   int `json:"seq"`
	NumOp int `json:"ops"`
}

// Label is app.name.
func (m IntrospectedMigration) Label() string { return m.App + "." + m.Name }

// SafeMarker is a migration's safe attribute.
type SafeMarker struct {
	// Value is before_deploy, after_deploy or always.
	Value string `json:"value"`
	// Spelling is how the migration wrote it ("Safe.before_deploy()", "True").
	Spelling string `json:"spelling"`
	// DelaySeconds is django-safemigrate 5's after_deploy delay.
	DelaySeconds *float64 `json:"delay_s"`
	// Invalid is the type of a safe attribute django-safemigrate does not
	// accept; Value is then empty.
	Invalid string `json:"invalid"`
}

// OperationFacts is what the rules need of one operation, as its migration's
// project state before and after it has them.
type OperationFacts struct {
	// Class is the operation's class, Module its module; Lineage the classes
	// of Django's operations modules it is or inherits from, nearest first.
	Class   string   `json:"op"`
	Module  string   `json:"module"`
	Lineage []string `json:"mro"`
	Model   string   `json:"model"`
	Field   string   `json:"field"`
	// DB is whether it touches this database (a managed, routed model); nil
	// for operations that are not about a model.
	DB *bool `json:"db"`
	// Old and New are the field before and after (AddField: New only;
	// RemoveField: Old only; AlterField: both).
	Old *FieldFacts `json:"old"`
	New *FieldFacts `json:"new"`
	// DBChange is whether Django's schema editor would alter the column
	// (AlterField; nil where the Django version cannot say).
	DBChange  *bool  `json:"db_change"`
	Table     string `json:"table"`
	OldTable  string `json:"old_table"`
	NewTable  string `json:"new_table"`
	NewModel  string `json:"new_model"`
	NewField  string `json:"new_field"`
	OldColumn string `json:"old_column"`
	NewColumn string `json:"new_column"`
	// Added and Removed count unique_together / index_together sets.
	Added    int    `json:"added"`
	Removed  int    `json:"removed"`
	OldOrder bool   `json:"old_order"`
	NewOrder bool   `json:"new_order"`
	Index    string `json:"index"`
	// Constraint is a constraint's name, ConstraintKind its class.
	Constraint     string `json:"constraint"`
	ConstraintKind string `json:"constraint_kind"`
	// SQL is RunSQL's SQL, cut short and redacted; Code is RunPython's
	// function (module.name); Noop is RunSQL.noop or RunPython.noop.
	SQL  string `json:"sql"`
	Code string `json:"code"`
	Noop bool   `json:"noop"`
	// Database are SeparateDatabaseAndState's database operations.
	Database      []OperationFacts `json:"-"`
	DatabaseCount *int             `json:"database"`
	// Describe is how migrate --plan describes it (Django's own
	// describe_operation; top-level operations only), redacted.
	Describe string `json:"describe"`
	// Truncated is true when the facts did not fit a line; Error says why
	// they could not be read (redacted). Either leaves the operation unknown.
	Truncated bool   `json:"truncated"`
	Error     string `json:"error"`
}

// FieldFacts is a column as the schema editor sees it.
type FieldFacts struct {
	Column string `json:"column"`
	// Type is the column's database type (db_parameters), nil for a
	// many-to-many field (a table, not a column).
	Type   *string `json:"type"`
	Null   bool    `json:"null"`
	M2M    bool    `json:"m2m"`
	PK     bool    `json:"pk"`
	Unique bool    `json:"unique"`
	Index  bool    `json:"index"`
	// Default is a Python-side default (Django never sets it in the
	// database); DBDefault is Django 5's db_default.
	Default   bool   `json:"default"`
	DBDefault bool   `json:"db_default"`
	Generated bool   `json:"generated"`
	Check     string `json:"check"`
	Collation string `json:"collation"`
	// Comment is a checksum of db_comment (Django 4.2+).
	Comment      *int64 `json:"comment"`
	FK           string `json:"fk"`
	DBConstraint *bool  `json:"db_constraint"`
}

var migrationLabel = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z0-9_]+$`)

// ParseIntrospection reads the introspection's output, lines in any order
// (CloudWatch Logs promises none across batches). Other lines are passed
// over. Its end line's counts prove that no line is missing: output without
// it, or with fewer migrations or operations than it counts, is an error.
func ParseIntrospection(lines []string) (Introspection, error) {
	return parseIntrospection(lines, nil)
}

// introspectionRecord is every kind of line, keyed by "t".
type introspectionRecord struct {
	T string `json:"t"`
	IntrospectedMigration
	OperationFacts
	M    string `json:"m"`
	Path []int  `json:"path"`
	// Migrations is the end line's count; its operations' count is NumOp.
	Migrations int    `json:"migrations"`
	Django     string `json:"django"`
	Vendor     string `json:"vendor"`
	Safemig    string `json:"safemigrate"`
}

func parseIntrospection(lines []string, show func(string) string) (Introspection, error) {
	if show == nil {
		show = func(s string) string { return s }
	}
	unreadable := func(format string, args ...any) (Introspection, error) {
		return Introspection{}, problem("Unrecognized Migration Introspection Output",
			"%s. Check that the command is the provider's introspection (manage.py shell -c) and that nothing else prints lines starting with %q.", fmt.Sprintf(format, args...), strings.TrimSpace(IntrospectPrefix))
	}
	var in Introspection
	var started, ended bool
	var end introspectionRecord
	migrations := map[string]*IntrospectedMigration{}
	var ops []introspectionRecord
	for _, raw := range lines {
		i := strings.Index(raw, IntrospectPrefix)
		if i < 0 {
			continue
		}
		var r introspectionRecord
		dec := json.NewDecoder(strings.NewReader(raw[i+len(IntrospectPrefix):]))
		if err := dec.Decode(&r); err != nil {
			return unreadable("A line cannot be read (%v)", err)
		}
		switch r.T {
		case "start":
			started = true
			in.Django, in.Vendor, in.Safemigrate = r.Django, r.Vendor, r.Safemig
		case "migration":
			m := r.IntrospectedMigration
			if !migrationLabel.MatchString(m.Label()) {
				return unreadable("%q is not a migration's name (app_label.migration_name)", show(m.Label()))
			}
			if migrations[m.Label()] != nil {
				return unreadable("The migration %s is listed twice", m.Label())
			}
			m.Operations = []OperationFacts{}
			if m.Dependencies == nil {
				m.Dependencies = []string{}
			}
			migrations[m.Label()] = &m
		case "op":
			ops = append(ops, r)
		case "end":
			ended, end = true, r
		default:
			return unreadable("A line has the unknown kind %q", r.T)
		}
	}
	if !started || !ended {
		return unreadable("The output has no %s line, so it is not whole: the list of pending migrations could miss some", map[bool]string{true: "end", false: "start"}[started])
	}
	// Operations nested in a SeparateDatabaseAndState come after it in path order.
	sort.SliceStable(ops, func(i, j int) bool { return slices.Compare(ops[i].Path, ops[j].Path) < 0 })
	for _, r := range ops {
		m := migrations[r.M]
		if m == nil || len(r.Path) == 0 {
			return unreadable("An operation belongs to %q, which is not a listed migration", show(r.M))
		}
		op := r.OperationFacts
		op.SQL, op.Error, op.Describe = show(op.SQL), show(op.Error), show(op.Describe)
		if err := attach(&m.Operations, op, r.Path); err != nil {
			return unreadable("Operation %v of %s: %v", r.Path, m.Label(), err)
		}
	}
	if len(migrations) != end.Migrations || len(ops) != end.NumOp {
		return unreadable("The output counts %d migrations and %d operations but has %d and %d: lines are missing", end.Migrations, end.NumOp, len(migrations), len(ops))
	}
	in.Migrations = make([]IntrospectedMigration, 0, len(migrations))
	for _, m := range migrations {
		if len(m.Operations) != m.NumOp || !wholeDatabaseOps(m.Operations) {
			return unreadable("Migration %s has operations that were not listed", m.Label())
		}
		in.Migrations = append(in.Migrations, *m)
	}
	sort.Slice(in.Migrations, func(i, j int) bool { return in.Migrations[i].Seq < in.Migrations[j].Seq })
	seen := map[string]bool{}
	for i, m := range in.Migrations {
		if m.Seq != i {
			return unreadable("The migrations are numbered with a gap at %d", i)
		}
		for _, d := range m.Dependencies {
			if !seen[d] {
				return unreadable("Migration %s depends on %s, which is not a pending migration listed before it", m.Label(), show(d))
			}
		}
		seen[m.Label()] = true
	}
	return in, nil
}

// wholeDatabaseOps tells whether every SeparateDatabaseAndState has all
// its database operations.
func wholeDatabaseOps(ops []OperationFacts) bool {
	for _, op := range ops {
		if op.DatabaseCount != nil && len(op.Database) != *op.DatabaseCount {
			return false
		}
		if !wholeDatabaseOps(op.Database) {
			return false
		}
	}
	return true
}

// attach puts op at path among ops: [i] is a migration's i-th operation,
// [i, j] the j-th database operation of its i-th (SeparateDatabaseAndState).
func attach(ops *[]OperationFacts, op OperationFacts, path []int) error {
	if len(path) == 1 {
		if path[0] != len(*ops) {
			return fmt.Errorf("out of order (expected index %d)", len(*ops))
		}
		*ops = append(*ops, op)
		return nil
	}
	if path[0] < 0 || path[0] >= len(*ops) {
		return fmt.Errorf("its parent is missing")
	}
	parent := &(*ops)[path[0]]
	if parent.Database == nil {
		parent.Database = []OperationFacts{}
	}
	return attach(&parent.Database, op, path[1:])
}

// Introspection parses RawOutput as the introspection's output: names as
// printed, SQL and error texts redacted.
func (r *Result) Introspection() (Introspection, error) {
	return parseIntrospection(r.RawOutput, r.Redact)
}
