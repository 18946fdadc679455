package resources

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// defaultStartTimeout is timeouts.start's default, as Terraform writes it.
const defaultStartTimeout = "10m"

// startTimeoutDescription documents timeouts.start.
var startTimeoutDescription = "How long the migration task may take to reach `RUNNING` (image pull, placement) before it is stopped and the apply fails saying so; " +
	"a task that never started never ran, so stopping it is always safe. A migration task of an earlier run stuck before `RUNNING` longer than this is stopped " +
	"instead of blocking later applies. Defaults to `\"" + defaultStartTimeout + "\"`."

// startTimeout is the configured timeouts.start (unknown or null: the default).
func startTimeout(v types.String) time.Duration {
	d, err := time.ParseDuration(v.ValueString())
	if err != nil || d <= 0 {
		return ebmigrate.DefaultStartTimeout
	}
	return d
}

// durationValidator accepts a positive Go duration.
type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "a positive duration such as \"90s\" or \"10m\""
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if d, err := time.ParseDuration(req.ConfigValue.ValueString()); err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%q is not a positive duration. Write it as a number with a unit, such as \"90s\", \"10m\" or \"1h\".", req.ConfigValue.ValueString()))
	}
}
