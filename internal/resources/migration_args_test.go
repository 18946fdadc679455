package resources

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// TestArgTypesMatchModels: the attribute types the models and upgraders use
// are the specs' (a new attribute in a spec without one in the model, or
// the reverse, fails here, not in a user's plan).
func TestArgTypesMatchModels(t *testing.T) {
	for name, c := range map[string]struct {
		spec argSpec
		want map[string]attr.Type
	}{
		"container": {containerSpec(runObject), containerAttrTypes},
		"task":      {taskSpec(runObject), taskAttrTypes},
		"logs":      {logsSpec(runObject), logsAttrTypes},
		"review":    {reviewSpec(), reviewAttrTypes},
	} {
		if got := c.spec.attrType(runObject); !got.Equal(types.ObjectType{AttrTypes: c.want}) {
			t.Errorf("%s: the spec's type %v is not the model's %v", name, got, c.want)
		}
	}
}

// TestOneVocabulary: ebmigrate_run, ebmigrate_migrate and
// ebmigrate_pending_migrations take container, task and logs with the same
// attributes, save what one of them cannot have: the resource's
// environment_wo_version, and write-only values in a data source.
func TestOneVocabulary(t *testing.T) {
	ctx := context.Background()
	run := runSchema(ctx)
	action := migrateActionSchema(ctx)
	var ds datasource.SchemaResponse
	(&pendingMigrationsDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &ds)
	names := func(m map[string]attr.Type) string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	for _, object := range []string{"container", "task", "logs"} {
		r := names(run.Attributes[object].GetType().(attr.TypeWithAttributeTypes).AttributeTypes())
		a := names(action.Attributes[object].GetType().(attr.TypeWithAttributeTypes).AttributeTypes())
		q := names(ds.Schema.Attributes[object].GetType().(attr.TypeWithAttributeTypes).AttributeTypes())
		wantA, wantQ := r, r
		if object == "container" {
			wantA = strings.Replace(r, " environment_wo_version", "", 1)
			wantQ = strings.Replace(wantA, " environment_wo", "", 1)
		}
		if a != wantA || q != wantQ {
			t.Errorf("%s: ebmigrate_run has %q, ebmigrate_migrate %q (want %q), ebmigrate_pending_migrations %q (want %q)", object, r, a, wantA, q, wantQ)
		}
	}
	for what, d := range map[string]diag.Diagnostics{"ebmigrate_run": run.ValidateImplementation(ctx), "ebmigrate_migrate": action.ValidateImplementation(ctx), "ebmigrate_pending_migrations": ds.Schema.ValidateImplementation(ctx)} {
		if d.HasError() {
			t.Errorf("%s's schema: %v", what, d)
		}
	}
}
