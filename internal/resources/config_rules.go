package resources

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// The rules between arguments that the configuration alone decides, for
// ebmigrate_run, ebmigrate_migrate and ebmigrate_pending_migrations alike
// (their ValidateConfig): each fails `terraform validate` (or the plan,
// when a value is known only then) at the argument at fault, so that
// nothing is registered or run for a task ECS would refuse. What the
// environment decides (the task definition's network mode, a cluster's
// providers) is the plan's Preview's, which says it is checked at apply.

// minExecPlatformVersion is the oldest Fargate platform version with ECS
// Exec for Linux tasks (ECS guide, "Running commands using ECS Exec",
// prerequisites: "If you're using AWS Fargate, you must use platform
// version 1.4.0 or higher (Linux)"). Elastic Beanstalk's ECS platform runs
// Linux containers.
var minExecPlatformVersion = []int{1, 4, 0}

// configArgs is what the rules read of a configuration.
type configArgs struct {
	task      runTask
	container runContainer
	// fargate: the task runs on Fargate; ec2: it runs on EC2 as configured
	// (launch_type "EC2", or only Auto Scaling group capacity providers).
	// Neither: the cluster's default decides, or a value is unknown.
	fargate, ec2 bool
}

func readConfigArgs(ctx context.Context, config tfsdk.Config) (configArgs, bool) {
	var a configArgs
	var task, container types.Object
	if config.GetAttribute(ctx, path.Root("task"), &task).HasError() || config.GetAttribute(ctx, path.Root("container"), &container).HasError() || task.IsUnknown() {
		return a, false
	}
	var diags diag.Diagnostics
	a.task, _, diags = objectAs[runTask](ctx, widen(ctx, task, taskAttrTypes))
	if diags.HasError() {
		return a, false
	}
	if !container.IsUnknown() {
		a.container, _, diags = objectAs[runContainer](ctx, widen(ctx, container, containerAttrTypes))
		if diags.HasError() {
			return a, false
		}
	}
	launch := a.task.LaunchType
	providers := a.task.CapacityProviderStrategy
	switch {
	case launch.IsUnknown() || providers.IsUnknown():
	case launch.ValueString() == "FARGATE":
		a.fargate = true
	case launch.ValueString() == "EC2":
		a.ec2 = true
	case !providers.IsNull():
		var cps []capacityProviderModel
		if providers.ElementsAs(ctx, &cps, false).HasError() {
			return a, false
		}
		known, asg := true, 0
		for _, cp := range cps {
			switch {
			case cp.CapacityProvider.IsUnknown():
				known = false
			case ebmigrate.IsFargateProvider(cp.CapacityProvider.ValueString()):
				a.fargate = true
			default:
				asg++
			}
		}
		a.ec2 = known && asg == len(cps) && len(cps) > 0
	}
	return a, true
}

// widen is widenObject without diagnostics (a config object always widens).
func widen(ctx context.Context, o types.Object, attrTypes map[string]attr.Type) types.Object {
	w, _ := widenObject(ctx, o, attrTypes)
	return w
}

// validateMigrationConfig applies the rules to a configuration of o.
func validateMigrationConfig(ctx context.Context, config tfsdk.Config, o object) diag.Diagnostics {
	diags := validatePhaseConfig(ctx, config, o)
	a, ok := readConfigArgs(ctx, config)
	if !ok {
		return diags
	}
	task, container := path.Root("task"), path.Root("container")
	t, c := a.task, a.container
	if !t.LaunchType.IsNull() && !t.LaunchType.IsUnknown() && !t.CapacityProviderStrategy.IsNull() {
		diags.AddAttributeError(task.AtName("capacity_provider_strategy"), "Conflicting Arguments",
			"task.launch_type and task.capacity_provider_strategy both say where the task runs, and ECS takes one or the other. Remove one of them.")
	}
	if a.fargate {
		for name, l := range map[string]types.List{"placement_constraints": t.PlacementConstraints, "placement_strategy": t.PlacementStrategy} {
			if len(l.Elements()) > 0 {
				diags.AddAttributeError(task.AtName(name), "Not Possible On Fargate",
					"task."+name+" place tasks on EC2 container instances, and the task runs on Fargate (task.launch_type or task.capacity_provider_strategy), which does not support them. Remove task."+name+", or run with task.launch_type = \"EC2\".")
			}
		}
		if t.EnableExecuteCommand.ValueBool() && known(t.PlatformVersion) && ebmigrate.PlatformVersionBelow(t.PlatformVersion.ValueString(), minExecPlatformVersion...) {
			diags.AddAttributeError(task.AtName("platform_version"), "ECS Exec Needs Platform Version 1.4.0",
				"task.enable_execute_command = true turns on ECS Exec, which on Fargate needs platform version 1.4.0 or later (Linux), and task.platform_version is "+
					strconv.Quote(t.PlatformVersion.ValueString())+". Set task.platform_version = \"1.4.0\" or \"LATEST\" (or remove it), or set task.enable_execute_command = false.")
		}
		if known(t.PlatformVersion) && known(c.CPU) {
			if msg := ebmigrate.TaskSizePlatformProblem(int(c.CPU.ValueInt64()), t.PlatformVersion.ValueString()); msg != "" {
				diags.AddAttributeError(task.AtName("platform_version"), "Platform Version Too Old", msg)
			}
		}
		diags.Append(fargateSize(c, container)...)
	}
	if a.ec2 && known(t.PlatformVersion) {
		// botocore ecs RunTaskRequest.platformVersion: "A platform version is
		// only specified for tasks hosted on Fargate".
		on := `task.launch_type = "EC2"`
		if t.LaunchType.IsNull() {
			on = "only Auto Scaling group capacity providers, in task.capacity_provider_strategy"
		}
		diags.AddAttributeError(task.AtName("platform_version"), "Platform Version Only On Fargate", ebmigrate.PlatformVersionOnEC2Problem(t.PlatformVersion.ValueString(), on))
	}
	if o == runObject && known(c.EnvironmentWOVersion) {
		var wo types.Map
		if !config.GetAttribute(ctx, container.AtName("environment_wo"), &wo).HasError() && wo.IsNull() {
			diags.AddAttributeError(container.AtName("environment_wo_version"), "Missing Write-Only Environment",
				"container.environment_wo_version re-runs the migration when container.environment_wo changes, and container.environment_wo is not set: the number would re-run nothing new. "+
					"Set container.environment_wo (from an ephemeral value), or remove container.environment_wo_version.")
		}
	}
	return diags
}

// fargateSize checks the Fargate task size that container.cpu and
// container.memory give (FargateDefaultCPU and FargateDefaultMemory when
// unset). A task whose memory is unset takes 512 MiB, or fails when its
// container needs more: with container.cpu above 256, 512 is no size
// Fargate offers, so that too is the configuration's mistake.
func fargateSize(c runContainer, container path.Path) diag.Diagnostics {
	var diags diag.Diagnostics
	if c.CPU.IsUnknown() || c.Memory.IsUnknown() || (c.CPU.IsNull() && c.Memory.IsNull()) {
		return diags
	}
	cpu, mib := int64(ebmigrate.FargateDefaultCPU), int64(ebmigrate.FargateDefaultMemory)
	if !c.CPU.IsNull() {
		cpu = c.CPU.ValueInt64()
	}
	if !c.Memory.IsNull() {
		mib = c.Memory.ValueInt64()
	}
	arg, msg := ebmigrate.FargateSizeProblem(int(cpu), int(mib))
	if msg == "" {
		return diags
	}
	if c.Memory.IsNull() && arg == ebmigrate.ArgMemory {
		msg = fmt.Sprintf("container.memory is unset, so the Fargate task gets %d MiB, which does not go with container.cpu = %d: %s Set container.memory.", ebmigrate.FargateDefaultMemory, cpu, msg)
	}
	diags.AddAttributeError(container.AtName(strings.TrimPrefix(arg, "container.")), "Invalid Fargate Task Size", msg)
	return diags
}

func known(v interface {
	IsNull() bool
	IsUnknown() bool
}) bool {
	return !v.IsNull() && !v.IsUnknown()
}
