package resources_test

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// awsStandIn is served as registry.terraform.io/hashicorp/aws beside ours
// for TestAccExamples: the examples reference resources of the AWS
// provider, which cannot be downloaded here. It declares only those
// resources and the attributes the examples set or read, as the AWS
// provider spells them; it validates, and refuses to create or change
// anything (the examples are only validated).
type awsStandIn struct{}

// awsStandInResources are the AWS provider's resources the examples use,
// with their attributes (strings; id is computed).
var awsStandInResources = map[string][]string{
	"aws_elastic_beanstalk_environment":         {"name", "application", "solution_stack_name", "version_label"},
	"aws_elastic_beanstalk_application_version": {"name", "application", "bucket", "key"},
}

func (awsStandIn) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "aws"
}

func (awsStandIn) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (awsStandIn) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (awsStandIn) DataSources(context.Context) []func() datasource.DataSource { return nil }

func (awsStandIn) Resources(context.Context) []func() resource.Resource {
	var out []func() resource.Resource
	for name, attrs := range awsStandInResources {
		out = append(out, func() resource.Resource { return standInResource{name: name, attrs: attrs} })
	}
	return out
}

type standInResource struct {
	name  string
	attrs []string
}

func (r standInResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = r.name
}

func (r standInResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{"id": schema.StringAttribute{Computed: true}}
	for _, a := range r.attrs {
		attrs[a] = schema.StringAttribute{Optional: true}
	}
	resp.Schema = schema.Schema{Attributes: attrs}
}

const standInRefusal = "This stand-in of the AWS provider only validates the examples."

func (r standInResource) Create(_ context.Context, _ resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.AddError("Stand-In", standInRefusal)
}

func (r standInResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r standInResource) Update(_ context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.AddError("Stand-In", standInRefusal)
}

func (r standInResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
