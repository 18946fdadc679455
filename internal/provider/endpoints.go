package provider

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Services the provider calls, with the name each has in
// AWS_ENDPOINT_URL_<SERVICE>.
var endpointEnvNames = map[string]string{
	"ecs":              "ECS",
	"elasticbeanstalk": "ELASTIC_BEANSTALK",
	"logs":             "CLOUDWATCH_LOGS",
	"sts":              "STS",
	"s3":               "S3",
}

// resolveEndpoint picks a service's endpoint: the provider's endpoints block,
// else AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, else "" (the SDK's
// regional default).
func resolveEndpoint(service, configured string, getenv func(string) string) string {
	if v := strings.TrimSpace(configured); v != "" {
		return v
	}
	if v := strings.TrimSpace(getenv("AWS_ENDPOINT_URL_" + endpointEnvNames[service])); v != "" {
		return v
	}
	return strings.TrimSpace(getenv("AWS_ENDPOINT_URL"))
}

// checkEndpointURL tells what is wrong with an endpoint, or nil: it must be
// an absolute http or https URL with a host, as the SDK's BaseEndpoint
// expects (anything else fails every call at apply, after the retries).
func checkEndpointURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil:
		return errors.New("it does not parse as a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("it has no http:// or https:// scheme")
	case u.Host == "" || u.Hostname() == "":
		return errors.New("it has no host")
	}
	return nil
}

// endpointValidator refuses, at plan, an endpoint that is not such a URL.
// Its message names the attribute, not the value (a URL may carry userinfo).
type endpointValidator struct{}

func (endpointValidator) Description(context.Context) string {
	return "an absolute http or https URL with a host"
}

func (v endpointValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (endpointValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || strings.TrimSpace(req.ConfigValue.ValueString()) == "" {
		return
	}
	if err := checkEndpointURL(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Endpoint", invalidEndpoint(req.Path.String(), err))
	}
}

func invalidEndpoint(name string, err error) string {
	return fmt.Sprintf("%s is not an endpoint URL: %v. Write the service's endpoint with its scheme and host, "+
		"for example https://ecs.eu-west-1.amazonaws.com or http://127.0.0.1:4566, or leave it unset for AWS's regional endpoint.", name, err)
}

// bucketNameRe is an S3 general purpose bucket name (S3 User Guide, "General
// purpose bucket naming rules": 3 to 63 characters, lowercase letters,
// numbers, dots and hyphens, beginning and ending with a letter or number).
var bucketNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
