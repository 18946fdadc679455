// Package provider is the ebmigrate provider: its configuration schema, and
// the AWS clients it hands to resources and data sources.
package provider

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/resources"
)

var (
	_ provider.Provider            = (*ebmigrateProvider)(nil)
	_ provider.ProviderWithActions = (*ebmigrateProvider)(nil)
)

// AppID is the provider's app id in the User-Agent of its AWS calls.
const AppID = "terraform-provider-ebmigrate"

// DefaultMaxRetries is how often a throttled or failed AWS call is retried.
const DefaultMaxRetries = 5

// New returns the provider factory for a version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &ebmigrateProvider{version: version} }
}

type ebmigrateProvider struct {
	version string
}

func (p *ebmigrateProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "ebmigrate"
	resp.Version = p.version
}

func (p *ebmigrateProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	endpoint := func(service, variable string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Endpoint URL of %s, with its scheme and host (`https://…` or `http://…`; anything else fails the plan). Defaults to `AWS_ENDPOINT_URL_%s`, then `AWS_ENDPOINT_URL`, then the regional AWS endpoint.",
				service, variable),
			Validators: []validator.String{endpointValidator{}},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Runs database schema migrations of applications on AWS Elastic Beanstalk's ECS platform as a one-off ECS task, exactly once per deploy. " +
			"Credentials come from the standard AWS chain: `AWS_*` environment variables, shared config and credentials files, SSO, and instance or task roles.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "AWS region of the Elastic Beanstalk environments. Defaults to `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile's region.",
			},
			"profile": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Named profile of the shared AWS config and credentials files. Defaults to `AWS_PROFILE`.",
			},
			"allowed_account_ids": schema.SetAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "AWS account IDs the provider may work in: any other account's credentials are an error (checked with `sts:GetCallerIdentity`). Conflicts with `forbidden_account_ids`.",
				Validators:          []validator.Set{setvalidator.ConflictsWith(path.MatchRoot("forbidden_account_ids")), setvalidator.ValueStringsAre(stringvalidator.RegexMatches(accountIDRe, "must be a 12-digit AWS account ID"))},
			},
			"forbidden_account_ids": schema.SetAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "AWS account IDs the provider must not work in (checked with `sts:GetCallerIdentity`). Conflicts with `allowed_account_ids`.",
				Validators:          []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(accountIDRe, "must be a 12-digit AWS account ID"))},
			},
			"max_retries": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("How many times an AWS call that was throttled or failed on the server side is retried, with backoff. Defaults to %d.", DefaultMaxRetries),
				Validators:          []validator.Int64{int64validator.Between(0, 100)},
			},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.SingleNestedBlock{
				MarkdownDescription: "An IAM role to assume with the credentials found, for every AWS call.",
				Attributes: map[string]schema.Attribute{
					"role_arn": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "ARN of the role to assume. Required in this block.",
					},
					"session_name": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Session name of the assumed role. Defaults to `terraform-provider-ebmigrate`.",
					},
					"external_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "External ID the role's trust policy requires, if any.",
					},
					"duration": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "How long the assumed role's credentials last, as a Go duration such as `1h` (15m to 12h). Defaults to `1h`, as STS's own `DurationSeconds` and the AWS CLI do (the Go SDK alone would ask for 15m); the role's maximum session duration must allow it, and the provider renews the credentials before they expire.",
						Validators:          []validator.String{durationValidator{}},
					},
				},
			},
			"default_tags": schema.SingleNestedBlock{
				MarkdownDescription: "Tags for every migration task definition the provider registers and every task it runs, as the AWS provider's `default_tags`; an `ebmigrate_run`'s own `tags` win on equal keys.",
				Attributes: map[string]schema.Attribute{
					"tags": schema.MapAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: "Tag keys and values. Values known only after apply are fine: nothing is tagged at plan, and the apply uses the values known then."},
				},
			},
			"lock": schema.SingleNestedBlock{
				MarkdownDescription: "Where the migration lock lives. Before it starts a migration task, an apply takes a lock object with an S3 conditional write " +
					"(`ebmigrate/locks/<lock_key>.json`), so that two migrations of one lock key never run at once; see the guide *Never twice at once*.",
				Attributes: map[string]schema.Attribute{
					"bucket": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "S3 bucket of the lock objects. Defaults to Elastic Beanstalk's storage bucket of the region (`elasticbeanstalk-<region>-<account>`, " +
							"found with `elasticbeanstalk:CreateStorageLocation`, which creates it when the account has none). Every pipeline that migrates the same database must use the same bucket.",
						Validators: []validator.String{stringvalidator.RegexMatches(bucketNameRe, "must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit")},
					},
				},
			},
			"endpoints": schema.SingleNestedBlock{
				MarkdownDescription: "Custom service endpoints, for example for a local AWS such as LocalStack or the project's `localaws`.",
				Attributes: map[string]schema.Attribute{
					"ecs":              endpoint("Amazon ECS", "ECS"),
					"elasticbeanstalk": endpoint("AWS Elastic Beanstalk", "ELASTIC_BEANSTALK"),
					"logs":             endpoint("Amazon CloudWatch Logs", "CLOUDWATCH_LOGS"),
					"sts":              endpoint("AWS STS (used by assume_role)", "STS"),
					"s3":               endpoint("Amazon S3 (application versions' source bundles and the migration lock; path-style addressing when set)", "S3"),
				},
			},
		},
	}
}

type providerModel struct {
	Region     types.String `tfsdk:"region"`
	Profile    types.String `tfsdk:"profile"`
	MaxRetries types.Int64  `tfsdk:"max_retries"`
	Allowed    types.Set    `tfsdk:"allowed_account_ids"`
	Forbidden  types.Set    `tfsdk:"forbidden_account_ids"`
	// DefaultTags is the default_tags block.
	DefaultTags *struct {
		// A types.Map: at plan it may be unknown (see knownTags).
		Tags types.Map `tfsdk:"tags"`
	} `tfsdk:"default_tags"`
	AssumeRole *assumeRoleModel `tfsdk:"assume_role"`
	Endpoints  *endpointsModel  `tfsdk:"endpoints"`
	Lock       *lockModel       `tfsdk:"lock"`
}

type lockModel struct {
	Bucket types.String `tfsdk:"bucket"`
}

type assumeRoleModel struct {
	RoleArn     types.String `tfsdk:"role_arn"`
	SessionName types.String `tfsdk:"session_name"`
	ExternalID  types.String `tfsdk:"external_id"`
	Duration    types.String `tfsdk:"duration"`
}

type endpointsModel struct {
	ECS              types.String `tfsdk:"ecs"`
	ElasticBeanstalk types.String `tfsdk:"elasticbeanstalk"`
	Logs             types.String `tfsdk:"logs"`
	STS              types.String `tfsdk:"sts"`
	S3               types.String `tfsdk:"s3"`
}

func (p *ebmigrateProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.Region.IsUnknown() || m.Profile.IsUnknown() {
		resp.Diagnostics.AddError("Provider Configuration Not Known",
			"The provider's region or profile depends on a value that is known only after apply. Give them values known at plan time.")
		return
	}
	if resp.Diagnostics.Append(checkConfiguration(m)...); resp.Diagnostics.HasError() {
		return
	}
	retries := DefaultMaxRetries
	if !m.MaxRetries.IsNull() && !m.MaxRetries.IsUnknown() {
		retries = int(m.MaxRetries.ValueInt64())
	}
	opts := []func(*config.LoadOptions) error{
		// app/terraform-provider-ebmigrate in the User-Agent: CloudTrail (and
		// localaws) can tell the provider's calls apart.
		config.WithAppID(AppID),
		// One retryer per service client (standard mode: see NewRetryer).
		config.WithRetryer(func() aws.Retryer { return NewRetryer(retries) }),
	}
	if v := m.Region.ValueString(); v != "" {
		opts = append(opts, config.WithRegion(v))
	}
	if v := m.Profile.ValueString(); v != "" {
		opts = append(opts, config.WithSharedConfigProfile(v))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		resp.Diagnostics.AddError("Cannot Load AWS Configuration",
			"While attempting to load the AWS configuration (shared config files, profile, environment), an error occurred: "+err.Error())
		return
	}
	if cfg.Region == "" {
		resp.Diagnostics.AddAttributeError(path.Root("region"), "No AWS Region",
			"No AWS region is configured. Set region in the provider block, or AWS_REGION in the environment.")
		return
	}
	ep := m.Endpoints
	if ep == nil {
		ep = &endpointsModel{}
	}
	endpoint := func(service string, configured types.String) *string {
		if v := resolveEndpoint(service, configured.ValueString(), os.Getenv); v != "" {
			return aws.String(v)
		}
		return nil
	}
	if resp.Diagnostics.Append(checkEndpoints(ep, os.Getenv)...); resp.Diagnostics.HasError() {
		return
	}
	if ar := m.AssumeRole; ar != nil { // checkConfiguration made sure role_arn is set
		stsClient := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = endpoint("sts", ep.STS) })
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, ar.RoleArn.ValueString(), ar.options))
	}
	eb := elasticbeanstalk.NewFromConfig(cfg, func(o *elasticbeanstalk.Options) { o.BaseEndpoint = endpoint("elasticbeanstalk", ep.ElasticBeanstalk) })
	lockBucket := ""
	if m.Lock != nil {
		if m.Lock.Bucket.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root("lock").AtName("bucket"), "Lock Bucket Not Known",
				"lock.bucket depends on a value that is known only after apply. Give it a value known at plan time, or leave it unset for Elastic Beanstalk's storage bucket.")
			return
		}
		lockBucket = m.Lock.Bucket.ValueString()
	}
	clients := &ebmigrate.Clients{
		Region: cfg.Region,
		EB:     eb,
		Locks:  ebmigrate.NewLockPlace(lockBucket, eb),
		ECS:    ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = endpoint("ecs", ep.ECS) }),
		Logs:   cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = endpoint("logs", ep.Logs) }),
		S3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			// Bundles are read with ranged GETs, which never carry the
			// object's checksum: without this the SDK logs "Response has no
			// supported checksum" to stderr on every read.
			o.DisableLogOutputChecksumValidationSkipped = true
			// A custom endpoint (LocalStack, localaws) serves buckets by path.
			if o.BaseEndpoint = endpoint("s3", ep.S3); o.BaseEndpoint != nil {
				o.UsePathStyle = true
			}
		}),
	}
	stsClient := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = endpoint("sts", ep.STS) })
	if resp.Diagnostics.Append(checkAccount(ctx, stsClient, m.Allowed, m.Forbidden)...); resp.Diagnostics.HasError() {
		return
	}
	// Concurrent refreshes of many environments share DescribeEnvironments
	// requests; what reaches Elastic Beanstalk is paced.
	clients.EB = ebmigrate.BatchEnvironmentDescribes(ebmigrate.PaceEnvironmentReads(clients.EB))
	// Every migration of an apply polls through the same buckets, below
	// ECS's and CloudWatch Logs' account quotas.
	clients.ECS = ebmigrate.PaceClusterReads(clients.ECS)
	clients.Logs = ebmigrate.PaceLogReads(clients.Logs, cfg.Region)
	clients.Bundles = ebmigrate.NewBundleCache()
	clients.Discovered = ebmigrate.NewDiscoveryCache()
	if m.DefaultTags != nil {
		var d diag.Diagnostics
		clients.DefaultTags, clients.DefaultTagsUnknown, d = knownTags(ctx, m.DefaultTags.Tags)
		if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
			return
		}
	}
	tflog.Debug(ctx, "configured AWS clients", map[string]any{"region": cfg.Region, "max_retries": retries})
	// One ProviderData per configuration: Terraform configures the provider
	// once per plan and per apply, and what the calls of one share (the ids
	// planned so far) lives there.
	data := resources.NewProviderData(clients)
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ActionData = data
}

func (p *ebmigrateProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{resources.NewRunResource}
}

func (p *ebmigrateProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{resources.NewEnvironmentDataSource, resources.NewPendingMigrationsDataSource}
}

// Actions are offered to Terraform 1.14 and later; older Terraform and
// OpenTofu do not ask for them, and use ebmigrate_run.
func (p *ebmigrateProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{resources.NewMigrateAction}
}

// durationValidator accepts Go durations between 15 minutes and 12 hours.
type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "a duration such as 1h, between 15m and 12h"
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil || d < 15*time.Minute || d > 12*time.Hour {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%q is not a duration between 15m and 12h. Write it as a Go duration, for example 1h or 90m.", req.ConfigValue.ValueString()))
	}
}
