package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var accountIDRe = regexp.MustCompile(`^\d{12}$`)

// callerIdentity is the part of STS the account check uses.
type callerIdentity interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// checkAccount refuses credentials of an account not in allowed, or in
// forbidden, as the AWS provider's allowed_account_ids and
// forbidden_account_ids do: a migration against the wrong account's
// database is the mistake these lists exist for. It calls STS only when a
// list is set.
func checkAccount(ctx context.Context, client callerIdentity, allowed, forbidden types.Set) diag.Diagnostics {
	var diags diag.Diagnostics
	if allowed.IsUnknown() || forbidden.IsUnknown() {
		diags.AddError("Account IDs Not Known",
			"allowed_account_ids or forbidden_account_ids depends on a value known only after apply, so the account cannot be checked at plan. Give them values known at plan.")
		return diags
	}
	var allow, forbid []string
	diags.Append(allowed.ElementsAs(ctx, &allow, false)...)
	diags.Append(forbidden.ElementsAs(ctx, &forbid, false)...)
	if diags.HasError() || (len(allow) == 0 && len(forbid) == 0) {
		return diags
	}
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		diags.AddError("Cannot Check AWS Account",
			"While attempting to find the account of the provider's credentials (sts:GetCallerIdentity) for allowed_account_ids / forbidden_account_ids, an error occurred. "+
				"Check the credentials and the sts endpoint: "+err.Error())
		return diags
	}
	account := aws.ToString(out.Account)
	switch {
	case len(allow) > 0 && !slices.Contains(allow, account):
		diags.AddError("AWS Account Not Allowed", fmt.Sprintf(
			"The provider's credentials belong to AWS account %s, which is not in allowed_account_ids (%s). Use credentials (or a profile or assume_role) of an allowed account.",
			account, strings.Join(allow, ", ")))
	case slices.Contains(forbid, account):
		diags.AddError("AWS Account Forbidden", fmt.Sprintf(
			"The provider's credentials belong to AWS account %s, which is in forbidden_account_ids. Use credentials (or a profile or assume_role) of another account.", account))
	}
	return diags
}
