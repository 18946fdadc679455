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

// clientsFrom does the one checked type assertion of provider data. It
// returns nil without a diagnostic while the provider is not configured yet.
func clientsFrom(data any, diags *diag.Diagnostics) *ebmigrate.Clients {
	if data == nil {
		return nil
	}
	c, ok := data.(*ebmigrate.Clients)
	if !ok {
		diags.AddError("Unexpected Resource Configure Type",
			fmt.Sprintf("Expected *ebmigrate.Clients, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return c
}

// tfLogger sends what the engine says to the provider log: engine events at
// INFO, and each line the migration prints at INFO too, so that TF_LOG=INFO
// shows the migration as it runs.
type tfLogger struct{ ctx context.Context }

func (l tfLogger) Info(msg string, fields map[string]any) { tflog.Info(l.ctx, msg, fields) }
func (l tfLogger) Output(line string)                     { tflog.Info(l.ctx, "migration | "+line) }
