package resources

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// walkState is what the calls of one plan (or one apply) share in the
// provider process: Terraform configures the provider once per walk of its
// graph, and plans every resource of that provider configuration in the
// same process, so a map here sees all of them. (Not across provider
// aliases: each is a process of its own.)
type walkState struct {
	mu sync.Mutex
	// runs are the ids of the ebmigrate_run planned so far, and which
	// planning call claimed each.
	runs map[string]runClaim
	// legacyCleaned are the environments whose pre-1.0 query family was
	// cleaned in this walk.
	legacyCleaned map[string]bool
	// phaseSplits are the releases (environment and version) whose phases
	// a plan's warning showed already: each data source of the release
	// with a phase reads them, one shows them.
	phaseSplits map[string]bool
}

type runClaim struct {
	nonce string
	what  string // what the first resource planned: its version and command
}

func newWalkState() *walkState {
	return &walkState{runs: map[string]runClaim{}, legacyCleaned: map[string]bool{}, phaseSplits: map[string]bool{}}
}

// privatePlanClaim is the private key that carries a planning call's claim
// of its id to the same resource's next call: Terraform plans a resource
// that it replaces twice (with its prior state, then with none to plan the
// create), and passes the first call's planned private data to the second
// (as it does for -replace), so the second is known to be the same
// resource, not another with the same id.
const privatePlanClaim = "plan_claim"

// claimRunID claims the id of an ebmigrate_run for the resource being
// planned, and fails the plan when another ebmigrate_run of this plan
// claimed it first: two resources with one id would share one task
// definition family, id and import address, each run the migration and
// prune the other's revisions. Terraform does not tell a provider a
// resource's address, so the other one is named by what it runs.
func (w *walkState) claimRunID(ctx context.Context, id, what string, private privateStore) diag.Diagnostics {
	var diags diag.Diagnostics
	if w == nil {
		return diags
	}
	prior, d := private.GetKey(ctx, privatePlanClaim)
	diags.Append(d...)
	w.mu.Lock()
	defer w.mu.Unlock()
	if c, ok := w.runs[id]; ok {
		if len(prior) > 0 && string(prior) == c.nonce {
			return diags // the same resource, planned again
		}
		diags.AddAttributeError(path.Root("name"), "Duplicate Migration",
			fmt.Sprintf("Two ebmigrate_run in this plan have the id %q (environment_name and name): this one (%s) and another one of this provider configuration that Terraform planned first (%s). "+
				"They would share one task definition family, one id and one import address; each would run the migration and prune the other's revisions. "+
				"Give each of an environment's ebmigrate_run its own name (for example name = \"createcachetable\"; unset, it is the phase, or \"migrate\" without one), or remove one of them. "+
				"With count or for_each, put the key into the name (name = each.key).",
				id, what, c.what))
		return diags
	}
	nonce := fmt.Sprintf("%q", newNonce()) // private values are JSON
	w.runs[id] = runClaim{nonce: nonce, what: what}
	diags.Append(private.SetKey(ctx, privatePlanClaim, []byte(nonce))...)
	return diags
}

// firstLegacyClean tells whether the environment's pre-1.0 query family is
// still to be cleaned in this walk, and marks it done.
func (w *walkState) firstLegacyClean(env string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.legacyCleaned[env] {
		return false
	}
	w.legacyCleaned[env] = true
	return true
}

// firstPhaseSplit tells whether the phases of a release are still to be
// shown in this walk, and marks them shown.
func (w *walkState) firstPhaseSplit(release string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.phaseSplits[release] {
		return false
	}
	w.phaseSplits[release] = true
	return true
}

// privateStore is a planning call's private data (ModifyPlan's Private).
type privateStore interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

func newNonce() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
