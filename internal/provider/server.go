package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// Server is the provider's protocol 6 server: the framework's, with one
// correction. terraform-plugin-framework v1.19.0 validates an action's
// configuration as if Terraform did not support write-only attributes
// (internal/fwserver/server_validateactionconfig.go passes
// WriteOnlyAttributesAllowed: false for every schema but a resource's), and
// so refuses any value of ebmigrate_migrate's container.environment_wo,
// although action schemas may declare write-only attributes since v1.17.0
// (#1233) and Terraform 1.14, the first Terraform with actions, enforces
// them (ephemeral values only go into write-only action arguments, and are
// never stored in the plan). That one error, "WriteOnly Attribute Not
// Allowed", is dropped from ValidateActionConfig's answer; the attribute's
// own validators still run.
func Server(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		return actionWriteOnly{providerserver.NewProtocol6(New(version)())().(frameworkServer)}
	}
}

// frameworkServer is every RPC the framework's server answers (tf6server
// finds the action, list and state store RPCs by these interfaces).
type frameworkServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ActionServer
	tfprotov6.ListResourceServer
	tfprotov6.StateStoreServer
}

type actionWriteOnly struct{ frameworkServer }

func (s actionWriteOnly) ValidateActionConfig(ctx context.Context, req *tfprotov6.ValidateActionConfigRequest) (*tfprotov6.ValidateActionConfigResponse, error) {
	resp, err := s.frameworkServer.ValidateActionConfig(ctx, req)
	if resp == nil {
		return resp, err
	}
	kept := resp.Diagnostics[:0]
	for _, d := range resp.Diagnostics {
		if d != nil && d.Summary == "WriteOnly Attribute Not Allowed" {
			continue
		}
		kept = append(kept, d)
	}
	resp.Diagnostics = kept
	return resp, err
}
