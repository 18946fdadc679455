package resources_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// TestAccPendingMigrations_propertyValueInMigrationName: an EB property
// whose value is a code identifier (here "product", the demo's model and part
// of the migration's name; the demo's app labels "shop" and "notes" are
// shorter than the redaction minimum) does not hide the migration from
// pending, nor its destructive operation from destructive_changes = "deny".
// The operation's description, free text in state, is redacted.
func TestAccPendingMigrations_propertyValueInMigrationName(t *testing.T) {
	t.Parallel()
	w, _ := djangoWorldDB(t, func(s *localaws.Seed) {
		s.Environments[0].Properties["CATALOG_MODEL"] = "product"
	})
	const ds = "data.ebmigrate_pending_migrations.this"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{Config: reviewConfig(w, "v2")},
			{
				Config:      reviewConfig(w, "v4", `destructive_changes = "deny"`),
				ExpectError: words("Destructive Migration Denied", "shop.0003_remove_product_sku: Remove field sku from (sensitive value)"),
			},
			{
				Config: reviewConfig(w, "v4", `destructive_changes = "deny"`, `allow_destructive = ["shop.0003_remove_product_sku"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("pending"), stringList("shop.0003_remove_product_sku")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("destructive"), stringList("shop.0003_remove_product_sku")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("operations"), knownvalue.MapExact(map[string]knownvalue.Check{
						"shop.0003_remove_product_sku": stringList("Remove field sku from (sensitive value)"),
					})),
				},
			},
		},
	})
}
