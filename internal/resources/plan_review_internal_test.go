package resources

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

func strList(values ...string) types.List {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}

func opsMap(ops map[string][]string) types.Map {
	elems := map[string]attr.Value{}
	for k, v := range ops {
		elems[k] = strList(v...)
	}
	return types.MapValueMust(types.ListType{ElemType: types.StringType}, elems)
}

func TestPendingRuns(t *testing.T) {
	for _, tc := range []struct {
		name        string
		state, plan types.List
		want        bool
	}{
		{"newly pending", strList(), strList("shop.0002_x"), true},
		{"other pending", strList("shop.0002_x"), strList("shop.0003_y"), true},
		{"became empty", strList("shop.0002_x"), strList(), false},
		{"unchanged", strList("shop.0002_x"), strList("shop.0002_x"), false},
		{"unknown", strList(), types.ListUnknown(types.StringType), true},
		{"unset", strList("shop.0002_x"), types.ListNull(types.StringType), false},
	} {
		got := pendingRuns(context.Background(), withReview(reviewModel{Pending: tc.plan}), withReview(reviewModel{Pending: tc.state}))
		if got != tc.want {
			t.Errorf("%s: pendingRuns = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// withReview is a model with the review r (null values where r has none).
func withReview(r reviewModel) runModel {
	if r.Pending.ElementType(context.Background()) == nil {
		r.Pending = types.ListNull(types.StringType)
	}
	if r.Operations.ElementType(context.Background()) == nil {
		r.Operations = types.MapNull(types.ListType{ElemType: types.StringType})
	}
	if r.Reasons.ElementType(context.Background()) == nil {
		r.Reasons = types.MapNull(types.StringType)
	}
	if r.AllowDestructive.ElementType(context.Background()) == nil {
		r.AllowDestructive = types.ListNull(types.StringType)
	}
	o, d := types.ObjectValueFrom(context.Background(), reviewAttrTypes, r)
	if d.HasError() {
		panic(fmt.Sprint(d))
	}
	return runModel{EnvironmentName: types.StringValue("myapp-prod"), Review: o}
}

func reviewed(policy string, allow ...string) reviewModel {
	r := reviewModel{
		Pending:            strList("shop.0002_add", "shop.0003_remove_product_sku"),
		Operations:         opsMap(map[string][]string{"shop.0002_add": {"Add field price_cents to product"}, "shop.0003_remove_product_sku": {"Remove field sku from product", "Delete model Coupon"}}),
		DestructiveChanges: types.StringValue(policy),
		AllowDestructive:   types.ListNull(types.StringType),
	}
	if len(allow) > 0 {
		r.AllowDestructive = strList(allow...)
	}
	return r
}

func TestReviewPlannedRun(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		policy   string
		allow    []string
		summary  string // of the policy's diagnostic, "" for none
		severity diag.Severity
	}{
		{"allow", nil, "", 0},
		{"warn", nil, "Destructive Migration", diag.SeverityWarning},
		{"deny", nil, "Destructive Migration Denied", diag.SeverityError},
		{"deny", []string{"shop.0003_remove_product_sku"}, "Destructive Migration", diag.SeverityWarning},
		{"deny", []string{"shop.0002_add"}, "Destructive Migration Denied", diag.SeverityError},
	} {
		var diags diag.Diagnostics
		diags.AddWarning(planWarningSummary, "ebmigrate_run will run x.")
		reviewPlannedRun(ctx, withReview(reviewed(tc.policy, tc.allow...)), &diags)
		if !strings.Contains(diags[0].Detail(), "shop.0003_remove_product_sku\n    Remove field sku from product   [destructive]\n    Delete model Coupon   [destructive]") ||
			!strings.Contains(diags[0].Detail(), "shop.0002_add\n    Add field price_cents to product\n") {
			t.Errorf("%s: the run warning does not list the operations:\n%s", tc.policy, diags[0].Detail())
		}
		if tc.summary == "" {
			if len(diags) != 1 {
				t.Errorf("%s: %d diagnostics, want the run warning only", tc.policy, len(diags))
			}
			continue
		}
		if len(diags) != 2 || diags[1].Summary() != tc.summary || diags[1].Severity() != tc.severity {
			t.Errorf("%s %v: got %v", tc.policy, tc.allow, diags)
			continue
		}
		for _, want := range []string{"shop.0003_remove_product_sku: Remove field sku from product", "shop.0003_remove_product_sku: Delete model Coupon"} {
			if !strings.Contains(diags[1].Detail(), want) {
				t.Errorf("%s: %q not in %s", tc.policy, want, diags[1].Detail())
			}
		}
	}
}

func TestReviewUnknownPending(t *testing.T) {
	r := reviewed("deny")
	r.Pending = types.ListUnknown(types.StringType)
	var diags diag.Diagnostics
	diags.AddWarning(planWarningSummary, "ebmigrate_run will run x.")
	reviewPlannedRun(context.Background(), withReview(r), &diags)
	if len(diags) != 1 || !strings.Contains(diags[0].Detail(), "known after apply") {
		t.Errorf("got %v", diags)
	}
	r.Pending = strList("shop.0003_remove_product_sku")
	m := withReview(r)
	if d := m.checkDestructiveAtApply(context.Background()); !d.HasError() {
		t.Error("at apply, deny lets an unreviewed destructive migration run")
	}
}

// The data source reads migrate --plan, and still showmigrations --plan
// (pending and applied_count only) for a command that prints that.
func TestPendingMigrationsSetPlan(t *testing.T) {
	ctx := context.Background()
	var m pendingMigrationsModel
	if d := m.setPlan(ctx, &ebmigrate.Result{RawOutput: []string{"Planned operations:", "shop.0003_remove_product_sku", "    Remove field sku from product"}}, "testing"); d.HasError() {
		t.Fatal(d)
	}
	if len(m.Pending) != 1 || len(m.Destructive) != 1 || !m.AppliedCount.IsNull() || len(m.Operations.Elements()) != 1 {
		t.Errorf("migrate --plan: %+v", m)
	}
	m = pendingMigrationsModel{}
	if d := m.setPlan(ctx, &ebmigrate.Result{RawOutput: []string{"[X]  shop.0001_initial", "[ ]  shop.0002_x"}}, "testing"); d.HasError() {
		t.Fatal(d)
	}
	if len(m.Pending) != 1 || m.Pending[0] != "shop.0002_x" || m.AppliedCount.ValueInt64() != 1 || len(m.Destructive) != 0 || m.Operations.IsNull() {
		t.Errorf("showmigrations --plan: %+v", m)
	}
	m = pendingMigrationsModel{}
	d := m.setPlan(ctx, &ebmigrate.Result{RawOutput: []string{"Traceback (most recent call last):"}}, "testing")
	if !d.HasError() || d[0].Summary() != "Unrecognized migrate --plan Output" {
		t.Errorf("not a plan: %v", d)
	}
}
