package resources

import "github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"

// pollSchedule is the engine's poll schedule for ebmigrate_run, the action
// and the pending-migrations query (zero: the engine's defaults). Only
// tests change it (export_test.go), to shorten windows such as how long a
// task may be MISSING or an unproven log is read; they must not run in
// parallel while one test has its own.
var pollSchedule ebmigrate.PollSchedule
