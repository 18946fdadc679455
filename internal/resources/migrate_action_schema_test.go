package resources_test

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// TestMigrateActionSchema: the provider offers ebmigrate_migrate with a
// schema the framework accepts, and the arguments under ebmigrate_run's
// names.
func TestMigrateActionSchema(t *testing.T) {
	server, err := factories["ebmigrate"]()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("schema diagnostic: %s: %s", d.Summary, d.Detail)
	}
	s, ok := resp.ActionSchemas["ebmigrate_migrate"]
	if !ok || s.Schema == nil || s.Schema.Block == nil {
		t.Fatalf("no ebmigrate_migrate action schema: %v", resp.ActionSchemas)
	}
	attrs := map[string]*tfprotov6.SchemaAttribute{}
	for _, a := range s.Schema.Block.Attributes {
		attrs[a.Name] = a
	}
	for _, name := range []string{"environment_name", "version_label", "command", "container", "task", "logs", "review", "timeouts"} {
		if attrs[name] == nil {
			t.Errorf("no %s argument", name)
		}
	}
	if a := attrs["environment_name"]; a != nil && !a.Required {
		t.Error("environment_name is not required")
	}
	container := attrs["container"]
	if container == nil || container.NestedType == nil {
		t.Fatal("container is not a nested attribute")
	}
	// Terraform 1.14 refuses a value for a write-only action argument
	// ("WriteOnly Attribute Not Allowed": no client capability for it).
	found := false
	for _, a := range container.NestedType.Attributes {
		if a.Name == "environment" {
			found = true
			if a.WriteOnly {
				t.Error("container.environment is write-only, which Terraform 1.14 refuses for actions")
			}
		}
	}
	if !found {
		t.Error("no container.environment")
	}
}
