package resources

import (
	"context"
	"fmt"
	"time"

	rtimeouts "github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// Deadlines: timeouts = { create, update } of ebmigrate_run, { invoke } of
// ebmigrate_migrate and { read } of ebmigrate_pending_migrations, with
// terraform-plugin-framework-timeouts, as the operations' deadlines alone.
// How long the task may take to start, and whether a timeout stops it, are
// the task's (task.start_timeout, task.stop_on_timeout).

const (
	// defaultStartTimeout is task.start_timeout's default, as Terraform writes it.
	defaultStartTimeout = "10m"
	// minStartTimeout: below it, a healthy task still pulling its image or
	// being placed would be stopped (an image pull alone takes seconds).
	minStartTimeout = 30 * time.Second
	// minRunTimeout: a shorter deadline runs out before ECS has answered.
	minRunTimeout = time.Second
)

// startTimeout is the configured task.start_timeout (unknown or null: the
// default).
func startTimeout(v types.String) time.Duration {
	d, err := time.ParseDuration(v.ValueString())
	if err != nil || d <= 0 {
		return ebmigrate.DefaultStartTimeout
	}
	return d
}

// runTimeoutsAttrTypes are ebmigrate_run's timeouts.
var runTimeoutsAttrTypes = map[string]attr.Type{"create": types.StringType, "update": types.StringType}

// runTimeoutsAttribute is ebmigrate_run's timeouts = { create, update }.
func runTimeoutsAttribute(ctx context.Context) rschema.Attribute {
	a := rtimeouts.Attributes(ctx, rtimeouts.Opts{Create: true, Update: true}).(rschema.SingleNestedAttribute)
	a.MarkdownDescription = "How long an apply may wait for the migration, as durations such as `\"90s\"`, `\"45m\"` or `\"1h\"`. What happens to a task still running then is `task.stop_on_timeout`. A change does not re-run the migration."
	for name, what := range map[string]string{"create": "a create", "update": "an update"} {
		s := a.Attributes[name].(rschema.StringAttribute)
		s.Description = ""
		s.MarkdownDescription = fmt.Sprintf("How long %s may wait for the migration: a duration of at least %s. Defaults to `%s`.", what, minRunTimeout, durationString(defaultTimeout))
		s.Validators = []validator.String{durationAtLeast(minRunTimeout)} // names the argument, as the framework's own does not
		a.Attributes[name] = s
	}
	return a
}

// timeout is timeouts.create or timeouts.update (op), or its default.
func (m *runModel) timeout(ctx context.Context, op string) time.Duration {
	read := m.Timeouts.Create
	if op == "update" {
		read = m.Timeouts.Update
	}
	d, diags := read(ctx, defaultTimeout)
	if diags.HasError() {
		return defaultTimeout
	}
	return d
}

// durationString writes a duration as a user would: 30m, not 30m0s.
func durationString(d time.Duration) string {
	s := d.String()
	if len(s) > 4 && s[len(s)-4:] == "m0s" {
		s = s[:len(s)-2]
	}
	if len(s) > 4 && s[len(s)-4:] == "h0m" {
		s = s[:len(s)-2]
	}
	return s
}

// durationAtLeast accepts a Go duration of at least min.
func durationAtLeast(least time.Duration) validator.String { return durationValidator{min: least} }

type durationValidator struct{ min time.Duration }

func (v durationValidator) Description(context.Context) string {
	return fmt.Sprintf("a duration of at least %s, such as \"90s\" or \"10m\"", durationString(v.min))
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	switch {
	case err != nil:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%s = %q is not a duration. Write it as a number with a unit, such as \"90s\", \"10m\" or \"1h\".", req.Path, req.ConfigValue.ValueString()))
	case d < v.min:
		resp.Diagnostics.AddAttributeError(req.Path, "Duration Too Short",
			fmt.Sprintf("%s = %q is shorter than %s, the least it may be: set at least %q.", req.Path, req.ConfigValue.ValueString(), durationString(v.min), durationString(v.min)))
	}
}
