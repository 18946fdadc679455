package resources

import (
	"context"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

var (
	_ datasource.DataSource              = (*environmentDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*environmentDataSource)(nil)
)

// NewEnvironmentDataSource is the ebmigrate_environment data source.
func NewEnvironmentDataSource() datasource.DataSource { return &environmentDataSource{} }

type environmentDataSource struct {
	clients *ebmigrate.Clients
}

func (d *environmentDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_environment"
}

func (d *environmentDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	list := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "What `ebmigrate_run` would derive its migration task from, for an Elastic Beanstalk environment on the ECS platform, without running anything: " +
			"the environment, its ECS cluster and app task definition, its containers, and the **names** (never the values) of its properties and secrets. " +
			"Reading it makes read-only Elastic Beanstalk and ECS calls only. It takes the names `ebmigrate_run` uses for the same things: `environment_name`, and `task.cluster` and `task.task_definition`.",
		Attributes: map[string]schema.Attribute{
			"environment_name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the Elastic Beanstalk environment.",
				Validators:          []validator.String{envNameValidator()},
			},
			"task": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Where to look, as `ebmigrate_run`'s `task.cluster` and `task.task_definition`.",
				Attributes: map[string]schema.Attribute{
					"cluster":         taskSpec(queryObject).attrs["cluster"].queryAttribute(),
					"task_definition": taskSpec(queryObject).attrs["task_definition"].queryAttribute(),
				},
			},
			"id":                         str("The environment name, as on every object of this provider (the environment id is `environment_id`)."),
			"environment_id":             str("The environment id (`e-…`)."),
			"application_name":           str("The Elastic Beanstalk application."),
			"version_label":              str("The application version deployed now."),
			"status":                     str("The environment's status (`Ready`, `Updating`, …)."),
			"platform_arn":               str("The environment's platform."),
			"cluster_arn":                str("ARN of the environment's ECS cluster."),
			"source_task_definition_arn": str("ARN of the task definition a migration would be derived from (as `ebmigrate_run`'s `last_run.source_task_definition_arn`)."),
			"containers": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The containers of that task definition.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":      str("Container name."),
					"image":     str("Container image."),
					"essential": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the container is essential. A migration runs by default in the one essential container, or among several in the one the others link to or depend on, else the one without host port mappings."},
				}},
			},
			"property_names":  list("Names of the environment properties (`aws:elasticbeanstalk:application:environment`), sorted. Their values are never read into Terraform."),
			"secret_names":    list("Names of the environment secrets (`aws:elasticbeanstalk:application:environmentsecrets`), sorted."),
			"subnets":         list("The environment's subnets (`aws:ec2:vpc` Subnets)."),
			"security_groups": list("The environment's security groups (`aws:autoscaling:launchconfiguration` SecurityGroups)."),
		},
	}
}

func (d *environmentDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = clientsFrom(req.ProviderData, &resp.Diagnostics)
}

type containerModel struct {
	Name      types.String `tfsdk:"name"`
	Image     types.String `tfsdk:"image"`
	Essential types.Bool   `tfsdk:"essential"`
}

type environmentModel struct {
	EnvironmentName types.String `tfsdk:"environment_name"`
	Task            *struct {
		Cluster        types.String `tfsdk:"cluster"`
		TaskDefinition types.String `tfsdk:"task_definition"`
	} `tfsdk:"task"`
	ID                      types.String     `tfsdk:"id"`
	EnvironmentID           types.String     `tfsdk:"environment_id"`
	ApplicationName         types.String     `tfsdk:"application_name"`
	VersionLabel            types.String     `tfsdk:"version_label"`
	Status                  types.String     `tfsdk:"status"`
	PlatformArn             types.String     `tfsdk:"platform_arn"`
	ClusterArn              types.String     `tfsdk:"cluster_arn"`
	SourceTaskDefinitionArn types.String     `tfsdk:"source_task_definition_arn"`
	Containers              []containerModel `tfsdk:"containers"`
	PropertyNames           []string         `tfsdk:"property_names"`
	SecretNames             []string         `tfsdk:"secret_names"`
	Subnets                 []string         `tfsdk:"subnets"`
	SecurityGroups          []string         `tfsdk:"security_groups"`
}

func (d *environmentDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m environmentModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || d.clients == nil {
		return
	}
	in := ebmigrate.DiscoverInput{EnvironmentName: m.EnvironmentName.ValueString()}
	if m.Task != nil {
		in.Cluster, in.SourceTaskDefinition = m.Task.Cluster.ValueString(), m.Task.TaskDefinition.ValueString()
	}
	t, err := ebmigrate.Discover(ctx, *d.clients, in)
	if err != nil {
		addEngineError(&resp.Diagnostics, "reading data source ebmigrate_environment", err)
		return
	}
	m.ID = m.EnvironmentName
	m.EnvironmentID = types.StringValue(t.EnvironmentID)
	m.ApplicationName = types.StringValue(t.ApplicationName)
	m.VersionLabel = types.StringValue(t.VersionLabel)
	m.Status = types.StringValue(t.Status)
	m.PlatformArn = types.StringValue(t.PlatformArn)
	m.ClusterArn = types.StringValue(t.ClusterArn)
	m.SourceTaskDefinitionArn = types.StringValue(aws.ToString(t.SourceTaskDefinition.TaskDefinitionArn))
	m.Containers = []containerModel{}
	for _, c := range t.SourceTaskDefinition.ContainerDefinitions {
		m.Containers = append(m.Containers, containerModel{
			Name:      types.StringValue(aws.ToString(c.Name)),
			Image:     types.StringValue(aws.ToString(c.Image)),
			Essential: types.BoolValue(c.Essential == nil || *c.Essential),
		})
	}
	m.PropertyNames = sortedNames(t.Properties)
	m.SecretNames = sortedNames(t.Secrets)
	m.Subnets = nonNil(t.Subnets)
	m.SecurityGroups = nonNil(t.SecurityGroups)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// sortedNames are a map's keys, never its values.
func sortedNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
