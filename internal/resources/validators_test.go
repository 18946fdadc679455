package resources

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestArgumentPatterns(t *testing.T) {
	cases := []struct {
		name  string
		re    interface{ MatchString(string) bool }
		value string
		ok    bool
	}{
		{"environment name", envNameRe, "myapp-prod", true},
		{"environment name, 4 characters", envNameRe, "abcd", true},
		{"environment name, 3 characters", envNameRe, "abc", false},
		{"environment name, 41 characters", envNameRe, "a234567890123456789012345678901234567890b", false},
		{"environment name, leading hyphen", envNameRe, "-myapp", false},
		{"environment name, trailing hyphen", envNameRe, "myapp-", false},
		{"environment name, underscore", envNameRe, "my_app", false},
		{"cluster name", clusterRe, "awseb-myapp-prod-k3u8h9a2bq", true},
		{"cluster ARN", clusterRe, "arn:aws:ecs:eu-west-1:123456789012:cluster/migrations", true},
		{"cluster ARN in GovCloud", clusterRe, "arn:aws-us-gov:ecs:us-gov-west-1:123456789012:cluster/migrations", true},
		{"cluster ARN of a service", clusterRe, "arn:aws:ecs:eu-west-1:123456789012:service/migrations", false},
		{"cluster with a space", clusterRe, "my cluster", false},
		{"task family", taskDefRe, "awseb-myapp-prod-abc123", true},
		{"task family:revision", taskDefRe, "awseb-myapp-prod-abc123:7", true},
		{"task revision 0", taskDefRe, "family:0", false},
		{"task definition ARN", taskDefRe, "arn:aws:ecs:eu-west-1:123456789012:task-definition/app:12", true},
		{"task definition ARN without revision", taskDefRe, "arn:aws:ecs:eu-west-1:123456789012:task-definition/app", false},
		{"task definition with a slash", taskDefRe, "app/web:1", false},
	}
	for _, tc := range cases {
		if got := tc.re.MatchString(tc.value); got != tc.ok {
			t.Errorf("%s: %q matches = %v, want %v", tc.name, tc.value, got, tc.ok)
		}
	}
}

// The command's size is measured as RegisterTaskDefinition sends it (the
// SDK's JSON, which writes "&" as it is; Go's json.Marshal writes \u0026,
// six bytes): a shell command of 13,000 "&" is about 13 KB and fits; 70,000
// characters do not.
func TestCommandSizeMeasuredAsSent(t *testing.T) {
	for _, tc := range []struct {
		word    string
		refused bool
	}{{strings.Repeat("&", 13000), false}, {strings.Repeat("é", 33000), true}, {strings.Repeat("x", 70000), true}} {
		list, _ := types.ListValueFrom(context.Background(), types.StringType, []string{"sh", "-c", tc.word})
		var resp validator.ListResponse
		commandSizeValidator{}.ValidateList(context.Background(), validator.ListRequest{Path: path.Root("command"), ConfigValue: list}, &resp)
		if resp.Diagnostics.HasError() != tc.refused {
			t.Errorf("a command of %d bytes: refused %v, want %v (%v)", len(tc.word), resp.Diagnostics.HasError(), tc.refused, resp.Diagnostics)
		}
	}
}
