package resources

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// What ebmigrate_run does for a stock Elastic Beanstalk environment beside
// running the migration: role arguments, the default log group's retention,
// warnings of the run, and cleaning up derived revisions on destroy.

// retentionDays are CloudWatch Logs' allowed retentions (botocore logs
// service-2.json, Days).
var retentionDays = []int64{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// runWarnings are the warnings of a successful run.
func runWarnings(res *ebmigrate.Result) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, w := range res.Warnings {
		diags.AddWarning("Migration Ran With A Caveat", w)
	}
	if res.ValuesInRevision {
		diags.AddWarning("Environment Values Written Into The Task Definition",
			fmt.Sprintf("The environment's properties and the environment argument are larger than RunTask's overrides allow (%d characters), so they were written into migration task definition %s, where anyone allowed ecs:DescribeTaskDefinition can read them until it is deleted (destroying ebmigrate_run deletes it). "+
				"Move large values to Secrets Manager or SSM (aws:elasticbeanstalk:application:environmentsecrets), which the task definition holds as references only.",
				ebmigrate.MaxOverridesChars, res.TaskDefinitionArn))
	}
	return diags
}

// deleteDerived deregisters and deletes the task definition families derived
// for the environment: the migration's and, for the default name, the
// pending data source's (ebmigrate-<env>__query, and this environment's
// revisions of the pre-1.0 ebmigrate-<env>-query).
func (r *runResource) deleteDerived(ctx context.Context, m runModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if r.clients == nil || m.EnvironmentName.IsNull() {
		return diags
	}
	env, name := m.EnvironmentName.ValueString(), m.Name.ValueString()
	// The default name owns the pending query's family too (as before names
	// existed); another name owns only its own, so that destroying it leaves
	// the other resources' revisions alone.
	families := []string{migrationFamily(env, name)}
	if name == "" || name == defaultName {
		families = append(families, ebmigrate.QueryFamily(env))
	}
	_, err := ebmigrate.DeleteFamilies(ctx, r.clients.ECS, families...)
	if err == nil && (name == "" || name == defaultName) {
		// The queries' family before 1.0, ebmigrate-<env>-query: only its
		// revisions tagged as this environment's (it is also the family of
		// an environment named <env>-query).
		families = append(families, ebmigrate.LegacyQueryFamily(env)+" (this environment's revisions)")
		_, err = ebmigrate.DeleteLegacyQueryRevisions(ctx, r.clients.ECS, env)
	}
	if err != nil {
		diags.AddWarning("Migration Task Definitions Not Deleted",
			fmt.Sprintf("ebmigrate_run %q for environment %q was removed, but deleting its migration task definitions (families %s) failed; delete them with aws ecs deregister-task-definition and delete-task-definitions: %v",
				name, env, strings.Join(families, ", "), err))
	}
	return diags
}
