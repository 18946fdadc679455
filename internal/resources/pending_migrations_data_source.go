package resources

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

var (
	_ datasource.DataSource              = (*pendingMigrationsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*pendingMigrationsDataSource)(nil)
)

const defaultQueryTimeout = 10 * time.Minute

// NewPendingMigrationsDataSource is the ebmigrate_pending_migrations data source.
func NewPendingMigrationsDataSource() datasource.DataSource { return &pendingMigrationsDataSource{} }

type pendingMigrationsDataSource struct {
	clients *ebmigrate.Clients
}

func (d *pendingMigrationsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pending_migrations"
}

func (d *pendingMigrationsDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Django migrations an environment's database has not applied yet.\n\n" +
			"**Reading this data source starts an ECS task during `terraform plan`**: it runs `./manage.py showmigrations --plan` (read-only) as a one-off task, " +
			"derived from the environment's task definition exactly as `ebmigrate_run` derives its own (in family `ebmigrate-<environment name>-query`), waits for it, " +
			"and parses its output from CloudWatch Logs, so the app container needs an awslogs configuration. It waits for a migration of the environment that is running. " +
			"Use it as `triggers = { pending = join(\",\", data.ebmigrate_pending_migrations.x.pending) }` of an `ebmigrate_run` to see in the plan which migrations an apply will run, " +
			"and to plan no run when nothing is pending.",
		Attributes: map[string]schema.Attribute{
			"environment_name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the Elastic Beanstalk environment.",
				Validators:          []validator.String{envNameValidator()},
			},
			"command": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "The read-only command that prints the migration plan in Django's `showmigrations --plan` format. " +
					"Defaults to `[\"./manage.py\", \"showmigrations\", \"--plan\"]`.",
				Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
			},
			"container_name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The container to run it in, as in `ebmigrate_run`. Defaults to the one essential container.",
			},
			"cluster": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Name or ARN of the ECS cluster, as in `ebmigrate_run`.",
				Validators:          []validator.String{clusterValidator()},
			},
			"source_task_definition": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Task definition to derive from, as in `ebmigrate_run`.",
				Validators:          []validator.String{taskDefinitionValidator()},
			},
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The environment name."},
			"pending": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The migrations not applied yet, as `app.migration`, in the order they will apply.",
			},
			"applied_count": schema.Int64Attribute{Computed: true, MarkdownDescription: "How many migrations are applied."},
			"task_arn":      schema.StringAttribute{Computed: true, MarkdownDescription: "ARN of the ECS task that ran the command."},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx),
		},
	}
}

func (d *pendingMigrationsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = clientsFrom(req.ProviderData, &resp.Diagnostics)
}

type pendingMigrationsModel struct {
	EnvironmentName      types.String   `tfsdk:"environment_name"`
	Command              types.List     `tfsdk:"command"`
	ContainerName        types.String   `tfsdk:"container_name"`
	Cluster              types.String   `tfsdk:"cluster"`
	SourceTaskDefinition types.String   `tfsdk:"source_task_definition"`
	ID                   types.String   `tfsdk:"id"`
	Pending              []string       `tfsdk:"pending"`
	AppliedCount         types.Int64    `tfsdk:"applied_count"`
	TaskArn              types.String   `tfsdk:"task_arn"`
	Timeouts             timeouts.Value `tfsdk:"timeouts"`
}

func (d *pendingMigrationsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m pendingMigrationsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || d.clients == nil {
		return
	}
	timeout, diags := m.Timeouts.Read(ctx, defaultQueryTimeout)
	resp.Diagnostics.Append(diags...)
	command := ebmigrate.ShowMigrationsCommand
	if !m.Command.IsNull() {
		command = nil
		resp.Diagnostics.Append(m.Command.ElementsAs(ctx, &command, false)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	env := m.EnvironmentName.ValueString()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := ebmigrate.Migrate(ctx, *d.clients, ebmigrate.MigrateInput{
		Discover: ebmigrate.DiscoverInput{EnvironmentName: env, Cluster: m.Cluster.ValueString(), SourceTaskDefinition: m.SourceTaskDefinition.ValueString()},
		Derive: ebmigrate.DeriveSpec{
			Container: m.ContainerName.ValueString(),
			Command:   command,
			Family:    ebmigrate.QueryFamily(env),
		},
		// Each read is its own run: never attach to an earlier query's task.
		Nonce:         time.Now().UTC().Format(time.RFC3339Nano),
		LogLines:      defaultLogLines,
		CollectOutput: true,
	}, tfLogger{ctx})
	doing := fmt.Sprintf("reading the pending migrations of environment %q (running %s)", env, strings.Join(command, " "))
	if err != nil {
		addTaskError(&resp.Diagnostics, "Pending Migrations Query Failed", doing, err)
		return
	}
	if res.Logs.Group == "" {
		resp.Diagnostics.AddError("Output Not Readable",
			fmt.Sprintf("While %s, the command ran but its output cannot be read: the container has no awslogs log configuration with an awslogs-stream-prefix. Give the app container an awslogs configuration.", doing))
		return
	}
	if !res.LogsComplete {
		// A list read from a log that may lack its tail could miss pending
		// migrations: no answer is better than a wrong one.
		resp.Diagnostics.AddError("Output May Be Incomplete",
			fmt.Sprintf("While %s, the command ran but its output could not be read to its end from CloudWatch Logs (%s), so the list of pending migrations may be missing some. Apply again; if it persists, check the provider's logs:GetLogEvents permission. %s", doing, res.Logs.Stream, res.LogsProblem))
		return
	}
	plan, err := ebmigrate.ParseShowMigrationsPlan(res.Output)
	if err != nil {
		addEngineError(&resp.Diagnostics, doing, err)
		return
	}
	m.ID = m.EnvironmentName
	m.Pending = nonNil(plan.Pending)
	m.AppliedCount = types.Int64Value(int64(plan.Applied))
	m.TaskArn = types.StringValue(res.TaskArn)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
