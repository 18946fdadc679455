package provider

import "strings"

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
