// Command floorprovider is the floor of the plan at scale in cmd/bench: a
// provider on the same framework as ebmigrate that does nothing, served
// under ebmigrate's address (bench points a working directory at it). It has
// ebmigrate's provider schema and two resource types: ebmigrate_floor, with
// the three arguments the benchmark sets, and ebmigrate_run, with
// ebmigrate_run's schema but no Configure, no validators beyond the schema's,
// no ModifyPlan, no Read call. A plan of either shows what Terraform and the
// framework cost before anything of ebmigrate_run's own.
package main

import (
	"context"
	"log"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	ebprovider "github.com/ebmigrate/terraform-provider-ebmigrate/internal/provider"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/resources"
)

type floorProvider struct{ ebmigrate provider.Provider }

func (p floorProvider) Metadata(ctx context.Context, req provider.MetadataRequest, resp *provider.MetadataResponse) {
	p.ebmigrate.Metadata(ctx, req, resp)
}

func (p floorProvider) Schema(ctx context.Context, req provider.SchemaRequest, resp *provider.SchemaResponse) {
	p.ebmigrate.Schema(ctx, req, resp)
}

func (floorProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (floorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		func() resource.Resource { return noop{name: "_floor", schema: floorSchema} },
		func() resource.Resource {
			return noop{name: "_run", schema: func(ctx context.Context, resp *resource.SchemaResponse) {
				resources.NewRunResource().Schema(ctx, resource.SchemaRequest{}, resp)
			}}
		},
	}
}

func (floorProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

func floorSchema(_ context.Context, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"environment_name": schema.StringAttribute{Required: true},
		"version_label":    schema.StringAttribute{Required: true},
		"command":          schema.ListAttribute{ElementType: types.StringType, Optional: true},
	}}
}

// noop plans what Terraform proposes and stores what it plans.
type noop struct {
	name   string
	schema func(context.Context, *resource.SchemaResponse)
}

func (r noop) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + r.name
}

func (r noop) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	r.schema(ctx, resp)
}

func (noop) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (noop) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (noop) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (noop) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

func main() {
	// As ebmigrate's main does when Terraform shows no provider logs, and
	// its garbage collector's pace.
	for _, v := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_EBMIGRATE"} {
		_ = os.Setenv(v, "off")
	}
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(48 << 20)
	err := providerserver.Serve(context.Background(), func() provider.Provider { return floorProvider{ebprovider.New("floor")()} }, providerserver.ServeOpts{
		Address:         "registry.terraform.io/ebmigrate/ebmigrate",
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err)
	}
}
