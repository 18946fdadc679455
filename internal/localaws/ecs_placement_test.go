package localaws_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// Tasks reserve memory (memoryReservation, else memory) and cpu on their
// container instance; a task that fits on none gets RESOURCE:MEMORY or
// RESOURCE:CPU in failures[].
func TestPlacementByMemoryAndCPU(t *testing.T) {
	// Each fixture instance runs one EB web task reserving 640 MiB.
	c := world(t, func(s *localaws.Seed) { s.InstanceMemoryMB = 1024; s.InstanceCPU = 1024 })
	register := func(family string, memory, reservation, cpu int32) string {
		cd := ecstypes.ContainerDefinition{Name: aws.String("web"), Image: aws.String("example/app:v1"), Command: []string{"sleep", "30"}, Cpu: cpu}
		if memory > 0 {
			cd.Memory = aws.Int32(memory)
		}
		if reservation > 0 {
			cd.MemoryReservation = aws.Int32(reservation)
		}
		out, err := c.ecs.RegisterTaskDefinition(ctx(t), &ecs.RegisterTaskDefinitionInput{Family: aws.String(family), ContainerDefinitions: []ecstypes.ContainerDefinition{cd}})
		if err != nil {
			t.Fatal(err)
		}
		arn := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
		c.waitKnown(t, arn)
		return arn
	}
	run := func(td string, ov *ecstypes.TaskOverride) *ecs.RunTaskOutput {
		out, err := c.ecs.RunTask(ctx(t), &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(td), Overrides: ov})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	failure := func(out *ecs.RunTaskOutput) string {
		if len(out.Failures) != 1 || len(out.Tasks) != 0 {
			return ""
		}
		return aws.ToString(out.Failures[0].Reason)
	}
	big := register("big", 512, 0, 0)
	if r := failure(run(big, nil)); r != "RESOURCE:MEMORY" {
		t.Errorf("512 MiB on instances with 384 MiB free: %q, want RESOURCE:MEMORY", r)
	}
	// The soft limit is what is reserved.
	soft := register("soft", 2048, 256, 0)
	if out := run(soft, nil); len(out.Tasks) != 1 {
		t.Errorf("memoryReservation 256 (memory 2048): %+v", out.Failures)
	}
	// A RunTask override counts too.
	if r := failure(run(soft, &ecstypes.TaskOverride{ContainerOverrides: []ecstypes.ContainerOverride{{Name: aws.String("web"), MemoryReservation: aws.Int32(1000)}}})); r != "RESOURCE:MEMORY" {
		t.Errorf("override to 1000 MiB: %q, want RESOURCE:MEMORY", r)
	}
	cpu := register("cpu", 64, 0, 2048)
	if r := failure(run(cpu, nil)); r != "RESOURCE:CPU" {
		t.Errorf("2048 CPU units on 1024-unit instances: %q, want RESOURCE:CPU", r)
	}
}
