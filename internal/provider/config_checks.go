package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// checkConfiguration refuses what the AWS provider refuses too, instead of
// quietly doing something else: an assume_role block without a known
// role_arn (which would run with the caller's own credentials), and an
// endpoint known only after apply (which would fall back to AWS itself).
func checkConfiguration(m providerModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if ar := m.AssumeRole; ar != nil {
		p := path.Root("assume_role").AtName("role_arn")
		switch {
		case ar.RoleArn.IsUnknown():
			diags.AddAttributeError(p, "Role ARN Not Known",
				"assume_role's role_arn depends on a value known only after apply, so the provider cannot know which role to assume at plan time. "+
					"Give it a value known at plan (a literal, a variable, or a data source), or configure the role in a separate apply.")
		case ar.RoleArn.IsNull() || ar.RoleArn.ValueString() == "":
			diags.AddAttributeError(p, "Missing Role ARN",
				"The assume_role block has no role_arn, and the provider would otherwise run with the credentials it found instead of the role. Set role_arn to the ARN of the role to assume, or remove the block.")
		}
	}
	if ep := m.Endpoints; ep != nil {
		for _, e := range []struct {
			name  string
			value types.String
		}{{"ecs", ep.ECS}, {"elasticbeanstalk", ep.ElasticBeanstalk}, {"logs", ep.Logs}, {"sts", ep.STS}, {"s3", ep.S3}} {
			if e.value.IsUnknown() {
				diags.AddAttributeError(path.Root("endpoints").AtName(e.name), "Endpoint Not Known",
					"endpoints."+e.name+" depends on a value known only after apply; the provider would call AWS's own endpoint at plan instead. "+
						"Give it a value known at plan, or create what serves it in a separate apply.")
			}
		}
	}
	return diags
}

// checkEndpoints checks the endpoints the provider will use, configured or
// from AWS_ENDPOINT_URL_<SERVICE> / AWS_ENDPOINT_URL (the schema's validator
// has checked the configured ones already, with their source location).
func checkEndpoints(ep *endpointsModel, getenv func(string) string) diag.Diagnostics {
	var diags diag.Diagnostics
	reported := map[string]bool{}
	for _, e := range []struct {
		name  string
		value types.String
	}{{"ecs", ep.ECS}, {"elasticbeanstalk", ep.ElasticBeanstalk}, {"logs", ep.Logs}, {"sts", ep.STS}, {"s3", ep.S3}} {
		if strings.TrimSpace(e.value.ValueString()) != "" {
			continue
		}
		for _, variable := range []string{"AWS_ENDPOINT_URL_" + endpointEnvNames[e.name], "AWS_ENDPOINT_URL"} {
			v := strings.TrimSpace(getenv(variable))
			if v == "" {
				continue
			}
			if err := checkEndpointURL(v); err != nil && !reported[variable] {
				reported[variable] = true
				diags.AddError("Invalid Endpoint", invalidEndpoint("The environment variable "+variable+" (the "+e.name+" endpoint)", err))
			}
			break
		}
	}
	return diags
}
