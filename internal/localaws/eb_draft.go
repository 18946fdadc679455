package localaws

import (
	"fmt"
	"time"
)

// An environment's draft configuration: "When describing the settings for
// the configuration set associated with a running environment, it is
// possible to receive two sets of setting descriptions. One is the deployed
// configuration set, and the other is a draft configuration of an
// environment that is either in the process of deployment or that failed to
// deploy" (botocore elasticbeanstalk DescribeConfigurationSettings;
// ConfigurationSettingsDescription.DeploymentStatus: deployed, pending, failed).

// DraftSeed is the seed's "draft" of an environment.
type DraftSeed struct {
	// Status is "pending" or "failed".
	Status string `json:"status"`
	// Properties and Secrets replace the deployed ones in the draft set.
	Properties map[string]string `json:"properties"`
	Secrets    map[string]string `json:"secrets"`
}

func (d *DraftSeed) validate(env string) error {
	if d == nil || d.Status == "pending" || d.Status == "failed" {
		return nil
	}
	return fmt.Errorf("environment %s: draft status %q must be \"pending\" or \"failed\"", env, d.Status)
}

// withDraft returns the deployed set and, when the environment has one, its
// draft beside it.
func withDraft(e *environment, deployed xmlConfigurationSettings) []xmlConfigurationSettings {
	if e.draft == nil {
		return []xmlConfigurationSettings{deployed}
	}
	draft := deployed
	draft.DeploymentStatus = e.draft.Status
	draft.DateUpdated = xmlTime(time.Now().UTC())
	draft.OptionSettings = optionSettings(e, e.draft.Properties, e.draft.Secrets)
	return []xmlConfigurationSettings{deployed, draft}
}
