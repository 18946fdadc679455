package resources

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// Limits AWS documents, checked at plan from the configuration alone so that
// an input AWS would refuse fails with its own message, not a later,
// unrelated one.

// maxVersionLabel is EB's VersionLabel length (botocore elasticbeanstalk
// service-2.json: VersionLabel, min 1, max 100).
const maxVersionLabel = 100

// tagKeyValidator refuses the prefixes AWS and the engine reserve (ECS
// TagResource: "Do not use aws:, AWS:, or any upper or lowercase combination
// of such as a prefix"; ebmigrate: keys are the engine's own).
type tagKeyValidator struct{}

func (tagKeyValidator) Description(context.Context) string {
	return "tag keys must not start with aws: or ebmigrate: (reserved)"
}

func (v tagKeyValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (tagKeyValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	k := strings.ToLower(req.ConfigValue.ValueString())
	if strings.HasPrefix(k, "aws:") || strings.HasPrefix(k, "ebmigrate:") {
		resp.Diagnostics.AddAttributeError(req.Path, "Reserved Tag Key",
			fmt.Sprintf("%s: tag key %q starts with a reserved prefix: AWS refuses aws: keys, and ebmigrate: keys are the provider's own. Choose another key.", req.Path, req.ConfigValue.ValueString()))
	}
}

// commandSizeValidator refuses a command that cannot fit in a task
// definition: the command is written into the migration task definition,
// which ECS refuses above ebmigrate.MaxTaskDefinitionSize.
type commandSizeValidator struct{}

func (commandSizeValidator) Description(context.Context) string {
	return fmt.Sprintf("the command, as JSON, must be at most %d bytes (ECS's task definition size limit)", ebmigrate.MaxTaskDefinitionSize)
}

func (v commandSizeValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (commandSizeValidator) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	argv, ok := knownStrings(req.ConfigValue.Elements())
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || !ok {
		return
	}
	n, err := ebmigrate.CommandSize(argv)
	if err == nil && n > ebmigrate.MaxTaskDefinitionSize {
		resp.Diagnostics.AddAttributeError(req.Path, "Command Too Long",
			fmt.Sprintf("The command is %d bytes as JSON; ECS refuses a task definition larger than %d bytes (64 KiB, Amazon ECS service quotas: task definition size), and the command is written into the migration task definition. "+
				"Put the long part in a script in the image, or in the environment's properties, and run that.", n, ebmigrate.MaxTaskDefinitionSize))
	}
}
