package ebmigrate_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

func int32p(v int32) *int32 { return &v }

// What configuration alone decides ECS would refuse (RunTask's platform
// version on EC2, Fargate task sizes, a container's memory below its
// reservation, container fields Fargate refuses) fails before anything is
// registered or run, naming the setting.
func TestTaskShapeChecks(t *testing.T) {
	fargate := func(cpu, mem string) ebmigrate.Placement {
		return ebmigrate.Placement{LaunchType: "FARGATE", TaskCPU: cpu, TaskMemory: mem}
	}
	for name, tc := range map[string]struct {
		mod     func(*ebmigrate.MigrateInput)
		seed    func(*localaws.Seed)
		summary string
		names   string
	}{
		"platform_version on EC2": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.Placement = ebmigrate.Placement{LaunchType: "EC2", PlatformVersion: "1.4.0"}
		}, summary: "Platform Version Only On Fargate", names: "task.platform_version"},
		"platform_version on the cluster default": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.Placement = ebmigrate.Placement{PlatformVersion: "LATEST"}
		}, summary: "Platform Version Only On Fargate", names: "task.platform_version"},
		"tag value with AWS:": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.Tags = map[string]string{"team": "AWS:platform"}
		}, summary: "Reserved Tag Prefix", names: "team"},
		"fargate 256/1536": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.Placement = fargate("256", "1536")
		}, summary: "Invalid Fargate Task Size", names: "container.memory = 1536"},
		"fargate cpu 300": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.Placement = fargate("300", "1024")
		}, summary: "Invalid Fargate Task Size", names: "container.cpu = 300"},
		"memory below the inherited reservation": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.Memory, in.Derive.MemoryReservation = int32p(256), int32p(384)
		}, summary: "Container Memory Below Reservation", names: "memoryReservation"},
		"fargate container above the task": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.Placement = fargate("256", "1024")
			in.Derive.Memory = int32p(2048)
		}, summary: "Container Memory Above Task Memory", names: "2048"},
		"privileged on fargate": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.Placement = fargate("512", "1024")
		}, seed: webField("privileged", true), summary: "Container Setting Not Supported", names: "privileged"},
		"security group names on fargate": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.Placement = fargate("512", "1024")
		}, seed: func(s *localaws.Seed) {
			s.Environments[0].VPC.SecurityGroups = []string{"sg-0ccc3333", "database-clients"}
		}, summary: "Security Group Names", names: "database-clients"},
		"hostname on fargate": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.Placement = fargate("512", "1024")
		}, seed: webField("hostname", "db"), summary: "Container Setting Not Supported", names: "hostname"},
		"dockerSecurityOptions on fargate": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.Placement = fargate("512", "1024")
		}, seed: webField("dockerSecurityOptions", []string{"no-new-privileges"}), summary: "Container Setting Not Supported", names: "dockerSecurityOptions"},
		"maxSwap, swappiness and tmpfs on fargate": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.Placement = fargate("512", "1024")
		}, seed: webField("linuxParameters", map[string]any{"maxSwap": 512, "swappiness": 10, "tmpfs": []any{map[string]any{"containerPath": "/tmp", "size": 64}}}),
			summary: "Container Setting Not Supported", names: "linuxParameters.maxSwap, linuxParameters.swappiness, linuxParameters.tmpfs"},
		"dnsServers and NET_ADMIN on fargate": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.Placement = fargate("512", "1024")
		}, seed: func(s *localaws.Seed) {
			webField("dnsServers", []string{"10.0.0.2"})(s)
			webField("linuxParameters", map[string]any{"capabilities": map[string]any{"add": []string{"NET_ADMIN"}}})(s)
		}, summary: "Container Setting Not Supported", names: "dnsServers, linuxParameters.capabilities.add"},
		"capacity providers all at weight 0": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.Placement = ebmigrate.Placement{CapacityProvider: []ebmigrate.CapacityProvider{{Name: "FARGATE"}, {Name: "FARGATE_SPOT", Base: 1}}}
		}, seed: fargateAssociated, summary: "Capacity Provider Strategy Without Weight", names: "task.capacity_provider_strategy"},
		"two capacity providers with a base": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.Placement = ebmigrate.Placement{CapacityProvider: []ebmigrate.CapacityProvider{{Name: "FARGATE", Weight: 1, Base: 1}, {Name: "FARGATE_SPOT", Weight: 1, Base: 2}}}
		}, seed: fargateAssociated, summary: "Capacity Provider Strategy With Several Bases", names: "task.capacity_provider_strategy"},
		"Fargate and Auto Scaling group providers": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.Placement = ebmigrate.Placement{CapacityProvider: []ebmigrate.CapacityProvider{{Name: "FARGATE", Weight: 1}, {Name: "asg", Weight: 1}}}
		}, seed: func(s *localaws.Seed) {
			s.Environments[0].CapacityProviders = []string{"FARGATE", "asg"}
		}, summary: "Capacity Provider Strategy Of Two Kinds", names: "FARGATE (Fargate) and asg (Auto Scaling group)"},
		"one capacity provider at weight 0": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.Placement = ebmigrate.Placement{CapacityProvider: []ebmigrate.CapacityProvider{{Name: "FARGATE"}}}
		}, seed: fargateAssociated, summary: "Capacity Provider Strategy Without Weight", names: "task.capacity_provider_strategy"},
		"8 vCPU on platform version 1.3.0": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.Placement = fargate("8192", "16384")
			in.Derive.Placement.PlatformVersion = "1.3.0"
		}, summary: "Platform Version Too Old", names: `task.platform_version = "1.3.0"`},
		"logs.group with a space": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.LogGroup = "app migrations"
		}, summary: "Invalid Log Group Name", names: `logs.group = "app migrations"`},
		"the container's awslogs-group with a colon": {mod: func(*ebmigrate.MigrateInput) {}, seed: webField("logConfiguration", map[string]any{
			"logDriver": "awslogs", "options": map[string]string{"awslogs-group": "app:migrations", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "eb"},
		}), summary: "Invalid Log Group Name", names: `awslogs-group "app:migrations"`},
		"ipcMode on fargate": {mod: func(in *ebmigrate.MigrateInput) {
			in.Derive.Placement = fargate("512", "1024")
		}, seed: func(s *localaws.Seed) {
			s.Environments[0].TaskDefinition["ipcMode"] = json.RawMessage(`"task"`)
		}, summary: "Not Possible On Fargate", names: "ipcMode"},
	} {
		t.Run(name, func(t *testing.T) {
			mutate := []func(*localaws.Seed){localaws.WithoutHostVolume}
			if tc.seed != nil {
				mutate = append(mutate, tc.seed)
			}
			srv, c := friendly(t, mutate...)
			in := migrateInput("true")
			tc.mod(&in)
			_, planErr := ebmigrate.PreviewMigration(testCtx(t), c, ebmigrate.PreviewInput{MigrateInput: in})
			_, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
			for when, err := range map[string]error{"plan": planErr, "apply": err} {
				var p *ebmigrate.ProblemError
				if !errors.As(err, &p) || p.Summary != tc.summary || !strings.Contains(p.Detail, tc.names) {
					t.Errorf("%s: err = %v, want %s naming %s", when, err, tc.summary, tc.names)
				}
			}
			if n := srv.Calls("ecs:RegisterTaskDefinition") + srv.Calls("ecs:RunTask"); n != 0 {
				t.Errorf("%d registrations or runs", n)
			}
		})
	}
}

// fargateAssociated associates FARGATE and FARGATE_SPOT with the
// environment's cluster, so that only the strategy's own rules can refuse it.
func fargateAssociated(s *localaws.Seed) {
	s.Environments[0].CapacityProviders = []string{"FARGATE", "FARGATE_SPOT"}
}
