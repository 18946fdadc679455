package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// knownTags reads default_tags. At plan they may depend on values known only
// after apply (a tag from another resource): nothing is tagged at plan, so
// they are left out then and unknown is true; Terraform configures the
// provider again for the apply, with the values known.
func knownTags(ctx context.Context, tags types.Map) (map[string]string, bool, diag.Diagnostics) {
	if tags.IsNull() {
		return nil, false, nil
	}
	if tags.IsUnknown() {
		return nil, true, nil
	}
	for _, v := range tags.Elements() {
		if v.IsUnknown() {
			return nil, true, nil
		}
	}
	out := map[string]string{}
	diags := tags.ElementsAs(ctx, &out, false)
	return out, false, diags
}
