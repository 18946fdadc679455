package localaws_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// A failed (or pending) configuration change comes back as a second set
// beside the deployed one, told apart by DeploymentStatus.
func TestDraftSettingsSet(t *testing.T) {
	for _, status := range []string{"failed", "pending"} {
		t.Run(status, func(t *testing.T) {
			c := world(t, func(s *localaws.Seed) {
				s.Environments[0].Draft = &localaws.DraftSeed{Status: status, Properties: map[string]string{"DEBUG": "true", "ONLY_IN_DRAFT": "x"}}
			})
			out, err := c.eb.DescribeConfigurationSettings(ctx(t), &elasticbeanstalk.DescribeConfigurationSettingsInput{
				ApplicationName: aws.String(localaws.FixtureApp), EnvironmentName: aws.String(localaws.FixtureEnv),
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.ConfigurationSettings) != 2 {
				t.Fatalf("%d settings sets, want 2", len(out.ConfigurationSettings))
			}
			byStatus := map[ebtypes.ConfigurationDeploymentStatus]map[string]string{}
			for _, cs := range out.ConfigurationSettings {
				props := map[string]string{}
				for _, o := range cs.OptionSettings {
					if aws.ToString(o.Namespace) == "aws:elasticbeanstalk:application:environment" {
						props[aws.ToString(o.OptionName)] = aws.ToString(o.Value)
					}
				}
				byStatus[cs.DeploymentStatus] = props
			}
			if byStatus["deployed"]["DEBUG"] != "false" || byStatus["deployed"]["ONLY_IN_DRAFT"] != "" {
				t.Errorf("deployed set = %v", byStatus["deployed"])
			}
			if d := byStatus[ebtypes.ConfigurationDeploymentStatus(status)]; d["DEBUG"] != "true" || d["ONLY_IN_DRAFT"] != "x" {
				t.Errorf("%s set = %v", status, d)
			}
		})
	}
	if _, err := localaws.New(func() localaws.Seed {
		s := localaws.FixtureSeed(t.TempDir())
		s.Environments[0].Draft = &localaws.DraftSeed{Status: "deployed"}
		return s
	}()); err == nil {
		t.Error("a draft with status deployed was accepted")
	}
}
