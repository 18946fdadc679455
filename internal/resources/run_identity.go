package resources

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// What makes one ebmigrate_run itself: its environment and its name. They
// are its identity (Terraform 1.12 and later: `import { identity = {...} }`,
// and the identity in `terraform show -json`), its id and import address
// (`<environment name>` or `<environment name>/<name>`), and one plan may
// not have two of them (claimID).

var _ resource.ResourceWithIdentity = (*runResource)(nil)

func (r *runResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"environment_name": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "Name of the Elastic Beanstalk environment.",
			},
			"name": identityschema.StringAttribute{
				OptionalForImport: true,
				Description:       "Which of the environment's migrations (ebmigrate_run's name); defaults to migrate.",
			},
		},
	}
}

type runIdentity struct {
	EnvironmentName types.String `tfsdk:"environment_name"`
	Name            types.String `tfsdk:"name"`
}

// setIdentity records the identity of a resource (nil: Terraform before
// 1.12 has none).
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, env, name types.String) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	if name.IsNull() || name.ValueString() == "" {
		name = types.StringValue(defaultName)
	}
	return identity.Set(ctx, runIdentity{EnvironmentName: env, Name: name})
}

// ImportState adopts an environment's migrations without running anything:
// the state records its deployed version as migrated, and the next apply
// adopts whatever command, container, environment and triggers are
// configured (see adopting), running nothing unless version_label differs.
// It takes an id (terraform import, import { id }) or an identity (import {
// identity }); when no migration of that name ever registered a task
// definition, it says that the version is recorded as migrated anyway.
func (r *runResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	env, name, ok := importTarget(ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	if r.clients == nil {
		resp.Diagnostics.AddError("Provider Not Configured", "The ebmigrate provider must be configured to import ebmigrate_run.")
		return
	}
	e, err := ebmigrate.DescribeEnvironment(ctx, r.clients.EB, env)
	if err != nil {
		addEngineError(&resp.Diagnostics, fmt.Sprintf("importing ebmigrate_run for environment %q", env), err)
		return
	}
	if e == nil || e.Status == ebtypes.EnvironmentStatusTerminated {
		resp.Diagnostics.AddError("Elastic Beanstalk Environment Not Found",
			fmt.Sprintf("No live Elastic Beanstalk environment named %q exists in region %s, so there is nothing to import.", env, r.clients.Region))
		return
	}
	m := importedModel(env, name, aws.ToString(e.EnvironmentId), aws.ToString(e.VersionLabel))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, m.EnvironmentName, m.Name)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdopting, []byte("true"))...)
	resp.Diagnostics.Append(r.neverRan(ctx, env, name, aws.ToString(e.VersionLabel))...)
}

// importTarget is the environment and name an import asks for, from its id
// or its identity.
func importTarget(ctx context.Context, req resource.ImportStateRequest, diags *diag.Diagnostics) (string, string, bool) {
	var env, name string
	if req.ID != "" {
		var named bool
		env, name, named = strings.Cut(req.ID, "/")
		if !named {
			name = defaultName
		}
	} else if req.Identity != nil {
		var id runIdentity
		diags.Append(req.Identity.Get(ctx, &id)...)
		if diags.HasError() {
			return "", "", false
		}
		env, name = id.EnvironmentName.ValueString(), id.Name.ValueString()
		if id.Name.IsNull() || name == "" {
			name = defaultName
		}
	}
	if !envNameRe.MatchString(env) || !nameRe.MatchString(name) {
		diags.AddError("Invalid Import ID",
			fmt.Sprintf("%q is not an Elastic Beanstalk environment name, nor <environment name>/<name>. Import ebmigrate_run by the environment's name, or with its name when it is not \"migrate\", for example: "+
				"terraform import ebmigrate_run.migrate myapp-prod, terraform import ebmigrate_run.cache myapp-prod/createcachetable, "+
				"or (Terraform 1.12 and later) import { to = ebmigrate_run.cache\n identity = { environment_name = \"myapp-prod\", name = \"createcachetable\" } }", env+"/"+name))
		return "", "", false
	}
	return env, name, true
}

// neverRan warns when no revision of the migration's family exists: then no
// migration of this name ever ran through this provider in this account
// and region, and the import still records the deployed version as
// migrated (which is right when another tool migrated it: adopting).
func (r *runResource) neverRan(ctx context.Context, env, name, version string) diag.Diagnostics {
	var diags diag.Diagnostics
	family := migrationFamily(env, name)
	out, err := r.clients.ECS.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family), Status: ecstypes.TaskDefinitionStatusActive, MaxResults: aws.Int32(10)})
	if err != nil {
		diags.AddWarning("Migration History Not Checked",
			fmt.Sprintf("ebmigrate_run %q of environment %q was imported with version %s recorded as migrated; whether a migration of that name ever ran could not be checked (ListTaskDefinitions of family %s failed: %v).",
				name, env, version, family, err))
		return diags
	}
	for _, arn := range out.TaskDefinitionArns {
		if strings.Contains(arn, ":task-definition/"+family+":") {
			return diags
		}
	}
	diags.AddWarning("Imported Migration Never Ran Here",
		fmt.Sprintf("No task definition of family %s exists, so no migration named %q ever ran through this provider for environment %q in this account and region. "+
			"The import records the deployed version (%s) as migrated anyway: nothing runs until version_label (or what else re-runs it) changes. "+
			"That is right when another tool migrated the environment. If this migration never ran, remove it from the state (terraform state rm <address>) and apply, which runs it.",
			family, name, env, version))
	return diags
}

// claimID claims the resource's id in this plan (walkState.claimRunID),
// when its environment and name are known.
func (r *runResource) claimID(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) diag.Diagnostics {
	var diags diag.Diagnostics
	var env, name, version types.String
	var command types.List
	diags.Append(req.Plan.GetAttribute(ctx, path.Root("environment_name"), &env)...)
	diags.Append(req.Plan.GetAttribute(ctx, path.Root("name"), &name)...)
	diags.Append(req.Plan.GetAttribute(ctx, path.Root("version_label"), &version)...)
	diags.Append(req.Plan.GetAttribute(ctx, path.Root("command"), &command)...)
	if diags.HasError() || !known(env) || !known(name) {
		return diags // known at apply, claimed in the apply's plan
	}
	what := "version_label " + version.ValueString()
	if !known(version) {
		what = "version_label known after apply"
	}
	if known(command) {
		var argv []string
		_ = command.ElementsAs(ctx, &argv, false)
		what += ", command " + commandName(argv)
	}
	diags.Append(r.walk.claimRunID(ctx, runID(env.ValueString(), name.ValueString()), what, resp.Private)...)
	return diags
}
