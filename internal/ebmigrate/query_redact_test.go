package ebmigrate_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// TestQueryParsesBeforeRedacting: an environment value equal to an app
// label (DB_NAME=myshop) does not hide that app's migrations nor their
// destructive operations; what is stored as free text (each operation's
// description) is redacted.
func TestQueryParsesBeforeRedacting(t *testing.T) {
	_, c := fixture(t)
	in := queryInput("sh", "-c", `printf '%s\n' 'Planned operations:' 'myshop.0003_drop_price' '    Delete model Price' '    Raw SQL operation -> DROP TABLE myshop_legacy' 'billing.0002_x' '    Add field a to invoice' 'myshop.0004_more' '    Delete model Coupon'`)
	in.Derive.Environment = map[string]string{"DB_NAME": "myshop"}
	res, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := res.MigratePlan()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"myshop.0003_drop_price", "billing.0002_x", "myshop.0004_more"}; !reflect.DeepEqual(p.Pending(), want) {
		t.Errorf("pending %q, want %q", p.Pending(), want)
	}
	if want := []string{"myshop.0003_drop_price", "myshop.0004_more"}; !reflect.DeepEqual(p.Destructive(), want) {
		t.Errorf("destructive %q, want %q", p.Destructive(), want)
	}
	want := map[string][]string{
		"myshop.0003_drop_price": {"Delete model Price", "Raw SQL operation -> DROP TABLE " + ebmigrate.Redacted + "_legacy"},
		"billing.0002_x":         {"Add field a to invoice"},
		"myshop.0004_more":       {"Delete model Coupon"},
	}
	if !reflect.DeepEqual(p.Operations(), want) {
		t.Errorf("operations %q, want %q", p.Operations(), want)
	}
	for _, m := range p.Migrations {
		for _, d := range m.Destructive {
			if strings.Contains(d, "myshop_legacy") {
				t.Errorf("destructive operation %q not redacted", d)
			}
		}
	}
	for _, l := range res.LogTail {
		if strings.Contains(l, "myshop") {
			t.Errorf("log tail line %q not redacted", l)
		}
	}
}
