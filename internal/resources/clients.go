// Package resources is the Terraform face of ebmigrate: the ebmigrate_run
// resource, data sources, and the wording of their diagnostics. The work
// itself is done by package ebmigrate.
package resources

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// ProviderData is what the provider gives its resources, data sources and
// actions when Terraform configures it: the AWS clients, and what one
// configuration's calls share. Terraform configures a provider once for
// each plan and each apply it runs (every walk of its graph configures it,
// and each ebmigrate provider block is one configuration), so the walk
// state is one plan's or one apply's.
type ProviderData struct {
	Clients *ebmigrate.Clients
	walk    *walkState
}

// NewProviderData is the provider data of one configuration.
func NewProviderData(c *ebmigrate.Clients) *ProviderData {
	return &ProviderData{Clients: c, walk: newWalkState()}
}

// clientsFrom does the one checked type assertion of provider data. It
// returns nil without a diagnostic while the provider is not configured yet.
func clientsFrom(data any, diags *diag.Diagnostics) *ebmigrate.Clients {
	if data == nil {
		return nil
	}
	d, ok := data.(*ProviderData)
	if !ok {
		diags.AddError("Unexpected Resource Configure Type",
			fmt.Sprintf("Expected *resources.ProviderData, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return d.Clients
}

// walkFrom is the walk state of provider data (nil when unconfigured).
func walkFrom(data any) *walkState {
	if d, ok := data.(*ProviderData); ok {
		return d.walk
	}
	return nil
}

// tfLogger sends what the engine says to the provider log: engine events at
// INFO, and each line the migration prints at INFO too, so that TF_LOG=INFO
// shows the migration as it runs.
type tfLogger struct{ ctx context.Context }

func (l tfLogger) Info(msg string, fields map[string]any) { tflog.Info(l.ctx, msg, fields) }
func (l tfLogger) Output(line string)                     { tflog.Info(l.ctx, "migration | "+line) }
