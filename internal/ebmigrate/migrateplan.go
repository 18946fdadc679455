package ebmigrate

import (
	"regexp"
	"strings"
)

// MigratePlanCommand prints the operations of each pending migration, in
// Django's words, without touching the database.
var MigratePlanCommand = []string{"./manage.py", "migrate", "--plan"}

// migrate --plan (Django 3.2 to 5.2, django/core/management/commands/migrate.py)
// writes "Planned operations:", then "  No planned migration operations." or,
// per migration, str(migration) ("app.name") on a line of its own and each
// operation as "    " + describe_operation(): operation.describe(), for RunSQL
// and RunPython followed by " -> " and the SQL (newlines removed) or the
// function's docstring, cut to 40 characters with "…" (Truncator.chars). A
// backwards plan prefixes "Undo " and says " -> IRREVERSIBLE" where there is
// no reverse code.
var (
	migrationHeading = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z0-9_]+)$`)
	// headingLike is an unindented line that has a migration name's shape
	// (one word with a dot inside) without being one (a label that is not
	// an identifier, a name with a hyphen), unlike a warning or a log line
	// ("WARNING: …", "x.py:3: RuntimeWarning: …", a sentence).
	headingLike = regexp.MustCompile(`^[^\s:]+\.[^\s.:]+$`)
	ansiEscape  = regexp.MustCompile(`\x1b\[[0-9;]*m`)
	// Django's describe() texts of the operations that lose data or break the
	// code still running against the database (fields.py, models.py).
	destructiveOps = []*regexp.Regexp{
		regexp.MustCompile(`^Remove field \S+ from \S+$`),
		regexp.MustCompile(`^Delete model \S+$`),
		regexp.MustCompile(`^(Undo )?Rename field \S+ on \S+ to \S+$`),
		regexp.MustCompile(`^(Undo )?Rename model \S+ to \S+$`),
		regexp.MustCompile(`^(Undo )?Rename table for \S+ to \S+$`),
		// Undoing a creation drops what was created.
		regexp.MustCompile(`^Undo Add field \S+ to \S+$`),
		regexp.MustCompile(`^Undo Create (proxy )?model \S+$`),
	}
	// SQL that removes rows, tables or columns, as far as Django's 40
	// characters show it.
	destructiveSQL = regexp.MustCompile(`(?i)\b(DROP|TRUNCATE|DELETE)\b`)
)

// PlannedMigration is one migration of a migrate --plan.
type PlannedMigration struct {
	// Name is app.migration.
	Name string
	// Operations are Django's descriptions of its operations, in order.
	Operations []string
	// Destructive are the operations that drop or rename data.
	Destructive []string
	// Irreversible is true when Django said IRREVERSIBLE for an operation
	// (only a backwards plan says it).
	Irreversible bool
}

// MigratePlan is what migrate --plan says will run.
type MigratePlan struct {
	Migrations []PlannedMigration
}

// Pending are the migrations' names, in the order they will apply.
func (p MigratePlan) Pending() []string {
	names := []string{}
	for _, m := range p.Migrations {
		names = append(names, m.Name)
	}
	return names
}

// Operations maps each migration to its operations' descriptions.
func (p MigratePlan) Operations() map[string][]string {
	ops := map[string][]string{}
	for _, m := range p.Migrations {
		ops[m.Name] = append([]string{}, m.Operations...)
	}
	return ops
}

// Destructive are the migrations with at least one destructive operation.
func (p MigratePlan) Destructive() []string {
	names := []string{}
	for _, m := range p.Migrations {
		if len(m.Destructive) > 0 {
			names = append(names, m.Name)
		}
	}
	return names
}

// Irreversible are the migrations Django called IRREVERSIBLE.
func (p MigratePlan) Irreversible() []string {
	names := []string{}
	for _, m := range p.Migrations {
		if m.Irreversible {
			names = append(names, m.Name)
		}
	}
	return names
}

// IsDestructive tells whether an operation, as migrate --plan describes it,
// drops or renames data: a removed field, a deleted model, a renamed field,
// model or table, or raw SQL whose shown text drops, truncates or deletes.
// Django's text of an altered field does not say its new type, so "Alter
// field" is not judged.
//
// A description may come redacted (operations in state): the marker stands
// for one word, so "Remove field sku from (sensitive value)" is still
// destructive, and one that begins with it (its verb was a value) is
// counted as destructive, since it cannot be told apart.
func IsDestructive(description string) bool {
	if strings.HasPrefix(description, Redacted) || strings.HasPrefix(description, "Undo "+Redacted) {
		return true
	}
	description = strings.ReplaceAll(description, Redacted, "REDACTED")
	if sql, ok := strings.CutPrefix(description, "Raw SQL operation -> "); ok {
		return destructiveSQL.MatchString(sql)
	}
	for _, re := range destructiveOps {
		if re.MatchString(description) {
			return true
		}
	}
	return false
}

// ParseMigratePlan reads the output of migrate --plan. Lines before its
// "Planned operations:" (warnings a project prints while it starts) are passed
// over; output without that line is an error that quotes its first lines.
// It redacts nothing: Result.MigratePlan parses a run's output and redacts
// what it shows.
func ParseMigratePlan(lines []string) (MigratePlan, error) {
	return parseMigratePlan(lines, nil)
}

// parseMigratePlan parses the lines as printed and passes each operation's
// description, and each quoted line, through show (nil: as they are).
// Migration names are not passed through it: app labels and migration names
// are identifiers Django prints from the code, not runtime values, and
// redacting them would hide a migration (DB_NAME=myshop, app myshop).
func parseMigratePlan(lines []string, show func(string) string) (MigratePlan, error) {
	if show == nil {
		show = func(s string) string { return s }
	}
	p := MigratePlan{Migrations: []PlannedMigration{}}
	started := false
	var current *PlannedMigration
	// unnamed is the last line that looked like a migration's name but is
	// not one: operations under it belong to no migration we know of.
	unnamed := ""
	seen := map[string]bool{}
	for _, raw := range lines {
		line := strings.TrimRight(ansiEscape.ReplaceAllString(raw, ""), " \t\r")
		if !started {
			started = strings.TrimSpace(line) == "Planned operations:"
			continue
		}
		if migrationHeading.MatchString(line) {
			// Django lists a migration once; a second heading of the same
			// name would leave two entries that disagree about its
			// operations (and perhaps hide a destructive one).
			if seen[line] {
				return MigratePlan{}, problem("Unrecognized migrate --plan Output",
					"The migration %s is listed twice, which Django's migrate --plan never does, so the pending migrations and their operations cannot be read safely. Check that the command is Django's migrate --plan and that nothing else prints to its output.",
					line)
			}
			seen[line] = true
			p.Migrations = append(p.Migrations, PlannedMigration{Name: line, Operations: []string{}})
			current = &p.Migrations[len(p.Migrations)-1]
			unnamed = ""
			continue
		}
		if headingLike.MatchString(line) {
			// Never pin its operations on the migration before it.
			current, unnamed = nil, line
			continue
		}
		// An operation is indented by four spaces under its migration; other
		// lines (a warning on stderr in the same log stream) are not part of it.
		op, ok := strings.CutPrefix(line, "    ")
		if !ok || strings.TrimSpace(op) == "" {
			continue
		}
		if current == nil {
			if unnamed == "" {
				continue
			}
			// Failing is safer than a plan that misses a migration (and
			// perhaps a destructive operation under review.destructive_changes).
			return MigratePlan{}, problem("Unrecognized migrate --plan Output",
				"Operations follow the line %q, which is not a migration's name (app_label.migration_name), so the pending migrations and their operations cannot be read safely. Check that the command is Django's migrate --plan and that nothing else prints to its output.",
				show(unnamed))
		}
		op = strings.TrimSpace(op)
		shown := show(op)
		current.Operations = append(current.Operations, shown)
		// Judged as printed: a redacted value would hide "Delete model X".
		if IsDestructive(op) {
			current.Destructive = append(current.Destructive, shown)
		}
		if strings.HasSuffix(op, " -> IRREVERSIBLE") {
			current.Irreversible = true
		}
	}
	if !started {
		return MigratePlan{}, problem("Unrecognized migrate --plan Output",
			"The output has no line \"Planned operations:\", so the pending migrations cannot be read. Check that the command is Django's migrate --plan (Django 2.2 or later). Its first lines were:\n%s",
			quoteFirst(lines, 10, show))
	}
	return p, nil
}
