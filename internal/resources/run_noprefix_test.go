package resources_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// recordedStream checks that log_stream in state is the awslogs stream
// localaws wrote the last migration's output to, and that it is the
// container's runtime ID when want is "runtime ID".
func (w *world) recordedStream(want string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		got := s.RootModule().Resources[addr].Primary.Attributes["last_run.log_stream"]
		ti := w.lastMigration()
		if len(ti.Containers) != 1 {
			return fmt.Errorf("last migration task has containers %+v", ti.Containers)
		}
		c := ti.Containers[0]
		switch {
		case got != c.LogStream:
			return fmt.Errorf("log_stream = %q, but the container logged to %q", got, c.LogStream)
		case want == "runtime ID" && got != c.RuntimeID:
			return fmt.Errorf("log_stream = %q, want the container's runtime ID %q", got, c.RuntimeID)
		case want != "runtime ID" && !strings.HasPrefix(got, want):
			return fmt.Errorf("log_stream = %q, want it to start with %q", got, want)
		}
		return nil
	}
}

// TestAccRun_logsWithoutStreamPrefix: the source task definition's awslogs
// has no awslogs-stream-prefix (allowed on EC2), so ECS names the stream
// after the container's runtime ID. A container that never started has none,
// and the failure says so and what to do. A failing migration shows its traceback
// from that stream; after a success, log_stream in state is that stream.
// On Fargate, where ECS requires a prefix, the migration's definition adds
// its own and runs.
func TestAccRun_logsWithoutStreamPrefix(t *testing.T) {
	t.Parallel()
	w := newWorldOf(t, localaws.NoPrefixSeed(t.TempDir()), localaws.WithoutHostVolume, withFargate, func(s *localaws.Seed) {
		// The first migration task's image cannot be pulled: its container never starts.
		s.Faults = append(s.Faults, localaws.Fault{Task: "pull_error", Family: ebmigrate.DerivedFamily(localaws.FixtureEnv), Count: 1})
	})
	failing := []string{"sh", "-c", `echo "Applying shop.0002_price..."; echo "Traceback (most recent call last):" >&2; echo "django.db.utils.ProgrammingError: column shop_product.price does not exist" >&2; exit 1`}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:      w.run("v1", okCommand),
				ExpectError: words("Migration Failed", "CannotPullContainerError", "no awslogs-stream-prefix", "names its stream", "runtime ID", "never started", "Add awslogs-stream-prefix"),
			},
			{
				Config:      w.run("v1", failing),
				ExpectError: words("Migration Failed", "exit code 1", "Traceback (most recent call last):", "ProgrammingError: column shop_product.price does not exist"),
			},
			{
				Config: w.run("v1", []string{"sh", "-c", "echo Applying shop.0002_price... OK"}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("log_stream"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{64}$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("log_group"), knownvalue.StringExact(localaws.FixtureLogGroup)),
				},
				Check: w.recordedStream("runtime ID"),
			},
			{
				Config: w.run("v2", []string{"sh", "-c", "echo Applying shop.0003_sku... OK"}, taskArgs(`launch_type = "FARGATE"`, executionRole)),
				Check:  w.recordedStream("ebmigrate/web/"),
			},
		},
	})
}
