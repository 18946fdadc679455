package ebmigrate_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// Output of Django 3.2's showmigrations --plan, taken from the demo project.
func TestParseShowMigrationsPlan(t *testing.T) {
	cases := []struct {
		name    string
		output  string
		pending []string
		applied int
	}{
		{"fresh database", "[ ]  notes.0001_initial\n[ ]  shop.0001_initial", []string{"notes.0001_initial", "shop.0001_initial"}, 0},
		{"all applied", "[X]  notes.0001_initial\n[X]  shop.0001_initial", nil, 2},
		{"some pending", "[ ]  notes.0001_initial\n[X]  shop.0001_initial\n[X]  shop.0002_product_price_cents\n[ ]  shop.0003_backfill_prices", []string{"notes.0001_initial", "shop.0003_backfill_prices"}, 2},
		{"with dependencies (-v 2)", "[ ]  notes.0001_initial\n[X]  shop.0001_initial\n[X]  shop.0002_product_price_cents ... (shop.0001_initial)\n[ ]  shop.0003_backfill_prices ... (shop.0002_product_price_cents)", []string{"notes.0001_initial", "shop.0003_backfill_prices"}, 2},
		{"several dependencies", "[ ]  auth.0012_alter_user_first_name_max_length ... (auth.0011_update_proxy_permissions, contenttypes.0002_remove_content_type_name)", []string{"auth.0012_alter_user_first_name_max_length"}, 0},
		{"no migrations", "(no migrations)", nil, 0},
		{"warnings around the plan", "System check identified some issues:\n\nWARNINGS:\n?: (urls.W002) Your URL pattern has a route beginning with a '/'.\n[X]  shop.0001_initial\n[ ]  shop.0002_product_price_cents\n", []string{"shop.0002_product_price_cents"}, 1},
		{"carriage returns", "[X]  shop.0001_initial\r\n[ ]  shop.0002_product_price_cents\r", []string{"shop.0002_product_price_cents"}, 1},
	}
	for _, tc := range cases {
		p, err := ebmigrate.ParseShowMigrationsPlan(strings.Split(tc.output, "\n"))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(p.Pending, tc.pending) || p.Applied != tc.applied {
			t.Errorf("%s: pending %v applied %d, want %v %d", tc.name, p.Pending, p.Applied, tc.pending, tc.applied)
		}
	}
}

func TestParseShowMigrationsPlanRejectsOtherOutput(t *testing.T) {
	out := []string{"Unknown command: 'showmigrationz'", "Type 'manage.py help' for usage."}
	_, err := ebmigrate.ParseShowMigrationsPlan(out)
	var p *ebmigrate.ProblemError
	if !errors.As(err, &p) || !strings.Contains(p.Detail, "Unknown command: 'showmigrationz'") {
		t.Fatalf("err = %v, want a problem quoting the output", err)
	}
	if _, err := ebmigrate.ParseShowMigrationsPlan(nil); err == nil || !strings.Contains(err.Error(), "(no output)") {
		t.Errorf("no output: %v", err)
	}
}

func FuzzParseShowMigrationsPlan(f *testing.F) {
	f.Add("[ ]  notes.0001_initial\n[X]  shop.0001_initial\n[X]  shop.0002_product_price_cents ... (shop.0001_initial)")
	f.Add("(no migrations)")
	f.Add("Traceback (most recent call last):\n  File \"manage.py\"\nModuleNotFoundError: No module named 'django'")
	f.Fuzz(func(t *testing.T, output string) {
		lines := strings.Split(output, "\n")
		p, err := ebmigrate.ParseShowMigrationsPlan(lines)
		if err != nil {
			return
		}
		if len(p.Pending)+p.Applied > len(lines) {
			t.Fatalf("%d migrations from %d lines", len(p.Pending)+p.Applied, len(lines))
		}
		for _, m := range p.Pending {
			app, name, ok := strings.Cut(m, ".")
			if !ok || app == "" || name == "" || strings.ContainsAny(m, " []") {
				t.Fatalf("pending %q is not app.name", m)
			}
		}
	})
}
