package resources_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// awsStandIn is served as hashicorp/aws beside ours: the examples and the
// zero-downtime tests use resources of the AWS provider, which cannot be
// downloaded here. It declares only those resources and the attributes
// they set or read, as the AWS provider spells them. Unconfigured, it
// validates and refuses to create or change anything (TestAccExamples only
// validates); with endpoints { elasticbeanstalk = <localaws> }, its
// aws_elastic_beanstalk_environment deploys its version_label as the AWS
// provider's does: UpdateEnvironment, then wait until the environment is
// Ready with that version (the AWS provider's resourceEnvironmentUpdate and
// its waitEnvironmentReady), the deploy the phases go around.
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

func (awsStandIn) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = pschema.Schema{
		Attributes: map[string]pschema.Attribute{"region": pschema.StringAttribute{Optional: true}},
		Blocks: map[string]pschema.Block{"endpoints": pschema.ListNestedBlock{NestedObject: pschema.NestedBlockObject{
			Attributes: map[string]pschema.Attribute{"elasticbeanstalk": pschema.StringAttribute{Optional: true}},
		}}},
	}
}

type standInConfig struct {
	Region    types.String `tfsdk:"region"`
	Endpoints []struct {
		ElasticBeanstalk types.String `tfsdk:"elasticbeanstalk"`
	} `tfsdk:"endpoints"`
}

func (awsStandIn) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var c standInConfig
	resp.Diagnostics.Append(req.Config.Get(ctx, &c)...)
	if resp.Diagnostics.HasError() || len(c.Endpoints) == 0 || c.Endpoints[0].ElasticBeanstalk.ValueString() == "" {
		return
	}
	cfg := aws.Config{Region: c.Region.ValueString(), Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", "")}
	resp.ResourceData = elasticbeanstalk.NewFromConfig(cfg, func(o *elasticbeanstalk.Options) {
		o.BaseEndpoint = aws.String(c.Endpoints[0].ElasticBeanstalk.ValueString())
	})
}

func (awsStandIn) DataSources(context.Context) []func() datasource.DataSource { return nil }

func (awsStandIn) Resources(context.Context) []func() resource.Resource {
	var out []func() resource.Resource
	for name, attrs := range awsStandInResources {
		out = append(out, func() resource.Resource { return &standInResource{name: name, attrs: attrs} })
	}
	return out
}

type standInResource struct {
	name  string
	attrs []string
	eb    *elasticbeanstalk.Client // nil: validate only
}

func (r *standInResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = r.name
}

func (r *standInResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{"id": schema.StringAttribute{Computed: true}}
	for _, a := range r.attrs {
		attrs[a] = schema.StringAttribute{Optional: true}
	}
	resp.Schema = schema.Schema{Attributes: attrs}
}

func (r *standInResource) Configure(_ context.Context, req resource.ConfigureRequest, _ *resource.ConfigureResponse) {
	r.eb, _ = req.ProviderData.(*elasticbeanstalk.Client)
}

const standInRefusal = "This stand-in of the AWS provider only validates the examples, unless endpoints.elasticbeanstalk points it at a localaws (then its aws_elastic_beanstalk_environment deploys)."

// standInEnvironment is aws_elastic_beanstalk_environment as the stand-in
// reads it.
type standInEnvironment struct {
	ID                types.String `tfsdk:"id"`
	Name              types.String `tfsdk:"name"`
	Application       types.String `tfsdk:"application"`
	SolutionStackName types.String `tfsdk:"solution_stack_name"`
	VersionLabel      types.String `tfsdk:"version_label"`
}

// Create adopts the environment of that name (the tests' localaws has it)
// and deploys version_label when it is not the deployed one.
func (r *standInResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.eb == nil || r.name != "aws_elastic_beanstalk_environment" {
		resp.Diagnostics.AddError("Stand-In", standInRefusal)
		return
	}
	var m standInEnvironment
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	env, err := r.deploy(ctx, m.Name.ValueString(), m.VersionLabel.ValueString(), true)
	if err != nil {
		resp.Diagnostics.AddError("Stand-In Deploy Failed", err.Error())
		return
	}
	m.ID = types.StringValue(aws.ToString(env.EnvironmentId))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *standInResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

// Update deploys a new version_label.
func (r *standInResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.eb == nil || r.name != "aws_elastic_beanstalk_environment" {
		resp.Diagnostics.AddError("Stand-In", standInRefusal)
		return
	}
	var plan, state standInEnvironment
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if _, err := r.deploy(ctx, plan.Name.ValueString(), plan.VersionLabel.ValueString(), false); err != nil {
		resp.Diagnostics.AddError("Stand-In Deploy Failed", err.Error())
		return
	}
	plan.ID = state.ID
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *standInResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// deploy makes Elastic Beanstalk deploy version to the environment (unless
// adopting finds it deployed) and waits until it is Ready with it, polling
// below Elastic Beanstalk's describe quota.
func (r *standInResource) deploy(ctx context.Context, name, version string, adopting bool) (*ebtypes.EnvironmentDescription, error) {
	describe := func() (*ebtypes.EnvironmentDescription, error) {
		out, err := r.eb.DescribeEnvironments(ctx, &elasticbeanstalk.DescribeEnvironmentsInput{EnvironmentNames: []string{name}, IncludeDeleted: aws.Bool(false)})
		if err != nil {
			return nil, err
		}
		if len(out.Environments) == 0 {
			return nil, fmt.Errorf("no environment %q", name)
		}
		return &out.Environments[0], nil
	}
	env, err := describe()
	if err != nil {
		return nil, err
	}
	if !adopting || aws.ToString(env.VersionLabel) != version {
		if _, err := r.eb.UpdateEnvironment(ctx, &elasticbeanstalk.UpdateEnvironmentInput{EnvironmentName: aws.String(name), VersionLabel: aws.String(version)}); err != nil {
			return nil, err
		}
	}
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if env, err = describe(); err != nil {
			return nil, err
		}
		if env.Status == ebtypes.EnvironmentStatusReady && aws.ToString(env.VersionLabel) == version {
			return env, nil
		}
	}
	return nil, fmt.Errorf("environment %q not Ready with version %s after 2 minutes", name, version)
}
