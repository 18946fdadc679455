package ebmigrate

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func readPlanFile(t testing.TB, name string) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "migrateplan", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
}

// The django32_* files are what Debian's Django 3.2 printed for a project
// with these migrations; django52_pending.txt follows the format of Django
// 5.2's migrate.py (describe_operation) with its newer describe() texts.
func TestParseMigratePlan(t *testing.T) {
	for _, tc := range []struct {
		file         string
		pending      []string
		destructive  []string
		irreversible []string
		ops          map[string][]string // a selection
		destroys     map[string][]string
	}{
		{
			file:        "django32_pending.txt",
			pending:     []string{"shop.0002_changes", "shop.0003_irrev"},
			destructive: []string{"shop.0002_changes"},
			ops: map[string][]string{"shop.0003_irrev": {
				"Add field paid to purchase",
				"Raw Python operation -> Fill the totals.",
				"Raw SQL operation -> UPDATE shop_purchase SET paid = 1",
				"Raw SQL operation -> UPDATE shop_purchase SET paid = 1",
			}},
			destroys: map[string][]string{"shop.0002_changes": {
				"Remove field sku from product",
				"Delete model Coupon",
				"Rename field name on product to title",
				"Rename model Order to Purchase",
				"Raw SQL operation -> DROP TABLE IF EXISTS legacy_audit;",
				"Raw SQL operation -> ['DELETE FROM shop_product WHERE pr…",
				"Raw SQL operation -> DELETE FROM shop_purchase",
			}},
		},
		{
			file:        "django32_truncate.txt",
			pending:     []string{"shop.0002_changes"},
			destructive: []string{"shop.0002_changes"},
		},
		{
			file:        "django32_fresh.txt",
			pending:     []string{"shop.0001_initial", "shop.0002_changes", "shop.0003_irrev"},
			destructive: []string{"shop.0002_changes"},
			ops:         map[string][]string{"shop.0001_initial": {"Create model Product", "Create model Coupon", "Create model Order"}},
		},
		{file: "django32_none.txt", pending: []string{}, destructive: []string{}},
		{
			file:         "django32_backwards.txt",
			pending:      []string{"shop.0003_irrev", "shop.0002_changes"},
			destructive:  []string{"shop.0003_irrev", "shop.0002_changes"},
			irreversible: []string{"shop.0003_irrev", "shop.0002_changes"},
			destroys:     map[string][]string{"shop.0003_irrev": {"Undo Add field paid to purchase"}},
		},
		{
			file:        "django52_pending.txt",
			pending:     []string{"shop.0004_product_sku_cleanup", "billing.0007_delete_coupon"},
			destructive: []string{"shop.0004_product_sku_cleanup", "billing.0007_delete_coupon"},
			destroys: map[string][]string{
				"shop.0004_product_sku_cleanup": {"Remove field sku from product", "Raw SQL operation -> ALTER TABLE shop_product DROP COLUMN lega…"},
				"billing.0007_delete_coupon":    {"Delete model Coupon"},
			},
			ops: map[string][]string{"billing.0007_delete_coupon": {
				"Delete model Coupon", "Raw Python operation -> Move coupons to the new discount table.", "Raw Python operation", "Create model Discount", "Add field discount to order",
			}},
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			p, err := ParseMigratePlan(readPlanFile(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Pending(); !reflect.DeepEqual(got, tc.pending) {
				t.Errorf("pending %q, want %q", got, tc.pending)
			}
			if got := p.Destructive(); !reflect.DeepEqual(got, tc.destructive) {
				t.Errorf("destructive %q, want %q", got, tc.destructive)
			}
			if got := p.Irreversible(); len(got)+len(tc.irreversible) > 0 && !reflect.DeepEqual(got, tc.irreversible) {
				t.Errorf("irreversible %q, want %q", got, tc.irreversible)
			}
			ops := p.Operations()
			for name, want := range tc.ops {
				if !reflect.DeepEqual(ops[name], want) {
					t.Errorf("operations of %s: %q, want %q", name, ops[name], want)
				}
			}
			for _, m := range p.Migrations {
				if want, ok := tc.destroys[m.Name]; ok && !reflect.DeepEqual(m.Destructive, want) {
					t.Errorf("destructive operations of %s: %q, want %q", m.Name, m.Destructive, want)
				}
			}
		})
	}
}

func TestIsDestructive(t *testing.T) {
	for desc, want := range map[string]bool{
		"Remove field sku from product": true,
		"Delete model Coupon":           true,
		// Redacted (operations in state): the marker is one word.
		"Remove field sku from " + Redacted:                         true,
		"Delete model " + Redacted:                                  true,
		"Raw SQL operation -> DROP TABLE " + Redacted:               true,
		Redacted + " model Coupon":                                  true,
		"Add field " + Redacted + " to product":                     false,
		"Rename field name on product to title":                     true,
		"Rename model Order to Purchase":                            true,
		"Rename table for product to shop_items":                    true,
		"Raw SQL operation -> TRUNCATE shop_purchase":               true,
		"Raw SQL operation -> alter table x drop column y":          true,
		"Undo Create model Product":                                 true,
		"Undo Rename model Order to Purchase":                       true,
		"Undo Remove field sku from product":                        false,
		"Add field price_cents to product":                          false,
		"Alter field notes on product":                              false,
		"Create model Product":                                      false,
		"Remove index title_idx from product":                       false,
		"Remove constraint c from model product":                    false,
		"Raw SQL operation -> UPDATE shop_product SET deleted_at=1": false,
		"Raw Python operation -> Delete old rows.":                  false,
		"Rename index a on product to b":                            false,
	} {
		if got := IsDestructive(desc); got != want {
			t.Errorf("IsDestructive(%q) = %v, want %v", desc, got, want)
		}
	}
}

func TestParseMigratePlanColorsAndNoise(t *testing.T) {
	p, err := ParseMigratePlan([]string{
		"\x1b[36;1mPlanned operations:\x1b[0m\r",
		"\x1b[36;1mshop.0003_remove_product_sku\x1b[0m",
		"    Remove field sku from product",
		"WARNING: something on stderr",
		"    Add field x to product",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"shop.0003_remove_product_sku": {"Remove field sku from product", "Add field x to product"}}
	if !reflect.DeepEqual(p.Operations(), want) {
		t.Errorf("operations %q, want %q", p.Operations(), want)
	}
}

func TestParseMigratePlanNotAPlan(t *testing.T) {
	_, err := ParseMigratePlan([]string{"[X]  shop.0001_initial", "Traceback (most recent call last):"})
	var pe *ProblemError
	if !errors.As(err, &pe) || pe.Summary != "Unrecognized migrate --plan Output" || !strings.Contains(pe.Detail, "Traceback") {
		t.Fatalf("got %v", err)
	}
}

// FuzzParseMigratePlan: any output parses or fails with a problem, never
// panics, and every destructive migration is a pending one whose listed
// destructive operations are among its operations.
func FuzzParseMigratePlan(f *testing.F) {
	for _, name := range []string{"django32_pending.txt", "django32_backwards.txt", "django52_pending.txt", "django32_none.txt"} {
		f.Add(strings.Join(readPlanFile(f, name), "\n"))
	}
	f.Add("Planned operations:\nx.y\n    \n    Raw SQL operation -> \xff")
	f.Fuzz(func(t *testing.T, out string) {
		p, err := ParseMigratePlan(strings.Split(out, "\n"))
		if err != nil {
			var pe *ProblemError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a problem: %v", err)
			}
			return
		}
		ops := p.Operations()
		for _, m := range p.Migrations {
			if !migrationHeading.MatchString(m.Name) {
				t.Fatalf("migration name %q", m.Name)
			}
			for _, d := range m.Destructive {
				if !IsDestructive(d) || !contains(ops[m.Name], d) {
					t.Fatalf("destructive %q of %s is not one of its operations %q", d, m.Name, ops[m.Name])
				}
			}
			for _, op := range m.Operations {
				if op == "" || strings.TrimSpace(op) != op {
					t.Fatalf("operation %q is not trimmed", op)
				}
				if utf8.ValidString(out) && !utf8.ValidString(op) {
					t.Fatalf("operation %q is not valid UTF-8", op)
				}
			}
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// An unparsable heading (here a label that is not an identifier) does not
// pin its operations on the migration before it: the plan fails instead of
// missing a migration and its destructive operation; parse-error quotes and
// operation descriptions go through show, names do not.
func TestParseMigratePlanUnparsableHeading(t *testing.T) {
	_, err := parseMigratePlan([]string{
		"Planned operations:",
		"billing.0002_x",
		"    Add field a to invoice",
		"my-shop.0003_drop_price",
		"    Delete model Price",
	}, func(s string) string { return strings.ReplaceAll(s, "my-shop", Redacted) })
	var pe *ProblemError
	if !errors.As(err, &pe) || pe.Summary != "Unrecognized migrate --plan Output" || !strings.Contains(pe.Detail, Redacted+".0003_drop_price") || strings.Contains(pe.Detail, "my-shop") {
		t.Fatalf("got %v", err)
	}
	p, err := parseMigratePlan([]string{
		"Planned operations:",
		"myshop.0003_drop_price",
		"    Raw SQL operation -> DROP TABLE myshop_legacy",
		"Loading demo.settings", // a log line: not a heading, the migration goes on
		"    Delete model Legacy",
		"billing.0002_x",
		"    Add field a to invoice",
	}, func(s string) string { return strings.ReplaceAll(s, "myshop", Redacted) })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"myshop.0003_drop_price": {"Raw SQL operation -> DROP TABLE " + Redacted + "_legacy", "Delete model Legacy"},
		"billing.0002_x":         {"Add field a to invoice"},
	}
	if !reflect.DeepEqual(p.Operations(), want) || !reflect.DeepEqual(p.Destructive(), []string{"myshop.0003_drop_price"}) {
		t.Errorf("operations %q, destructive %q", p.Operations(), p.Destructive())
	}
}

// TestParseMigratePlanListedTwice: a migration listed twice (found by
// FuzzParseMigratePlan) is a problem, not two entries that disagree about
// its operations.
func TestParseMigratePlanListedTwice(t *testing.T) {
	_, err := ParseMigratePlan([]string{"Planned operations:", "billing.0007_delete_coupon", "    Delete model Coupon", "billing.0007_delete_coupon"})
	var pe *ProblemError
	if !errors.As(err, &pe) || !strings.Contains(pe.Detail, "billing.0007_delete_coupon is listed twice") {
		t.Fatalf("got %v", err)
	}
}
