package ebmigrate

// A query's output is parsed as printed and redacted where it is shown: the
// environment's values are runtime values, while the app labels and
// migration names Django prints are identifiers from the code. Redacting
// before parsing would hide a migration whose app label equals a value
// (DB_NAME=myshop, app myshop) and its destructive operations with it.

// Redact replaces the run's environment values in a line that is shown or
// stored.
func (r *Result) Redact(s string) string { return r.redact.line(s) }

// MigratePlan parses RawOutput as migrate --plan output: names as printed,
// operation descriptions and quoted lines redacted.
func (r *Result) MigratePlan() (MigratePlan, error) {
	return parseMigratePlan(r.RawOutput, r.Redact)
}

// ShowMigrationsPlan parses RawOutput as showmigrations --plan output; the
// lines an error quotes are redacted.
func (r *Result) ShowMigrationsPlan() (MigrationPlan, error) {
	return parseShowMigrationsPlan(r.RawOutput, r.Redact)
}
