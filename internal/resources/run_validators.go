package resources

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// No argument's "" or [] means anything but what it says: a value that is
// empty is refused, naming the argument and saying how to get the default
// (leave it unset). Before, image = "" ran the default image and then failed
// as an inconsistent result, tainting the resource.

// notEmpty refuses "" for what (an argument's name, or a phrase naming the
// value), with hint saying how to get what "" was meant to.
func notEmpty(what, hint string) validator.String { return notEmptyString{what: what, hint: hint} }

type notEmptyString struct{ what, hint string }

func (v notEmptyString) Description(context.Context) string {
	return fmt.Sprintf("%s must not be empty", v.what)
}

func (v notEmptyString) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v notEmptyString) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || req.ConfigValue.ValueString() != "" {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Empty Value",
		fmt.Sprintf("%s: an empty string (\"\") for %s does not mean its default: %s.", req.Path, v.what, v.hint))
}

// notEmptyList refuses [] for what.
func notEmptyList(what, hint string) validator.List {
	return notEmptyListValidator{what: what, hint: hint}
}

type notEmptyListValidator struct{ what, hint string }

func (v notEmptyListValidator) Description(context.Context) string {
	return fmt.Sprintf("%s must not be an empty list", v.what)
}

func (v notEmptyListValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v notEmptyListValidator) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || len(req.ConfigValue.Elements()) > 0 {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Empty List",
		fmt.Sprintf("%s: an empty list ([]) for %s does not mean its default: %s.", req.Path, v.what, v.hint))
}
