package resources

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// privateAdopting is the private state key ImportState sets: until the next
// apply, the resource adopts whatever is configured.
const privateAdopting = "adopting"

// privateGetter is the private state of a plan or an apply.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// adopting tells an imported resource that no apply has adopted yet: its
// state knows the deployed version but not the configured command,
// container, environment or triggers, so only a version (or environment)
// change runs the migration.
func adopting(ctx context.Context, private privateGetter, diags *diag.Diagnostics) bool {
	if private == nil {
		return false
	}
	v, d := private.GetKey(ctx, privateAdopting)
	diags.Append(d...)
	return len(v) > 0
}

// adoptionChanges are the changes that run the migration of an imported
// resource: the version and the environment, not the rest of the
// configuration, which the import could not know.
func adoptionChanges(changes []string) []string {
	var out []string
	for _, c := range changes {
		if c == "version_label" || c == "environment_name" {
			out = append(out, c)
		}
	}
	return out
}

// lastUsed is what the last run used, or for an adopted resource that has
// not run yet, what was configured when it was adopted.
func lastUsed(used, asked types.String) types.String {
	if used.IsNull() {
		return asked
	}
	return used
}

// environmentNotFound is the warning of a Read that finds no environment of
// the name, terminated or live, and keeps the state.
func environmentNotFound(name, id, region string) string {
	return fmt.Sprintf("No Elastic Beanstalk environment named %q (last migrated as %s) is visible in region %s with the provider's credentials, "+
		"so ebmigrate_run keeps its state and runs nothing for it. "+
		"Check the provider's region and that its credentials (profile, assume_role) are of the AWS account the environment is in. "+
		"If the environment was deleted, remove ebmigrate_run from the configuration, or from the state (terraform state rm); "+
		"Elastic Beanstalk lists a terminated environment only for a while, and one that it still lists is dropped from the state by refresh.", name, id, region)
}

// environmentGone is the warning of a Read that drops the resource.
func environmentGone(name, id string, env *ebtypes.EnvironmentDescription) string {
	what := fmt.Sprintf("Elastic Beanstalk environment %q (%s), in which ebmigrate_run last migrated, is terminated", name, id)
	if env != nil && env.Status != ebtypes.EnvironmentStatusTerminated {
		what = fmt.Sprintf("Elastic Beanstalk environment %q is now %s, not %s in which ebmigrate_run last migrated", name, aws.ToString(env.EnvironmentId), id)
	}
	return what + ". ebmigrate_run is removed from the state, so this apply migrates the environment of that name anew. " +
		"To migrate an environment that the same apply replaces, put its id in triggers (triggers = { environment_id = aws_elastic_beanstalk_environment.<name>.id })."
}
