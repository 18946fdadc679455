package resources

import (
	"context"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// minExecPlatformVersion is the oldest Fargate platform version with ECS
// Exec for Linux tasks (ECS guide, "Running commands using ECS Exec",
// prerequisites: "If you're using AWS Fargate, you must use platform
// version 1.4.0 or higher (Linux)"). Elastic Beanstalk's ECS platform runs
// Linux containers.
var minExecPlatformVersion = []int{1, 4, 0}

// fargateExecPlatformValidator fails a plan that turns on ECS Exec for a
// migration on Fargate with an explicit platform_version below 1.4.0.
// LATEST, an unknown version and one that is not x.y.z pass.
type fargateExecPlatformValidator struct{}

func (fargateExecPlatformValidator) Description(context.Context) string {
	return "task.enable_execute_command on Fargate needs task.platform_version 1.4.0 or later"
}

func (v fargateExecPlatformValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (fargateExecPlatformValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var exec types.Bool
	var version types.String
	if req.Config.GetAttribute(ctx, path.Root("task").AtName("enable_execute_command"), &exec).HasError() ||
		req.Config.GetAttribute(ctx, path.Root("task").AtName("platform_version"), &version).HasError() {
		return
	}
	if !exec.ValueBool() || version.IsNull() || version.IsUnknown() || !versionBelow(version.ValueString(), minExecPlatformVersion) {
		return
	}
	p, ok := configPlacement(ctx, req)
	if !ok || !p.Fargate() {
		return
	}
	resp.Diagnostics.AddAttributeError(path.Root("task").AtName("platform_version"), "ECS Exec Needs Platform Version 1.4.0",
		"task.enable_execute_command = true turns on ECS Exec, which on Fargate needs platform version 1.4.0 or later (Linux), and task.platform_version is "+
			strconv.Quote(version.ValueString())+". Set task.platform_version = \"1.4.0\" or \"LATEST\" (or remove it), or set task.enable_execute_command = false.")
}

// versionBelow tells whether v, a version x.y.z, is below floor; a v that
// is not one (LATEST) is not.
func versionBelow(v string, floor []int) bool {
	parts := strings.Split(v, ".")
	if len(parts) != len(floor) {
		return false
	}
	for i, s := range parts {
		n, err := strconv.Atoi(s)
		if err != nil {
			return false
		}
		if n != floor[i] {
			return n < floor[i]
		}
	}
	return false
}

// configPlacement is the launch type and capacity providers of the
// configuration, as far as known, and false when they cannot be read.
func configPlacement(ctx context.Context, req resource.ValidateConfigRequest) (ebmigrate.Placement, bool) {
	var launch types.String
	var providers types.List
	if req.Config.GetAttribute(ctx, path.Root("task").AtName("launch_type"), &launch).HasError() ||
		req.Config.GetAttribute(ctx, path.Root("task").AtName("capacity_provider_strategy"), &providers).HasError() {
		return ebmigrate.Placement{}, false
	}
	p := ebmigrate.Placement{LaunchType: knownString(launch)}
	if !providers.IsNull() && !providers.IsUnknown() {
		var cps []capacityProviderModel
		if providers.ElementsAs(ctx, &cps, false).HasError() {
			return p, false
		}
		for _, cp := range cps {
			p.CapacityProvider = append(p.CapacityProvider, ebmigrate.CapacityProvider{Name: cp.CapacityProvider.ValueString()})
		}
	}
	return p, true
}
