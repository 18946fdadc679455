package resources

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// addEngineError turns an engine error into one diagnostic: problems the user
// can fix keep their own summary, failed migrations name the task, the
// engine's own conditions keep theirs, an error AWS returned is an "AWS
// Error" that names the call and AWS's code, and anything else is a
// "Migration Error".
//
// A problem with one argument (ProblemError.Arg) points at it: Terraform
// shows the argument's line of the configuration, not the resource's first.
func addEngineError(diags *diag.Diagnostics, doing string, err error) {
	summary, detail, at := errorDiagnostic("Migration Failed", doing, err)
	addDiagnostic(diags, summary, detail, at)
}

// addDiagnostic adds an error at the argument at (or the object's, when at
// is empty).
func addDiagnostic(diags *diag.Diagnostics, summary, detail string, at path.Path) {
	if len(at.Steps()) == 0 {
		diags.AddError(summary, detail)
		return
	}
	diags.AddAttributeError(at, summary, detail)
}

// argPath is the path of an argument as the engine names it
// ("task.network_configuration.subnets").
func argPath(arg string) path.Path {
	if arg == "" {
		return path.Empty()
	}
	parts := strings.Split(arg, ".")
	p := path.Root(parts[0])
	for _, name := range parts[1:] {
		p = p.AtName(name)
	}
	return p
}

// errorDiagnostic is the summary and detail of an engine error, and the
// argument it is about (empty when it is about none).
func errorDiagnostic(failed, doing string, err error) (string, string, path.Path) {
	summary, detail := errorText(failed, doing, err)
	var p *ebmigrate.ProblemError
	if errors.As(err, &p) {
		return summary, detail, argPath(p.Arg)
	}
	return summary, detail, path.Empty()
}

func errorText(failed, doing string, err error) (string, string) {
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
	return "Migration Error", fmt.Sprintf("While %s, the provider failed: %v\n\nRun Terraform again; if it keeps failing, run with TF_LOG=DEBUG and report it with that log.", doing, err)
}
