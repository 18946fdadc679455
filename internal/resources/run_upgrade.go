package resources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// runSchemaVersion is the version of ebmigrate_run's state. Nothing before it
// was released, so there is nothing to upgrade from yet.
const runSchemaVersion = 0

// UpgradeState upgrades state written by an older schema version. There is
// none yet. To change the state's shape after a release (rename, remove or
// retype an attribute):
//
//  1. raise runSchemaVersion to 1;
//  2. keep the version 0 schema as it was, in a function of its own
//     (runSchemaV0), and its model (runModelV0);
//  3. add here 0: {PriorSchema: &v0, StateUpgrader: func(ctx, req, resp) {...}},
//     which reads req.State into runModelV0 and sets resp.State from a
//     runModel built from it;
//  4. test it with state written by the released provider (a terraform
//     state file from the last release, applied with the new one: the plan
//     must be empty).
//
// Each upgrader goes from its version straight to the current one.
func (r *runResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{}
}
