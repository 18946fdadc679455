package resources

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

var (
	_ action.Action                   = (*migrateAction)(nil)
	_ action.ActionWithConfigure      = (*migrateAction)(nil)
	_ action.ActionWithModifyPlan     = (*migrateAction)(nil)
	_ action.ActionWithValidateConfig = (*migrateAction)(nil)
)

// NewMigrateAction is the ebmigrate_migrate action (Terraform 1.14+): the
// migration of ebmigrate_run, run at a resource's lifecycle event or on
// demand, with nothing kept in state.
func NewMigrateAction() action.Action { return &migrateAction{} }

type migrateAction struct {
	clients *ebmigrate.Clients
}

func (a *migrateAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_migrate"
}

func (a *migrateAction) Schema(ctx context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = migrateActionSchema(ctx)
}

// ValidateConfig applies the rules between arguments that the
// configuration alone decides, as ebmigrate_run's (config_rules.go).
func (a *migrateAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	resp.Diagnostics.Append(validateMigrationConfig(ctx, req.Config, actionObject)...)
}

func (a *migrateAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.clients = clientsFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan says, in the plan that will invoke the action, what will run:
// the same "Migration Will Run" warning as ebmigrate_run's, from the
// engine's read-only Preview, with the pending migrations and the
// destructive_changes policy when review is set. Terraform calls it again at
// apply with the configuration's unknowns filled in.
func (a *migrateAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	m, p, ok := readActionConfig(ctx, req.Config, &resp.Diagnostics)
	if !ok {
		return
	}
	head := actionHeadline(ctx, m)
	applying := applyTimePlan(req.ClientCapabilities.DeferralAllowed)
	if a.clients == nil {
		addPlanWarning(ctx, &resp.Diagnostics, applying, m.Phase, head+". Its cluster, task definition, container and image are known when it runs (the provider's configuration is known after apply)."+phaseNote(ctx, m.Phase, m.CodeOperations, m.Command))
	} else {
		in, unknown, diags := m.migrateInput(ctx)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		in.Derive.Tags = mergeTags(a.clients.DefaultTags, types.MapNull(types.StringType))
		prev, err := ebmigrate.PreviewMigration(ctx, *a.clients, ebmigrate.PreviewInput{MigrateInput: in, Unknown: unknown})
		for _, w := range prev.Warnings {
			resp.Diagnostics.AddWarning("Migration May Not Go As Planned", w)
		}
		clusterFixed := knownString(p.cluster) != ""
		taskDefFixed := ebmigrate.PinnedRevision(knownString(p.taskDef))
		addPlanWarning(ctx, &resp.Diagnostics, applying, m.Phase, previewText(head, m.VersionLabel, prev, clusterFixed, taskDefFixed, err)+phaseNote(ctx, m.Phase, m.CodeOperations, m.Command))
	}
	reviewPlannedRun(ctx, m.reviewModel(p), &resp.Diagnostics)
}

// Invoke runs the migration with the engine's Migrate, as ebmigrate_run's
// create does, and reports what the engine says (its log lines included)
// as progress while it runs.
func (a *migrateAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	m, p, ok := readActionConfig(ctx, req.Config, &resp.Diagnostics)
	if !ok {
		return
	}
	if a.clients == nil {
		resp.Diagnostics.AddError("Provider Not Configured", "The ebmigrate provider was not configured before ebmigrate_migrate was invoked. This is a bug in the provider; please report it.")
		return
	}
	rm := m.reviewModel(p)
	resp.Diagnostics.Append(rm.checkDestructiveAtApply(ctx)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in, _, diags := m.migrateInput(ctx)
	resp.Diagnostics.Append(diags...)
	phase, diags := m.phaseArgs(ctx, p)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	in.Derive.Tags = mergeTags(a.clients.DefaultTags, types.MapNull(types.StringType))
	timeout := m.invokeTimeout(ctx)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	progress := newProgressLogger(ctx, resp.SendProgress)
	progress.send(actionHeadline(ctx, m))
	res, err := migratePhased(ctx, *a.clients, in, phase, progress)
	progress.close()
	version := m.VersionLabel.ValueString()
	if version == "" {
		version = "deployed"
	}
	if err != nil {
		doing := fmt.Sprintf("running %s of ebmigrate_migrate for environment %q (version %s)", phaseDoing(phase), m.EnvironmentName.ValueString(), version)
		var ie *ebmigrate.InterruptedError
		if errors.As(err, &ie) && ie.TimedOut() || errors.Is(err, context.DeadlineExceeded) {
			doing += fmt.Sprintf(", the invoke timeout (%s, set in timeouts = { invoke = ... }) ran out", timeout)
		}
		addEngineError(&resp.Diagnostics, doing, err)
		return
	}
	if resp.SendProgress != nil {
		how := "succeeded"
		if res.Attached {
			how = "succeeded (another invocation of the same run started it; this one waited for it)"
		}
		resp.SendProgress(action.InvokeProgressEvent{Message: fmt.Sprintf("%s of %s %s in task %s", strings.TrimPrefix(phaseDoing(phase), "the "), m.EnvironmentName.ValueString(), how, res.TaskArn)})
	}
	resp.Diagnostics.Append(runWarnings(res)...)
	if res.PruneError != nil {
		resp.Diagnostics.AddWarning("Old Task Definitions Not Deregistered",
			fmt.Sprintf("The migration succeeded, but pruning old revisions (task.keep_revisions = %d) failed: %v", in.KeepRevisions, res.PruneError))
	}
}

// readActionConfig decodes the action's configuration and its nested
// objects; false when that failed (the diagnostics say why).
func readActionConfig(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) (migrateActionModel, actionParts, bool) {
	var m migrateActionModel
	diags.Append(config.Get(ctx, &m)...)
	if diags.HasError() {
		return m, actionParts{}, false
	}
	p, d := m.parts(ctx)
	diags.Append(d...)
	return m, p, !diags.HasError()
}

// actionHeadline says which command runs where and for which version; the
// command by its first words only (its values may be sensitive).
func actionHeadline(ctx context.Context, m migrateActionModel) string {
	command := "`./manage.py migrate --noinput` (the default command)"
	if m.Command.IsUnknown() {
		command = "a command known after apply"
	} else if !m.Command.IsNull() {
		var argv []string
		_ = m.Command.ElementsAs(ctx, &argv, false)
		command = commandName(argv)
	}
	if p, known, _ := readPhase(ctx, m.Phase, m.CodeOperations, m.Command, false); known {
		command = phaseCommandName(p, command)
	}
	version := "the deployed version"
	switch {
	case m.VersionLabel.IsUnknown():
		version = "version known after apply"
	case !m.VersionLabel.IsNull():
		version = "version " + m.VersionLabel.ValueString()
	}
	env := "an Elastic Beanstalk environment whose name is known after apply"
	if !m.EnvironmentName.IsUnknown() {
		env = "environment " + m.EnvironmentName.ValueString()
	}
	return fmt.Sprintf("ebmigrate_migrate will run %s in %s (%s)", command, env, version)
}

// Progress is bounded: a data migration may print ten thousand lines, and
// one progress event per line floods the terminal (and Terraform's JSON
// output). Lines go out in batches, at most one event every
// progressInterval, each with at most the last progressBatchLines lines of
// that interval and how many were left out; every line still goes to the
// provider log (TF_LOG=INFO) and is in CloudWatch Logs.
const (
	progressInterval   = 2 * time.Second
	progressBatchLines = 20
)

// progressLogger is the engine's Logger for an invocation: the lines the
// migration prints (redacted by the engine, cut at MaxLineBytes) go out as
// progress in batches, each engine event as it happens (after the lines
// before it), and everything to the provider log as ebmigrate_run's does.
// After close nothing is sent: the framework's progress channel is read
// only while Invoke runs.
type progressLogger struct {
	tf       tfLogger
	interval time.Duration
	mu       sync.Mutex
	sendFn   func(action.InvokeProgressEvent)
	closed   bool
	lines    []string  // the last lines not sent yet (at most progressBatchLines)
	skipped  int       // lines left out of the batch
	last     time.Time // when the last batch went out
	timer    *time.Timer
}

func newProgressLogger(ctx context.Context, send func(action.InvokeProgressEvent)) *progressLogger {
	return &progressLogger{tf: tfLogger{ctx}, sendFn: send, interval: progressInterval}
}

func (l *progressLogger) Info(msg string, fields map[string]any) {
	l.tf.Info(msg, fields)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushLocked()
	l.sendLocked(msg + progressFields(fields))
}

func (l *progressLogger) Output(line string) {
	l.tf.Output(line)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || l.sendFn == nil {
		return
	}
	if len(l.lines) == progressBatchLines {
		l.lines = l.lines[1:]
		l.skipped++
	}
	l.lines = append(l.lines, "| "+ebmigrate.BoundLine(line))
	if l.timer != nil {
		return // a batch is due
	}
	wait := time.Until(l.last.Add(l.interval))
	if wait <= 0 {
		l.flushLocked()
		return
	}
	l.timer = time.AfterFunc(wait, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.flushLocked()
	})
}

func (l *progressLogger) send(msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sendLocked(msg)
}

// flushLocked sends the lines gathered since the last batch, as one event.
func (l *progressLogger) flushLocked() {
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	if len(l.lines) == 0 {
		return
	}
	msg := strings.Join(l.lines, "\n")
	if l.skipped > 0 {
		msg = fmt.Sprintf("(%d earlier lines not shown: they are in the task's CloudWatch Logs stream, and in the provider log at TF_LOG=INFO)\n", l.skipped) + msg
	}
	l.lines, l.skipped, l.last = nil, 0, time.Now()
	l.sendLocked(msg)
}

func (l *progressLogger) sendLocked(msg string) {
	if l.closed || l.sendFn == nil {
		return
	}
	l.sendFn(action.InvokeProgressEvent{Message: msg})
}

// close sends the lines not sent yet; nothing is sent after it.
func (l *progressLogger) close() {
	l.mu.Lock()
	l.flushLocked()
	l.closed = true
	l.mu.Unlock()
	tflog.Debug(l.tf.ctx, "ebmigrate_migrate progress closed")
}

// progressFields writes an engine event's fields (names, ARNs, statuses;
// never values) as " (key: value, ...)", in key order.
func progressFields(fields map[string]any) string {
	if len(fields) == 0 {
		return ""
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %v", k, fields[k])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
