package resources

import (
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// addEngineError turns an engine error into one diagnostic: problems the user
// can fix keep their own summary, failed migrations name the task, the
// engine's own conditions keep theirs, an error AWS returned is an "AWS
// Error" that names the call and AWS's code, and anything else is a
// "Migration Error".
func addEngineError(diags *diag.Diagnostics, doing string, err error) {
	addTaskError(diags, "Migration Failed", doing, err)
}

// addTaskError is addEngineError with the summary of a task that did not
// succeed given.
func addTaskError(diags *diag.Diagnostics, failed, doing string, err error) {
	summary, detail := errorDiagnostic(failed, doing, err)
	diags.AddError(summary, detail)
}

// errorDiagnostic is the summary and detail of an engine error.
func errorDiagnostic(failed, doing string, err error) (string, string) {
	var p *ebmigrate.ProblemError
	var me *ebmigrate.MigrationError
	var ie *ebmigrate.InterruptedError
	var st *ebmigrate.StartTimeoutError
	var ee *ebmigrate.EngineError
	switch {
	case errors.As(err, &p):
		return p.Summary, p.Detail
	case errors.As(err, &st):
		return "Migration Task Did Not Start", "While " + doing + ", " + err.Error()
	case errors.As(err, &me):
		return failed, "While " + doing + ", " + err.Error()
	case errors.As(err, &ie):
		return "Migration Wait Interrupted", "While " + doing + ", " + err.Error()
	case errors.As(err, &ee):
		detail := fmt.Sprintf("While %s: %s", doing, ee.Detail)
		if ee.Cause != nil {
			if f, ok := ebmigrate.AsAWSFailure(ee.Cause); ok {
				detail += "\n\nLast error: " + f.Detail()
			} else {
				detail += fmt.Sprintf("\n\nLast error: %v", ee.Cause)
			}
		}
		return ee.Summary, detail
	}
	if f, ok := ebmigrate.AsAWSFailure(err); ok {
		return f.Summary, fmt.Sprintf("While %s, %s\n\n%v", doing, f.Detail(), err)
	}
	return "Migration Error", fmt.Sprintf("While %s, the provider failed: %v\n\nApply again; if it keeps failing, run with TF_LOG=DEBUG and report it with that log.", doing, err)
}
