package resources

import "github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"

// pollSchedule is the engine's poll schedule for ebmigrate_run (zero: the
// engine's defaults). Only tests change it (export_test.go), to shorten
// windows such as how long a task may be MISSING; they must not run in
// parallel while they do.
var pollSchedule ebmigrate.PollSchedule
