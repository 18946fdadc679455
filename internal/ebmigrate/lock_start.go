package ebmigrate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go/middleware"
)

// Starting the migration task while holding the lock (protocol.go).

// errReadAgain: the lock now names a task to wait for, or another apply
// took it; read it again and decide anew. Nothing was started.
var errReadAgain = errors.New("read the migration lock again")

// notStarted is an error after which no task was started by this apply:
// its lock can be released.
type notStarted struct{ error }

func (e notStarted) Unwrap() error { return e.error }

// sameTokenFor is how long RunTask is asked with one clientToken while ECS
// does not know the task definition yet.
const sameTokenFor = 5 * time.Second

// runAttempts is how many RunTask calls with one clientToken (each with the
// SDK's own retries) may lose their answer before the task is looked for.
const runAttempts = 3

// startUnderLock starts the migration task of the lock h holds, or finds
// one that is already there. It returns the task and whether it was
// started by another apply. Errors: errReadAgain; notStarted (release the
// lock); any other leaves the lock as it is, since a task may have started.
func (m *migration) startUnderLock(ctx context.Context, h *held) (arn string, attached bool, err error) {
	if arn, attached, err := m.lookBeforeStart(ctx, h); arn != "" || err != nil {
		return arn, attached, err
	}
	runIn, err := runTaskInput(m.t, m.d, m.taskDefArn, m.runID, StartedBy(m.t.EnvironmentID), m.in.Derive.Placement)
	if err != nil {
		return "", false, notStarted{err}
	}
	start, tokenSince := time.Now(), time.Now()
	lost := 0 // answers lost in transit with this token: a task may exist
	var lastErr error
	for {
		if err := h.renewForRun(urgent(ctx)); err != nil {
			return "", false, m.leaseLost(err, lost)
		}
		rec := h.record()
		runIn.ClientToken = aws.String(rec.ClientToken)
		runIn.Tags = withTag(runIn.Tags, TagLockHolder, rec.Holder)
		rctx, cancel := context.WithDeadline(ctx, h.runDeadline())
		att := &attemptLog{}
		out, err := m.c.ECS.RunTask(rctx, runIn, att.record)
		cancel()
		var conflict *ecstypes.ConflictException
		switch {
		case err == nil && len(out.Failures) > 0:
			return "", false, notStarted{placementProblem(m.t, out.Failures, m.in.Derive.Placement)}
		case err == nil && len(out.Tasks) != 1:
			return "", false, engineError(nil, "Unexpected RunTask Answer",
				"RunTask for environment %q on cluster %s asked for one task and ECS answered with %d tasks and no failures, so which one is the migration cannot be told; nothing was waited for, and the migration lock %s was left as it is. Look at the cluster's tasks started by %s in the ECS console and stop any that should not run, then apply again.",
				m.t.EnvironmentName, m.t.ClusterArn, len(out.Tasks), m.obj.where(), StartedBy(m.t.EnvironmentID))
		case err == nil:
			arn := aws.ToString(out.Tasks[0].TaskArn)
			if f := rec.FencedFrom; f != nil && f.ClientToken == rec.ClientToken {
				ours, err := m.startedByUs(ctx, out.Tasks[0], rec.Holder)
				if err != nil {
					return "", false, fmt.Errorf("telling whether migration task %s, which RunTask returned for the clientToken of the lock's previous holder, is this apply's or that holder's (DescribeTasks with its tags): %w; the migration lock %s was left as it is, and the next apply asks again", arn, err, m.obj.where())
				}
				if !ours {
					// ECS took our call for the dead holder's (it compared
					// fewer parameters than ours differ in) and replayed its task.
					return "", false, m.recordFencedTask(ctx, h, arn)
				}
			}
			m.log.Info("migration task started", map[string]any{"task": arn, "cluster": m.t.ClusterArn, "run": m.runID})
			if m.in.Derive.Placement.ExecuteCommand {
				m.log.Info("ECS Exec is on: once the task runs, open a shell in it with", map[string]any{"command": ExecuteCommand(m.c.Region, m.t.ClusterArn, taskIDOf(arn), m.d.Container)})
			}
			return arn, false, nil
		case errors.As(err, &conflict):
			return m.tokenInUse(ctx, h, conflict.ResourceIds)
		case lost == 0 && att.allRefused() && unknownTaskDefinition(err) && time.Since(start) < m.poll.RegisterFor:
			// Refused: nothing started. ECS learns a new revision within a
			// second or so, and replays only a request "that completed
			// successfully" (ECS API Reference, "Ensuring idempotency"):
			// the same token is asked again. Should the refusal outlast
			// sameTokenFor (were ECS to keep it under the token), the next
			// call gets a new token, recorded first.
			if time.Since(tokenSince) > sameTokenFor {
				if err := h.update(urgent(ctx), func(r *lockRecord) { r.ClientToken = newClientToken() }); err != nil {
					return "", false, m.leaseLost(err, lost)
				}
				tokenSince = time.Now()
			}
			if !sleep(ctx, m.poll.Fast) {
				return "", false, notStarted{ctx.Err()}
			}
		case lost == 0 && att.allRefused():
			return "", false, notStarted{fmt.Errorf("starting the migration task for environment %q on cluster %s: %w", m.t.EnvironmentName, m.t.ClusterArn, err)}
		default:
			// An attempt got no answer, or a server error: it may have
			// started the task. The same token asked again returns it
			// (ECS's replay), or starts it now.
			lost++
			lastErr = err
			m.log.Info("RunTask's answer was lost; asking again with the same clientToken", map[string]any{"error": err.Error(), "attempt": lost})
			if lost >= runAttempts || ctx.Err() != nil {
				return m.findLostTask(ctx, h, lastErr)
			}
			if !sleep(ctx, time.Duration(lost)*time.Second) {
				return m.findLostTask(ctx, h, lastErr)
			}
		}
	}
}

// lookBeforeStart is the protocol's belt and braces: a migration task of
// the environment that runs without the lock (an older provider version's
// apply, or one started by hand) is attached to when it is of this run,
// else waited for, while the lock is held. For a lock taken over from a
// holder on another cluster, whose clientToken cannot fence a RunTask
// here, that holder's task is looked for on its cluster.
func (m *migration) lookBeforeStart(ctx context.Context, h *held) (string, bool, error) {
	if f := h.record().FencedFrom; f != nil && f.Cluster != m.t.ClusterArn {
		// The holder sent RunTask, if at all, before this apply took the
		// lock over; ListTasks lists a new task within ListFor (the same
		// patience as for our own), so it is looked for until then.
		other := &Target{EnvironmentName: f.Environment, EnvironmentID: f.EnvironmentID, ClusterArn: f.Cluster}
		for until, said := time.Now().Add(m.poll.ListFor), false; ; {
			active, err := activeMigrations(urgent(ctx), m.c.ECS, other, StartedBy(f.EnvironmentID))
			if err != nil {
				return "", false, notStarted{err}
			}
			if i := slices.IndexFunc(active, func(mt migrationTask) bool { return mt.run == f.Run }); i >= 0 {
				return "", false, m.recordFencedTask(ctx, h, active[i].arn)
			}
			if time.Now().After(until) {
				break
			}
			if !said {
				said = true
				m.log.Info("looking for a task the lock's previous holder may have started on its cluster before starting ours (ListTasks may not list it yet)", map[string]any{"cluster": f.Cluster, "environment": f.Environment, "for": m.poll.ListFor.String()})
			}
			if !sleep(ctx, min(time.Second, m.poll.ListFor/10)) {
				return "", false, notStarted{ctx.Err()}
			}
		}
	}
	for {
		active, err := activeMigrations(urgent(ctx), m.c.ECS, m.t, StartedBy(m.t.EnvironmentID))
		if err != nil {
			return "", false, notStarted{err}
		}
		if len(active) == 0 {
			return "", false, nil
		}
		if same := sameRun(active, m.runID); same != nil {
			m.log.Info("attaching to the running migration task of the same run", map[string]any{"task": same.arn})
			return same.arn, true, nil
		}
		m.log.Info("a migration task of the environment runs without the lock (an apply of an older provider version, or one started by hand); waiting for it", map[string]any{"task": active[0].arn})
		if err := waitOther(ctx, m.c, m.t, active[0], aws.ToString(m.d.Input.ContainerDefinitions[0].Name), m.in.startTimeout(), m.poll, m.log); err != nil {
			return "", false, notStarted{err}
		}
	}
}

// tokenInUse handles a ConflictException: the lock's clientToken was used
// with other parameters. ids are the tasks started with it.
func (m *migration) tokenInUse(ctx context.Context, h *held, ids []string) (string, bool, error) {
	rec := h.record()
	if f := rec.FencedFrom; f != nil && f.Cluster == m.t.ClusterArn {
		if len(ids) == 0 {
			// The dead holder's call was refused: no task. Ours gets a
			// token of its own.
			if err := h.update(urgent(ctx), func(r *lockRecord) { r.ClientToken, r.FencedFrom = newClientToken(), nil }); err != nil {
				return "", false, m.leaseLost(err, 0)
			}
			return m.startUnderLock(ctx, h)
		}
		// The dead holder's RunTask went through: its task runs.
		return "", false, m.recordFencedTask(ctx, h, ids[0])
	}
	// Our own token, used by another apply: it took the lock over (our
	// lease ran out), and only a holder uses a lock's token.
	m.log.Info("another apply took the migration lock over and used its clientToken; this one starts nothing", map[string]any{"lock": m.obj.where(), "tasks": ids})
	return "", false, errReadAgain
}

// startedByUs tells a RunTask answer with the dead holder's token that is
// a task of our call from the replay of the holder's call (or of a call of
// ours whose answer was lost: ours) by the task's lock-holder tag, which
// each holder sets to its own id (clocks are not compared: ECS's and ours
// may disagree, and a replay of our own lost attempt is as old as the
// holder's). ECS shows a new task late ("The Amazon ECS API follows an
// eventual consistency model": botocore ecs RunTask, which says to run
// DescribeTasks with a backoff "increasing gradually up to five minutes"),
// so it is asked with a backoff until MissingFor, the lock renewed
// meanwhile (startRenewing). StopTask deletes a task's tags (botocore ecs
// StopTask): a STOPPED task without them was stopped, and a task our call
// just created was not, so it is the holder's; one not STOPPED without them
// is not told yet (its tags not shown yet): asked again.
func (m *migration) startedByUs(ctx context.Context, task ecstypes.Task, holder string) (bool, error) {
	if tag, ok := holderTag(task); ok {
		return tag == holder, nil
	}
	arn := aws.ToString(task.TaskArn)
	deadline := time.Now().Add(m.poll.MissingFor)
	var err error
	for wait := m.poll.Fast; ; wait = min(2*wait, m.poll.Max) {
		var out *ecs.DescribeTasksOutput
		out, err = m.c.ECS.DescribeTasks(urgent(ctx), &ecs.DescribeTasksInput{Cluster: aws.String(m.t.ClusterArn), Tasks: []string{arn}, Include: []ecstypes.TaskField{ecstypes.TaskFieldTags}})
		switch {
		case err != nil:
		case len(out.Tasks) != 1:
			err = fmt.Errorf("DescribeTasks did not show it for %s", m.poll.MissingFor)
		default:
			if tag, ok := holderTag(out.Tasks[0]); ok {
				return tag == holder, nil
			}
			if aws.ToString(out.Tasks[0].LastStatus) == string(ecstypes.DesiredStatusStopped) {
				return false, nil
			}
			err = fmt.Errorf("DescribeTasks showed it %s without its tags for %s", aws.ToString(out.Tasks[0].LastStatus), m.poll.MissingFor)
		}
		if time.Now().Add(wait).After(deadline) || !sleep(ctx, wait) {
			return false, err
		}
	}
}

// holderTag is a task's lock-holder tag, when its tags are shown.
func holderTag(task ecstypes.Task) (string, bool) {
	i := slices.IndexFunc(task.Tags, func(tg ecstypes.Tag) bool { return aws.ToString(tg.Key) == TagLockHolder })
	if i < 0 {
		return "", false
	}
	return aws.ToString(task.Tags[i].Value), true
}

// recordFencedTask writes the dead holder's task into the lock, as its
// holder would have, so that every apply waits for it: errReadAgain.
func (m *migration) recordFencedTask(ctx context.Context, h *held, arn string) error {
	f := h.record().FencedFrom
	m.log.Info("the lock's previous holder did start its migration task; waiting for it", map[string]any{"task": arn, "environment": f.Environment})
	err := h.update(urgent(ctx), func(r *lockRecord) {
		r.State, r.TaskArn, r.Cluster = lockRunning, arn, f.Cluster
		r.Holder, r.Run, r.Environment, r.EnvironmentID, r.Operation, r.Since = f.Holder, f.Run, f.Environment, f.EnvironmentID, f.Operation, f.Since
		r.holderStart, r.LogStream = f.holderStart, ""
		if loc, ok := f.taskLogs(arn); ok {
			r.LogStream = loc.Stream
		}
		r.FencedFrom = nil
	})
	h.stopRenewing()
	if err != nil && !errors.Is(err, errLockMoved) {
		return err
	}
	return errReadAgain
}

// findLostTask looks for the task a RunTask whose answers were all lost
// may have started: the one of the migration family with this holder's tag,
// running or stopped (ListTasks by family lists stopped tasks for an hour;
// by startedBy it lists only those whose desired status is RUNNING), until
// ListTasks, which lags, would list it.
func (m *migration) findLostTask(ctx context.Context, h *held, lastErr error) (string, bool, error) {
	rec := h.record()
	if ctx.Err() == nil {
		for start := time.Now(); time.Since(start) < m.poll.ListFor/4; {
			if arn, err := m.taskOfHolder(urgent(ctx), rec.Holder); err == nil && arn != "" {
				m.log.Info("found the migration task whose RunTask answers were lost", map[string]any{"task": arn})
				return arn, false, nil
			}
			if !sleep(ctx, 2*time.Second) {
				break
			}
		}
	}
	return "", false, engineError(lastErr, "Migration Task May Have Started",
		"RunTask for environment %q on cluster %s got no answer %d times (with one clientToken), and ListTasks showed no task of this apply, so whether ECS started the migration cannot be told. The migration lock %s keeps that clientToken (%s): the next apply, of this run or another, waits for the lock's lease (%s) and then asks RunTask with it first, waiting for the task if there is one. Look for tasks started by %s in the ECS console.",
		m.t.EnvironmentName, m.t.ClusterArn, runAttempts, m.obj.where(), rec.ClientToken, rec.lease(), StartedBy(m.t.EnvironmentID))
}

// taskOfHolder is the migration family's task tagged with holder, or "".
func (m *migration) taskOfHolder(ctx context.Context, holder string) (string, error) {
	var arns []string
	for _, desired := range []ecstypes.DesiredStatus{ecstypes.DesiredStatusRunning, ecstypes.DesiredStatusStopped} {
		listed, err := listTasks(ctx, m.c.ECS, &ecs.ListTasksInput{Cluster: aws.String(m.t.ClusterArn), Family: m.d.Input.Family, DesiredStatus: desired})
		if err != nil {
			return "", err
		}
		arns = append(arns, listed...)
	}
	for len(arns) > 0 {
		batch := arns[:min(len(arns), 100)]
		arns = arns[len(batch):]
		out, err := m.c.ECS.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(m.t.ClusterArn), Tasks: batch, Include: []ecstypes.TaskField{ecstypes.TaskFieldTags}})
		if err != nil {
			return "", err
		}
		for _, task := range out.Tasks {
			if slices.ContainsFunc(task.Tags, func(tg ecstypes.Tag) bool {
				return aws.ToString(tg.Key) == TagLockHolder && aws.ToString(tg.Value) == holder
			}) {
				return aws.ToString(task.TaskArn), nil
			}
		}
	}
	return "", nil
}

// withTag is tags with key set to value.
func withTag(tags []ecstypes.Tag, key, value string) []ecstypes.Tag {
	out := slices.DeleteFunc(slices.Clone(tags), func(tg ecstypes.Tag) bool { return aws.ToString(tg.Key) == key })
	return append(out, ecstypes.Tag{Key: aws.String(key), Value: aws.String(value)})
}

// leaseLost is an error from a write of the held lock before the task was
// started.
func (m *migration) leaseLost(err error, lost int) error {
	if errors.Is(err, errLockMoved) {
		return errReadAgain
	}
	if lost == 0 {
		return notStarted{err}
	}
	return err
}

// attemptLog records what each attempt of one RunTask call (the SDK
// retries a call) got back, to tell a call ECS refused in every attempt
// from one that may have started the task: an attempt with no answer (a
// dropped connection, a timeout) or a server error (5xx) may have been
// carried out; one answered with a client error (4xx: a refusal, a
// throttle) was not.
type attemptLog struct {
	mu                sync.Mutex
	attempts, refused int
}

func (a *attemptLog) record(o *ecs.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(a, middleware.Before)
	})
}

func (*attemptLog) ID() string { return "ebmigrate:RunTaskAttempts" }

func (a *attemptLog) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleDeserialize(ctx, in)
	status := httpStatus(err)
	a.mu.Lock()
	a.attempts++
	if err != nil && status >= 400 && status < 500 {
		a.refused++
	}
	a.mu.Unlock()
	return out, md, err
}

// allRefused: every attempt was answered with a client error, so none
// started a task.
func (a *attemptLog) allRefused() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.attempts > 0 && a.refused == a.attempts
}
