package provider

import "testing"

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
