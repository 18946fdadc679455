package ebmigrate_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// A revision that another plan or apply registered and then deregistered (it
// settled on a lower revision of the same content) is still listed ACTIVE
// for a moment (ListTaskDefinitions lags), but DescribeTaskDefinition refuses
// it at once: "You can only describe INACTIVE task definitions while an
// active task or service references them" (botocore ecs
// DescribeTaskDefinition). Registering must pass over it, not wait for it to
// become describable (it never does) until RegisterFor runs out. Seen in
// `make demo`: plans of v3 and v4 at once failed after 63 s with "Unable to
// describe task definition".
func TestEnsureTaskDefinitionPassesOverDeregisteredRevision(t *testing.T) {
	_, c := fixture(t, func(s *localaws.Seed) {
		s.Consistency.ListLagMS = 2000
	})
	in := migrateInput("true")
	target, err := ebmigrate.Discover(testCtx(t), c, in.Discover)
	if err != nil {
		t.Fatal(err)
	}
	derive := func(command ...string) *ebmigrate.Derived {
		spec := in.Derive
		spec.Command = command
		d, err := ebmigrate.DeriveTaskDefinition(target, spec)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// Another apply's revision, deregistered: listed ACTIVE for 2 s more.
	other := derive("sh", "-c", "exit 0")
	reg, err := c.ECS.RegisterTaskDefinition(testCtx(t), other.Input)
	if err != nil {
		t.Fatal(err)
	}
	gone := aws.ToString(reg.TaskDefinition.TaskDefinitionArn)
	if _, err := c.ECS.DeregisterTaskDefinition(testCtx(t), &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(gone)}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(testCtx(t), 20*time.Second)
	defer cancel()
	start := time.Now()
	arn, registered, err := ebmigrate.EnsureTaskDefinition(ctx, c.ECS, target, derive("true"))
	if err != nil {
		t.Fatalf("EnsureTaskDefinition after %s: %v", time.Since(start).Round(time.Millisecond), err)
	}
	if !registered || arn == gone {
		t.Errorf("got %s (registered %v), want a new revision, not the deregistered %s", arn, registered, gone)
	}
}
