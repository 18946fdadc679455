package resources_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccRun_rerunsStartNewTasks, on localaws's documented RunTask replay
// (a known clientToken answers with the task as it was created): a failed
// migration whose cause is fixed runs again on a plain re-apply, in a new
// task, and a triggers change after a success runs a new task too.
func TestAccRun_rerunsStartNewTasks(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	fixed := filepath.Join(t.TempDir(), "database-up")
	command := []string{"sh", "-c", "test -e " + fixed + " || { echo database down; exit 1; }; echo migrated"}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:      w.run("v1", command),
				ExpectError: regexp.MustCompile(`(?s)Migration Failed.*database down`),
			},
			{
				PreConfig: func() {
					if err := os.WriteFile(fixed, nil, 0o644); err != nil {
						t.Fatal(err)
					}
				},
				Config: w.run("v1", command),
				Check:  w.expectMigrationTasks(2),
			},
			{
				Config: w.run("v1", command, `triggers = { rerun = "1" }`),
				Check:  w.expectMigrationTasks(3),
			},
		},
	})
}
