package ebmigrate

import (
	"fmt"
	"strings"
)

// ProblemError is a problem with the environment or the arguments, that the
// user can fix: it says what is wrong and what to do.
type ProblemError struct {
	Summary string // Title Case, a few words
	Detail  string
	// Arg is the one argument at fault, as the schema spells it
	// ("task.cluster", "container.name"), when there is one: the caller
	// points its diagnostic at it. "" when the problem is the environment's.
	Arg string
}

func (e *ProblemError) Error() string { return e.Summary + ": " + e.Detail }

func problem(summary, format string, args ...any) *ProblemError {
	return &ProblemError{Summary: summary, Detail: fmt.Sprintf(format, args...)}
}

// problemAt is a problem with one argument, arg (one of the Arg* names).
func problemAt(arg, summary, format string, args ...any) *ProblemError {
	return &ProblemError{Summary: summary, Detail: fmt.Sprintf(format, args...), Arg: arg}
}

// MigrationError is a migration task that ran (or tried to) and did not
// succeed. It names everything a user needs to look into it.
type MigrationError struct {
	Environment string
	Cluster     string
	TaskArn     string
	Container   string
	Outcome     Outcome
	// LogLines are the last lines the container printed, redacted and each
	// cut at MaxLineBytes; nil when no logs could be read.
	LogLines []string
	// LogsNote says why there are no log lines, or that they may be incomplete.
	LogsNote string
	// Query is true for a read-only query at plan time (the pending
	// migrations), which a plan runs again, not an apply.
	Query bool
	// What and Hint, when set, name the task and say what to do in place
	// of the defaults (a phase's introspection).
	What, Hint string
}

func (e *MigrationError) Error() string {
	var b strings.Builder
	what, hint := "the migration task", e.Outcome.Hint()
	if e.Query {
		what, hint = "the query task (a read-only command, at plan time)", e.Outcome.QueryHint()
	}
	if e.What != "" {
		what = e.What
	}
	if e.Hint != "" {
		hint = e.Hint
	}
	fmt.Fprintf(&b, "%s for Elastic Beanstalk environment %q %s.\n\n", what, e.Environment, e.Outcome.Describe())
	fmt.Fprintf(&b, "Cluster:     %s\n", e.Cluster)
	fmt.Fprintf(&b, "Task:        %s\n", e.TaskArn)
	fmt.Fprintf(&b, "Container:   %s\n", e.Container)
	if e.Outcome.ExitCode != nil {
		fmt.Fprintf(&b, "Exit code:   %d\n", *e.Outcome.ExitCode)
	} else {
		fmt.Fprintf(&b, "Exit code:   none\n")
	}
	fmt.Fprintf(&b, "Stop code:   %s\n", orNone(e.Outcome.StopCode))
	fmt.Fprintf(&b, "Reason:      %s\n", orNone(e.Outcome.Reason()))
	if hint != "" {
		fmt.Fprintf(&b, "\n%s\n", hint)
	}
	if len(e.LogLines) > 0 {
		fmt.Fprintf(&b, "\nLast %d log lines:\n", len(e.LogLines))
		for _, l := range e.LogLines {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	if e.LogsNote != "" {
		fmt.Fprintf(&b, "\n%s\n", e.LogsNote)
	}
	return strings.TrimRight(b.String(), "\n")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// EngineError is a condition the engine found itself (a task ECS stopped
// showing, reads that kept failing, an answer it cannot use), as opposed to
// an error AWS returned: it has its own summary and a detail that says what
// to do. Cause, when set, is what it ended on (often an AWS error).
type EngineError struct {
	Summary string // Title Case, a few words
	Detail  string
	Cause   error
}

func (e *EngineError) Error() string {
	if e.Cause == nil {
		return e.Summary + ": " + e.Detail
	}
	return fmt.Sprintf("%s: %s\n\nLast error: %v", e.Summary, e.Detail, e.Cause)
}

func (e *EngineError) Unwrap() error { return e.Cause }

func engineError(cause error, summary, format string, args ...any) *EngineError {
	return &EngineError{Summary: summary, Detail: fmt.Sprintf(format, args...), Cause: cause}
}
