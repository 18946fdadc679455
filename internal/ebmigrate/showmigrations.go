package ebmigrate

import (
	"fmt"
	"regexp"
	"strings"
)

// ShowMigrationsCommand lists Django's migrations in the order they apply.
var ShowMigrationsCommand = []string{"./manage.py", "showmigrations", "--plan"}

// showmigrations --plan prints "[X]  app.0001_initial" for an applied
// migration and "[ ]  app.0002_more" for a pending one; with -v 2 each line
// ends with " ... (app.0001_initial, other.0003_x)", its dependencies.
var planLine = regexp.MustCompile(`^\[( |X)\]\s+([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z0-9_]+)(\s+\.\.\.\s+\(.*\))?$`)

// MigrationPlan is what showmigrations --plan says.
type MigrationPlan struct {
	// Pending are the migrations not applied yet, as app.name, in the order
	// they will apply.
	Pending []string
	Applied int
}

// ParseShowMigrationsPlan reads the output of showmigrations --plan. Other
// lines (warnings a project prints while it starts) are passed over, but
// output with no plan line at all is an error that quotes its first lines.
func ParseShowMigrationsPlan(lines []string) (MigrationPlan, error) {
	return parseShowMigrationsPlan(lines, nil)
}

// parseShowMigrationsPlan parses the lines as printed; show redacts the
// lines an error quotes. Names are kept as parsed (see parseMigratePlan).
func parseShowMigrationsPlan(lines []string, show func(string) string) (MigrationPlan, error) {
	var p MigrationPlan
	found := false
	for _, raw := range lines {
		line := strings.TrimSpace(raw)
		if line == "(no migrations)" {
			found = true
			continue
		}
		m := planLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		found = true
		if m[1] == "X" {
			p.Applied++
		} else {
			p.Pending = append(p.Pending, m[2]+"."+m[3])
		}
	}
	if !found {
		return MigrationPlan{}, problem("Unrecognized showmigrations Output",
			"The output has no line like \"[X]  app.0001_initial\" or \"[ ]  app.0002_change\", so the pending migrations cannot be read. Check that the command is Django's showmigrations --plan. Its first lines were:\n%s",
			quoteFirst(lines, 10, show))
	}
	return p, nil
}

// quoteFirst quotes the first n lines, each through show (nil: as is).
func quoteFirst(lines []string, n int, show func(string) string) string {
	if show == nil {
		show = func(s string) string { return s }
	}
	if len(lines) == 0 {
		return "  (no output)"
	}
	var b strings.Builder
	for i, l := range lines {
		if i == n {
			fmt.Fprintf(&b, "  … (%d more lines)\n", len(lines)-n)
			break
		}
		fmt.Fprintf(&b, "  %s\n", show(l))
	}
	return strings.TrimRight(b.String(), "\n")
}
