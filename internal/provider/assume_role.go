package provider

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
)

// defaultAssumeRoleDuration is assume_role.duration when unset: STS's own
// default for AssumeRole's DurationSeconds (3600) and the AWS CLI's, which
// AWS users expect, rather than the Go SDK's 15 minutes.
const defaultAssumeRoleDuration = time.Hour

// options sets the AssumeRole call of assume_role's credentials.
func (ar *assumeRoleModel) options(o *stscreds.AssumeRoleOptions) {
	o.RoleSessionName = AppID
	if v := ar.SessionName.ValueString(); v != "" {
		o.RoleSessionName = v
	}
	if v := ar.ExternalID.ValueString(); v != "" {
		o.ExternalID = aws.String(v)
	}
	o.Duration = defaultAssumeRoleDuration
	if d, err := time.ParseDuration(ar.Duration.ValueString()); err == nil {
		o.Duration = d
	}
}
