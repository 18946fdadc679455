package resources

import (
	"context"
	"fmt"
	"time"

	dtimeouts "github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

var (
	_ datasource.DataSource                   = (*pendingMigrationsDataSource)(nil)
	_ datasource.DataSourceWithConfigure      = (*pendingMigrationsDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*pendingMigrationsDataSource)(nil)
)

const defaultQueryTimeout = 10 * time.Minute

// NewPendingMigrationsDataSource is the ebmigrate_pending_migrations data source.
func NewPendingMigrationsDataSource() datasource.DataSource { return &pendingMigrationsDataSource{} }

type pendingMigrationsDataSource struct {
	clients *ebmigrate.Clients
	walk    *walkState
}

func (d *pendingMigrationsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pending_migrations"
}

func (d *pendingMigrationsDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Django migrations an environment's database has not applied yet, for the code that will run them, with their operations in Django's words and which of them destroy data. " +
			"**Reading this data source starts a read-only ECS task during `terraform plan`.**",
		Attributes: map[string]schema.Attribute{
			"environment_name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the Elastic Beanstalk environment.",
				Validators:          []validator.String{envNameValidator()},
			},
			"command": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "The read-only command that prints the migration plan in the format of Django's `migrate --plan` (or, for `pending` and `applied_count` only, `showmigrations --plan`). " +
					"It runs under a short Python relay that proves its output complete (`python3 -I -c …`, then the command), so the image needs `python3` on its `PATH`. " +
					"Defaults to `[\"./manage.py\", \"migrate\", \"--plan\"]`.",
				Validators: []validator.List{listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(notEmpty("a command word", "remove the empty word"), noNULValidator("a command word")), commandSizeValidator{}},
			},
			"lock_key": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: lockKeyDescription + " The query takes no lock; when a migration of the key holds it while the query runs, a warning says that the list may include migrations it is applying.",
				Validators:          lockKeyValidators(),
			},
			"version_label": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The application version whose code asks, as `ebmigrate_run`'s `version_label`: when it is not the deployed version, the query runs the image that version's `Dockerrun.aws.json` gives the container, " +
					"so that it knows that version's migrations. Defaults to the deployed version.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, maxVersionLabel)},
			},
			"phase":           phaseSpec(queryObject).queryAttribute(),
			"code_operations": codeOperationsSpec(queryObject).queryAttribute(),
			"phases":          phasesAttribute(),
			"container":       containerSpec(queryObject).queryAttribute(),
			"task":            taskSpec(queryObject).queryAttribute(),
			"logs":            logsSpec(queryObject).queryAttribute(),
			"timeouts":        queryTimeoutsAttribute(ctx),
			"id":              schema.StringAttribute{Computed: true, MarkdownDescription: "The environment name, as on every object of this provider."},
			"pending": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The migrations not applied yet, as `app.migration`, in the order they will apply; with `phase`, those that phase applies (`phases` has both lists).",
			},
			"operations": schema.MapAttribute{
				Computed:    true,
				ElementType: types.ListType{ElemType: types.StringType},
				MarkdownDescription: "Each pending migration's operations, as Django describes them in `migrate --plan` (\"Add field price_cents to product\", \"Remove field sku from product\", " +
					"\"Raw SQL operation -> DROP TABLE …\", cut by Django to 40 characters). Empty when the command prints `showmigrations --plan`. With `phase`, every pending migration's (of both phases), in the same words.",
			},
			"destructive": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The pending migrations with at least one operation that destroys or renames data: a removed field, a deleted model, a renamed field, model or table, " +
					"or raw SQL whose text (as far as Django shows it) drops, truncates or deletes. Django's description of an altered field does not say its new type, so \"Alter field\" is not counted: read `operations`. With `phase`, those of the phase.",
			},
			"irreversible": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The migrations Django marks `IRREVERSIBLE` (an operation without reverse code). Django says so only in a backwards plan, so with the default (forwards) command this is empty.",
			},
			"applied_count": schema.Int64Attribute{Computed: true, MarkdownDescription: "How many migrations are applied, when the command prints `showmigrations --plan`; null with `migrate --plan`, which does not say."},
			"task_arn":      schema.StringAttribute{Computed: true, MarkdownDescription: "ARN of the ECS task that ran the command."},
		},
	}
}

// queryTimeoutsAttribute is timeouts = { read }.
func queryTimeoutsAttribute(ctx context.Context) schema.Attribute {
	a := dtimeouts.Attributes(ctx).(schema.SingleNestedAttribute)
	a.MarkdownDescription = "How long the query may take. What happens to a task still running then is `task.stop_on_timeout`."
	s := a.Attributes["read"].(schema.StringAttribute)
	s.Description = ""
	s.MarkdownDescription = fmt.Sprintf("How long a read may wait for the query: a duration of at least %s, such as `\"5m\"`. Defaults to `%s`.", minRunTimeout, durationString(defaultQueryTimeout))
	s.Validators = []validator.String{durationAtLeast(minRunTimeout)} // names the argument, as the framework's own does not
	a.Attributes["read"] = s
	return a
}

// ValidateConfig applies the rules between arguments that the
// configuration alone decides, as ebmigrate_run's (config_rules.go).
func (d *pendingMigrationsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	resp.Diagnostics.Append(validateMigrationConfig(ctx, req.Config, queryObject)...)
}

func (d *pendingMigrationsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = clientsFrom(req.ProviderData, &resp.Diagnostics)
	d.walk = walkFrom(req.ProviderData)
}

type pendingMigrationsModel struct {
	EnvironmentName types.String    `tfsdk:"environment_name"`
	Command         types.List      `tfsdk:"command"`
	VersionLabel    types.String    `tfsdk:"version_label"`
	LockKey         types.String    `tfsdk:"lock_key"`
	Phase           types.String    `tfsdk:"phase"`
	CodeOperations  types.String    `tfsdk:"code_operations"`
	Phases          types.Object    `tfsdk:"phases"`
	Container       types.Object    `tfsdk:"container"`
	Task            types.Object    `tfsdk:"task"`
	Logs            types.Object    `tfsdk:"logs"`
	ID              types.String    `tfsdk:"id"`
	Pending         []string        `tfsdk:"pending"`
	Operations      types.Map       `tfsdk:"operations"`
	Destructive     []string        `tfsdk:"destructive"`
	Irreversible    []string        `tfsdk:"irreversible"`
	AppliedCount    types.Int64     `tfsdk:"applied_count"`
	TaskArn         types.String    `tfsdk:"task_arn"`
	Timeouts        dtimeouts.Value `tfsdk:"timeouts"`
}

// queryInput is the engine's input for the query: ebmigrate_run's
// conversion of the same arguments (so that it runs where and as the
// migration does), with the query's own command, family and guard.
func (m *pendingMigrationsModel) queryInput(ctx context.Context, defaultTags map[string]string) (ebmigrate.MigrateInput, diag.Diagnostics) {
	var diags diag.Diagnostics
	widen := func(o types.Object, attrTypes map[string]attr.Type) types.Object {
		w, d := widenObject(ctx, o, attrTypes)
		diags.Append(d...)
		return w
	}
	command := m.Command
	if command.IsNull() {
		command, _ = types.ListValueFrom(ctx, types.StringType, ebmigrate.MigratePlanCommand)
	}
	args := runArgs{
		EnvironmentName: m.EnvironmentName, VersionLabel: m.VersionLabel, Command: command,
		Container: widen(m.Container, containerAttrTypes), Task: widen(m.Task, taskAttrTypes), Logs: widen(m.Logs, logsAttrTypes),
		Tags: types.MapNull(types.StringType), EnvironmentWO: types.MapNull(types.StringType),
		LockKey: m.LockKey,
	}
	in, d := args.migrateInput(ctx)
	diags.Append(d...)
	in.Derive.Family = ebmigrate.QueryFamily(m.EnvironmentName.ValueString())
	in.Derive.Tags = mergeTags(defaultTags, types.MapNull(types.StringType))
	// Apart from migrations; a query of the same content that is running
	// already is attached to, not run twice.
	in.Query = true
	in.CollectOutput = true
	// The list is parsed from the output: only output proven whole is
	// parsed (the command runs under the engine's output relay).
	in.ProveOutput = true
	return in, diags
}

func (d *pendingMigrationsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m pendingMigrationsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || d.clients == nil {
		return
	}
	timeout, diags := m.Timeouts.Read(ctx, defaultQueryTimeout)
	resp.Diagnostics.Append(diags...)
	in, diags := m.queryInput(ctx, d.clients.DefaultTags)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	env := m.EnvironmentName.ValueString()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if !m.Phase.IsNull() {
		d.readPhases(ctx, &m, in, resp)
		return
	}
	m.Phases = types.ObjectNull(phasesAttrTypes)
	res, err := ebmigrate.Migrate(ctx, *d.clients, in, tfLogger{ctx})
	doing := fmt.Sprintf("reading the pending migrations of environment %q (running %s)", env, commandName(in.Derive.Command))
	if err != nil {
		summary, detail, at := errorDiagnostic("Pending Migrations Query Failed", doing, err)
		addDiagnostic(&resp.Diagnostics, summary, detail+queryFailureNote, at)
		return
	}
	if res.Logs.Group == "" {
		resp.Diagnostics.AddError("Output Not Readable",
			fmt.Sprintf("While %s, the command ran but its output cannot be read: the container has no awslogs log configuration with an awslogs-stream-prefix. Give the app container an awslogs configuration.%s", doing, queryFailureNote))
		return
	}
	if !res.LogsComplete {
		// A list read from a log that may lack its tail could miss pending
		// migrations: no answer is better than a shorter one.
		resp.Diagnostics.AddError("Output Incomplete",
			fmt.Sprintf("While %s, the command ran but its output could not be proven complete from CloudWatch Logs (group %s, stream %s): %s. A list read from it could miss pending migrations, so none is given. Plan again: CloudWatch Logs may have shown the rest late. If it persists, check the provider's logs:GetLogEvents permission, and that the image's entrypoint runs the command it is given (exec \"$@\"): the query runs its command under a short Python relay that numbers each line and prints, last, how many there were.%s",
				doing, res.Logs.Group, res.Logs.Stream, res.LogsProblem, queryFailureNote))
		return
	}
	if res.MigrationRunning != "" {
		resp.Diagnostics.AddWarning("Migration Running While Reading", res.MigrationRunning)
	}
	if res.PruneError != nil {
		resp.Diagnostics.AddWarning("Old Task Definitions Not Deregistered",
			fmt.Sprintf("While %s, pruning old revisions of family %s failed: %v", doing, ebmigrate.QueryFamily(env), res.PruneError))
	}
	resp.Diagnostics.Append(d.cleanLegacyQueryFamily(ctx, env)...)
	resp.Diagnostics.Append(m.setPlan(ctx, res, doing)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.ID = m.EnvironmentName
	m.TaskArn = types.StringValue(res.TaskArn)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// queryFailureNote ends a failed query's error: a data source is read in
// every plan, destroy's included, and the provider cannot tell which.
const queryFailureNote = "\n\nNothing was migrated: this is the read-only query of ebmigrate_pending_migrations, which Terraform reads in every plan, " +
	"terraform destroy's and -refresh=false's included. To go on without it, read it only when wanted (count = 0), or destroy with terraform destroy -refresh=false, which reads no data source."

// cleanLegacyQueryFamily deregisters and deletes, once per plan (provider
// configuration), the environment's revisions in the pre-1.0 query family
// ebmigrate-<env>-query (ebmigrate.DeleteLegacyQueryRevisions); a failure
// is a warning, since the query itself succeeded.
func (d *pendingMigrationsDataSource) cleanLegacyQueryFamily(ctx context.Context, env string) diag.Diagnostics {
	var diags diag.Diagnostics
	if d.walk == nil || !d.walk.firstLegacyClean(env) {
		return diags
	}
	deleted, err := ebmigrate.DeleteLegacyQueryRevisions(ctx, d.clients.ECS, env)
	if len(deleted) > 0 {
		tflog.Info(ctx, "deleted the revisions of the old query family", map[string]any{"family": ebmigrate.LegacyQueryFamily(env), "revisions": deleted})
	}
	if err != nil {
		diags.AddWarning("Old Query Task Definitions Not Deleted",
			fmt.Sprintf("The pending migrations of environment %q were read, but deleting the revisions of the old query family %s (tagged ebmigrate:environment-name = %s) failed; the next plan tries again: %v",
				env, ebmigrate.LegacyQueryFamily(env), env, err))
	}
	return diags
}

// setPlan reads the command's output: migrate --plan, or else
// showmigrations --plan (pending and applied_count only). The engine parses
// it as printed and redacts the operations' descriptions and quoted lines.
func (m *pendingMigrationsModel) setPlan(ctx context.Context, res *ebmigrate.Result, doing string) diag.Diagnostics {
	var diags diag.Diagnostics
	plan, err := res.MigratePlan()
	shown, showErr := res.ShowMigrationsPlan()
	m.AppliedCount = types.Int64Null()
	if showErr == nil {
		m.AppliedCount = types.Int64Value(int64(shown.Applied))
	}
	switch {
	case err == nil:
		m.Pending = plan.Pending()
		m.Destructive = plan.Destructive()
		m.Irreversible = plan.Irreversible()
		ops, d := types.MapValueFrom(ctx, types.ListType{ElemType: types.StringType}, plan.Operations())
		diags.Append(d...)
		m.Operations = ops
	case showErr == nil:
		m.Pending = nonNil(shown.Pending)
		m.Destructive, m.Irreversible = []string{}, []string{}
		m.Operations = types.MapValueMust(types.ListType{ElemType: types.StringType}, map[string]attr.Value{})
	default:
		addEngineError(&diags, doing, err)
	}
	return diags
}
