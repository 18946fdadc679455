package resources

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// The formats AWS documents for the values of the migration's arguments,
// checked when Terraform validates the configuration, so that a value AWS
// would refuse (or, worse, accept and fail the task with) never reaches a
// RegisterTaskDefinition or a RunTask. Each cites its source.

var (
	// botocore ecs ContainerDefinition.name: "Up to 255 letters (uppercase
	// and lowercase), numbers, underscores, and hyphens are allowed."
	containerNameRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)
	// botocore ecs ContainerDefinition.image: up to 255 letters, numbers,
	// hyphens, underscores, colons, periods, forward slashes and number
	// signs; with a digest, "@sha256:" and 64 hexadecimal characters after
	// the 255.
	imageRe = regexp.MustCompile(`^[A-Za-z0-9_.:/#-]{1,255}(@sha256:[A-Fa-f0-9]{64})?$`)
	// botocore ecs RunTaskRequest.platformVersion: LATEST unless set; ECS
	// guide, Fargate platform versions: versions are x.y.z (1.4.0, 1.3.0).
	platformVersionRe = regexp.MustCompile(`^(LATEST|[0-9]+\.[0-9]+\.[0-9]+)$`)
	// EC2 resource IDs: the prefix and 8 or 17 hexadecimal characters
	// (EC2 User Guide, Resource IDs). RunTask's awsvpcConfiguration takes
	// IDs only (botocore ecs AwsVpcConfiguration).
	subnetRe        = regexp.MustCompile(`^subnet-([0-9a-f]{8}|[0-9a-f]{17})$`)
	securityGroupRe = regexp.MustCompile(`^sg-([0-9a-f]{8}|[0-9a-f]{17})$`)
	// An environment variable's name as a process receives it: no "=" (it
	// ends the name in the environment block), no space or control
	// character, ASCII (what a shell and Django's settings can read back).
	envVarNameRe = regexp.MustCompile(`^[!-<>-~]+$`)
)

// unlessEmpty runs v on a value that is not "": an empty one is notEmpty's
// to refuse, with its own words.
func unlessEmpty(v validator.String) validator.String { return skipEmpty{v} }

type skipEmpty struct{ validator.String }

func (v skipEmpty) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if !req.ConfigValue.IsNull() && !req.ConfigValue.IsUnknown() && req.ConfigValue.ValueString() == "" {
		return
	}
	v.String.ValidateString(ctx, req, resp)
}

func containerNameValidator() validator.String {
	return unlessEmpty(stringvalidator.RegexMatches(containerNameRe, "must be a container name: 1 to 255 letters, digits, underscores and hyphens (as ECS allows)"))
}

func imageValidator() validator.String {
	return unlessEmpty(stringvalidator.RegexMatches(imageRe, "must be an image reference such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v2 or app@sha256:<64 hex>: "+
		"up to 255 letters, digits and -_.:/# (as ECS allows), without spaces"))
}

func platformVersionValidator() validator.String {
	return unlessEmpty(stringvalidator.RegexMatches(platformVersionRe, "must be LATEST or a Fargate platform version such as 1.4.0"))
}

func subnetValidator() validator.String {
	return stringvalidator.RegexMatches(subnetRe, "must be a subnet ID (subnet- and 8 or 17 hexadecimal digits); RunTask takes IDs, not names")
}

func securityGroupValidator() validator.String {
	return stringvalidator.RegexMatches(securityGroupRe, "must be a security group ID (sg- and 8 or 17 hexadecimal digits); RunTask takes IDs, not names")
}

func logGroupValidator() validator.String {
	return unlessEmpty(stringvalidator.RegexMatches(ebmigrate.LogGroupNameRe, "must be "+ebmigrate.LogGroupNameRule))
}

func roleArnValidator() validator.String {
	return stringvalidator.RegexMatches(roleArnRe, "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)")
}

func envVarNameValidator() validator.String {
	return unlessEmpty(stringvalidator.RegexMatches(envVarNameRe, "must be an environment variable name: printable ASCII without spaces or \"=\" (a name with \"=\" is cut there by every process that reads it)"))
}

// noNULValidator refuses a NUL byte, which no exec argument or environment
// value can hold (the task would start and fail to run the command). It
// never prints the value: it may be secret.
func noNULValidator(what string) validator.String { return noNUL{what: what} }

type noNUL struct{ what string }

func (v noNUL) Description(context.Context) string {
	return v.what + " must not hold a NUL byte"
}

func (v noNUL) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v noNUL) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || !strings.ContainsRune(req.ConfigValue.ValueString(), 0) {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "NUL Byte In Value",
		fmt.Sprintf("%s (%s) holds a NUL byte (\\u0000), which a process cannot receive in its arguments or environment: the task would start and fail to run. Remove it.", upperFirst(v.what), req.Path))
}

// containerMemoryValidator says ebmigrate.ContainerMemoryProblem at validate
// when the configuration sets both container.memory and
// container.memory_reservation.
type containerMemoryValidator struct{}

func (containerMemoryValidator) Description(context.Context) string {
	return "container.memory must be at least container.memory_reservation"
}

func (v containerMemoryValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (containerMemoryValidator) ValidateObject(_ context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	hard, _ := req.ConfigValue.Attributes()["memory"].(types.Int64)
	soft, _ := req.ConfigValue.Attributes()["memory_reservation"].(types.Int64)
	if hard.IsNull() || hard.IsUnknown() || soft.IsNull() || soft.IsUnknown() || ebmigrate.ContainerMemoryProblem(int(hard.ValueInt64()), int(soft.ValueInt64())) == "" {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path.AtName("memory"), "Container Memory Below Reservation", ebmigrate.ContainerMemoryProblem(int(hard.ValueInt64()), int(soft.ValueInt64())))
}

// capacityStrategyValidator applies ECS's rules for a capacity provider
// strategy (ebmigrate.CapacityStrategyProblem: one kind of provider, at most
// one base, a weight above 0) when the configuration alone decides them; the
// engine applies the same rules to the cluster's default strategy at plan.
type capacityStrategyValidator struct{}

func (capacityStrategyValidator) Description(context.Context) string {
	return "Fargate and Auto Scaling group providers not mixed, at most one base, and a weight above 0 on at least one provider"
}

func (v capacityStrategyValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (capacityStrategyValidator) ValidateList(ctx context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var items []ebmigrate.CapacityProvider
	for _, e := range req.ConfigValue.Elements() {
		o, ok := e.(types.Object)
		if !ok || o.IsUnknown() {
			return
		}
		var m capacityProviderModel
		if o.As(ctx, &m, basetypes.ObjectAsOptions{}).HasError() || m.CapacityProvider.IsUnknown() || m.Weight.IsUnknown() || m.Base.IsUnknown() {
			return // known at apply, checked then by the engine
		}
		items = append(items, ebmigrate.CapacityProvider{Name: m.CapacityProvider.ValueString(), Weight: int32(m.Weight.ValueInt64()), Base: int32(m.Base.ValueInt64())})
	}
	if summary, msg := ebmigrate.CapacityStrategyProblem(items, ebmigrate.ArgCapacityProviders); summary != "" {
		resp.Diagnostics.AddAttributeError(req.Path, summary, msg)
	}
}
