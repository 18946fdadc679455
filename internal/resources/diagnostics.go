package resources

import (
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// addEngineError turns an engine error into one diagnostic: problems the user
// can fix keep their own summary, failed migrations name the task, anything
// else is an AWS error with what was being done.
func addEngineError(diags *diag.Diagnostics, doing string, err error) {
	addTaskError(diags, "Migration Failed", doing, err)
}

// addTaskError is addEngineError with the summary of a task that did not
// succeed given.
func addTaskError(diags *diag.Diagnostics, failed, doing string, err error) {
	var p *ebmigrate.ProblemError
	var me *ebmigrate.MigrationError
	var ie *ebmigrate.InterruptedError
	var st *ebmigrate.StartTimeoutError
	switch {
	case errors.As(err, &p):
		diags.AddError(p.Summary, p.Detail)
	case errors.As(err, &st):
		diags.AddError("Migration Task Did Not Start", "While "+doing+", "+err.Error())
	case errors.As(err, &me):
		diags.AddError(failed, "While "+doing+", "+err.Error())
	case errors.As(err, &ie):
		diags.AddError("Migration Wait Interrupted", "While "+doing+", "+err.Error())
	default:
		diags.AddError("AWS Error", fmt.Sprintf("While %s, an AWS call failed. Check the provider's credentials, region and permissions, then apply again.\n\n%s", doing, err))
	}
}
