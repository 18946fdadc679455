package provider

import (
	"strings"
	"testing"
)

func TestResolveEndpointPrecedence(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	cases := []struct {
		name       string
		service    string
		configured string
		vars       map[string]string
		want       string
	}{
		{"nothing set", "ecs", "", nil, ""},
		{"global variable", "ecs", "", map[string]string{"AWS_ENDPOINT_URL": "http://global"}, "http://global"},
		{"service variable beats global", "ecs", "", map[string]string{"AWS_ENDPOINT_URL": "http://global", "AWS_ENDPOINT_URL_ECS": "http://ecs"}, "http://ecs"},
		{"block beats both", "ecs", "http://block", map[string]string{"AWS_ENDPOINT_URL": "http://global", "AWS_ENDPOINT_URL_ECS": "http://ecs"}, "http://block"},
		{"elastic beanstalk variable name", "elasticbeanstalk", "", map[string]string{"AWS_ENDPOINT_URL_ELASTIC_BEANSTALK": "http://eb"}, "http://eb"},
		{"logs variable name", "logs", "", map[string]string{"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": "http://logs", "AWS_ENDPOINT_URL_ECS": "http://ecs"}, "http://logs"},
		{"another service's variable does not count", "sts", "", map[string]string{"AWS_ENDPOINT_URL_ECS": "http://ecs"}, ""},
	}
	for _, tc := range cases {
		if got := resolveEndpoint(tc.service, tc.configured, env(tc.vars)); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestCheckEndpointURL(t *testing.T) {
	for _, ok := range []string{"https://ecs.eu-west-1.amazonaws.com", "http://127.0.0.1:4566", " http://localhost:8080/ ", "https://vpce-1.ecs.eu-west-1.vpce.amazonaws.com/path"} {
		if err := checkEndpointURL(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"not a url", "ecs.eu-west-1.amazonaws.com", "127.0.0.1:4566", "ftp://host", "http://", "https:///path", "http://:80", "http://[::1"} {
		if err := checkEndpointURL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestCheckEndpointsFromEnvironment: an AWS_ENDPOINT_URL* variable the
// provider would use is checked too, named once, without its value.
func TestCheckEndpointsFromEnvironment(t *testing.T) {
	env := map[string]string{"AWS_ENDPOINT_URL": "user:pa55word@not a url", "AWS_ENDPOINT_URL_ECS": "http://127.0.0.1:4566"}
	diags := checkEndpoints(&endpointsModel{}, func(k string) string { return env[k] })
	if len(diags) != 1 || !strings.Contains(diags[0].Detail(), "AWS_ENDPOINT_URL (the elasticbeanstalk endpoint)") || strings.Contains(diags[0].Detail(), "pa55word") {
		t.Errorf("diagnostics: %v", diags)
	}
	if diags := checkEndpoints(&endpointsModel{}, func(k string) string { return map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}[k] }); diags.HasError() {
		t.Errorf("a valid variable refused: %v", diags)
	}
}
