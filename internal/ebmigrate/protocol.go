package ebmigrate

// The run protocol: at most one migration of a lock key runs at a time, a
// migration that has started is never stopped because of another, and an
// apply that means to run one starts a task of its own or attaches to the
// one its run already started.
//
// It rests on a lock object in S3 and two writes S3 documents as atomic
// (botocore s3 PutObjectRequest): If-None-Match: * "Uploads the object only
// if the object key name does not already exist in the bucket specified.
// Otherwise, Amazon S3 returns a 412 Precondition Failed error", and
// If-Match: <ETag> "Uploads the object only if the ETag (entity tag) value
// provided during the WRITE operation matches the ETag of the object in S3.
// If the ETag values do not match, the operation returns a 412 Precondition
// Failed error"; "If a conflicting operation occurs during the upload S3
// returns a 409 ConditionalRequestConflict response." Of writes at once, "the
// first write operation to finish succeeds. Amazon S3 then fails subsequent
// writes with a 412 Precondition Failed response" (S3 User Guide, "How to
// prevent object overwrites with conditional writes"). Reads after writes are
// strongly consistent (S3 User Guide, "Amazon S3 data consistency model").
// A 412 (or 404 NoSuchKey on If-Match) means another apply wrote first,
// and a 409 that another write was landing, unless the lock then holds
// exactly what this apply wrote (the SDK retried a PUT whose first attempt
// landed and whose answer was lost: ours); the writer reads the lock again and
// decides anew (a holder that still finds its own ETag writes again). A read
// S3 refuses with 403 (no s3:ListBucket, and no lock object yet) is taken
// for "absent or unreadable", and the create decides (lock_denied.go).
// Nothing rests on the order ListTasks shows tasks in, nor on how soon
// DescribeTasks shows a start (the ECS agent reports starts with a 1-30 s
// backoff).
//
// The lock (lock.go) is ebmigrate/locks/<lock key>.json in Elastic
// Beanstalk's storage bucket or the provider's lock.bucket; the key is the
// environment's name unless lock_key names one (blue/green environments on
// one database share it). Its record says who holds it for what (run,
// environment, operation, since), the holder's cluster, the RunTask
// clientToken it uses, and its task once started. States:
//
//	(none) or released --take: If-None-Match: * / If-Match--> starting
//	starting --renew every lease/3 (If-Match)--> starting
//	starting --RunTask answered; record the task (If-Match)--> running
//	running --the task seen STOPPED; release (If-Match)--> released
//	starting, no renewal seen for a whole lease --take over (If-Match)--> starting
//	running, its task STOPPED (or not shown for MissingFor) --take over--> starting
//
// Migration (runMigration):
//
//	read    The lock: free -> take it. Running a task of this run on this
//	        cluster -> attach to it (attachRecorded; a task that stopped
//	        without succeeding, or that ECS no longer shows, is taken over
//	        and run anew). Held otherwise (another run, or a starting lock of
//	        this run, whose holder may live) -> wait before starting anything
//	        (lock_wait.go): until its task has stopped, or, while it names no
//	        task, until its holder has not renewed it for a whole lease on
//	        this process's monotonic clock; then take it over with If-Match
//	        on what was read. A started migration is never stopped because of
//	        contention: nothing is started that would have to give way. (A
//	        waiter stops the holder's task only when it has not started
//	        within the holder's task.start_timeout, recorded in the lock with
//	        its log group and stream prefix, and its container's awslogs
//	        stream provably does not exist (ResourceNotFoundException): the
//	        driver creates it when the container starts, whatever ECS shows
//	        yet. A task whose start it cannot check (a stream named by the
//	        container's runtime ID, a read that failed) is waited for, not
//	        stopped; StopTask is idempotent, see stopTask.)
//	hold    With the lock starting and renewed: look for the environment's
//	        migration tasks by startedBy (a task without the lock: an older
//	        provider version's apply, one started by hand) and attach to one
//	        of this run or wait for another; then renew the lock once more
//	        (If-Match: a takeover meanwhile fails it, and nothing is started)
//	        and RunTask with the recorded clientToken and a tag naming this
//	        holder, sent no later than half a lease after that renewal, by
//	        the monotonic clock and the wall clock (the monotonic clock does
//	        not advance while a host is suspended); record the task (running); watch
//	        it to its end; release once it is seen STOPPED. A RunTask refused
//	        because ECS does not know the revision yet is asked again with
//	        the same token (ECS replays only a request "that completed
//	        successfully"); past sameTokenFor, with a new token, recorded
//	        first. Only the lock's holder ever uses its token.
//	fence   ECS documents the clientToken: a replay within 24 h returns the
//	        original task, and the same token with other parameters is
//	        ConflictException whose resourceIds "are the existing task ARNs
//	        which are already associated with the clientToken" (botocore ecs
//	        RunTask, ConflictException). An apply that takes over a starting
//	        lock on the same cluster calls RunTask with the dead holder's
//	        token first (its own parameters differ, if only by its holder
//	        tag): ConflictException names the holder's task, which is
//	        recorded and waited for (attached to, when of the same run).
//	        Success is its own task, or ECS's replay of the holder's call
//	        (when ECS compared fewer parameters than ours differ in), told
//	        apart by the task's lock-holder tag, never by comparing createdAt
//	        with our clock (a replay of our own lost attempt is as old),
//	        asked with a backoff until ECS shows the task and its tags
//	        (eventual consistency after RunTask, up to MissingFor); a
//	        STOPPED task without tags was stopped (StopTask deletes them),
//	        so it is not one our call just created: the holder's. Either way the
//	        holder's token can then never start a second one.
//
// Crash paths, and what each leaves:
//
//	killed before RunTask   starting, renewals stop: the next apply (of any
//	                        run) takes over after a lease and fences the
//	                        token, which started nothing: it runs its own.
//	killed after RunTask,   starting with the token: the next apply takes
//	before the record       over after a lease, fences the token, finds the
//	                        task (ConflictException): the same run attaches
//	                        to it, another waits for it.
//	SIGINT, timeout         running: the task runs on; the same run attaches
//	                        (InterruptedError says so), another run waits.
//	task never starts       the watch stops it at task.start_timeout; running
//	                        until it is STOPPED, then taken over; the same
//	                        run starts anew (a stopped task that did not
//	                        succeed is not attached to).
//	credentials lost        as killed at that step: the lock is judged by
//	                        its task, or by its lease, never by the holder.
//	RunTask answers lost    the token is asked again (replay) runAttempts
//	                        times, then the task is looked for by its holder
//	                        tag; else the apply fails and the lock keeps the
//	                        token for the next apply (as killed after
//	                        RunTask).
//
// What the lock cannot cover: a migration started without it (another tool,
// an older provider version's apply) is only seen by the startedBy look,
// which ListTasks's lag can hide for a moment; and a takeover of a starting
// lock whose holder ran on another cluster (a shared lock_key) cannot fence
// the token there: it looks for the holder's task by startedBy until
// ListFor after the takeover (ListTasks lists a new task late; ECS documents
// no bound, ListFor is the engine's patience for its own tasks too), and
// rests on the holder sending no
// RunTask later than half a lease after its last renewal, by clocks that
// can only be checked before the call is sent: a RunTask held up in transit
// (or a host suspended between the check and the send) for over half a
// lease can still start beside the taker's.
//
// A read-only query (MigrateInput.Query: the pending migrations at plan
// time) takes no lock: it has a startedBy of its own, attaches to a running
// query of the same content and otherwise starts its own task, and says when
// a migration held the lock while it read (runQuery).

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Run runs the migration task once under its lock (or attaches to the one
// its run already started), after any other migration of the lock key has
// finished, and waits for its outcome. A read-only query takes no lock.
func Run(ctx context.Context, c Clients, t *Target, d *Derived, taskDefArn string, in MigrateInput, log Logger) (*Result, error) {
	m := &migration{c: c, t: t, d: d, taskDefArn: taskDefArn, in: in, poll: in.Poll.withDefaults(), log: log}
	m.runID = RunID(t.EnvironmentID, in.VersionLabel+in.Nonce, d.Hash, d.Input.ContainerDefinitions[0].Command)
	if in.Query {
		return m.runQuery(ctx)
	}
	return m.runMigration(ctx)
}

// migration is one Run: what it runs, where, and its lock.
type migration struct {
	c          Clients
	t          *Target
	d          *Derived
	taskDefArn string
	in         MigrateInput
	poll       PollSchedule
	log        Logger
	runID      string
	obj        *lockObject
	// waitingFor is the holder last said to be waited for (lock_wait.go).
	waitingFor string
	// ownStarting is a starting lock of this run seen while waiting (an
	// apply of it that died before recording its task): its token is
	// fenced first when this apply takes the lock, even after another
	// run held it meanwhile, so that the run's task is found, not run twice.
	ownStarting *fencedHolder
}

// runMigration is the protocol's loop: read the lock, then take it, attach,
// or wait; every lost conditional write reads it again.
func (m *migration) runMigration(ctx context.Context) (*Result, error) {
	bucket, err := m.c.Locks.Bucket(urgent(ctx))
	if err != nil {
		return nil, err
	}
	m.obj = &lockObject{api: m.c.S3, bucket: bucket, key: m.in.lockKey(m.t)}
	for {
		snap, err := m.obj.read(urgent(ctx))
		if err != nil {
			return nil, err
		}
		if snap.rec.held() && snap.rec.State == lockStarting && snap.rec.Run == m.runID && snap.rec.Cluster == m.t.ClusterArn {
			m.ownStarting = holderOf(snap.rec)
		}
		if snap.free() {
			r, err := m.takeAndRun(ctx, snap)
			if errors.Is(err, errReadAgain) {
				continue
			}
			return r, err
		}
		if snap.rec.Run == m.runID && snap.rec.Cluster == m.t.ClusterArn && snap.rec.State == lockRunning {
			v, r, err := m.attachRecorded(ctx, snap)
			if !errors.Is(err, errReadAgain) {
				return r, err
			}
			if !v.stale {
				continue
			}
			snap = v.snap
		} else {
			v, err := m.waitHolder(ctx, snap)
			if err != nil {
				return nil, err
			}
			if !v.stale {
				continue
			}
			snap = v.snap
		}
		r, err := m.takeAndRun(ctx, snap)
		if errors.Is(err, errReadAgain) {
			continue
		}
		return r, err
	}
}

// takeAndRun takes the lock in place of snap (free, or whose holder is
// gone), then starts the migration and watches it. errReadAgain when
// another apply wrote the lock first.
func (m *migration) takeAndRun(ctx context.Context, snap snapshot) (*Result, error) {
	rec := lockRecord{
		State: lockStarting, Holder: newHolderID(), Run: m.runID,
		Environment: m.t.EnvironmentName, EnvironmentID: m.t.EnvironmentID, LockKey: m.obj.key,
		Operation: m.in.Operation, Since: time.Now().UTC(), Cluster: m.t.ClusterArn,
		ClientToken: newClientToken(), LeaseSeconds: m.poll.LockLease.Seconds(),
		holderStart: startOf(&m.d.Input.ContainerDefinitions[0], m.in.startTimeout()),
	}
	if prev := snap.rec; prev != nil && prev.State == lockStarting {
		// Its holder may have called RunTask: fence its token.
		rec.FencedFrom = holderOf(prev)
	} else if m.ownStarting != nil {
		rec.FencedFrom = m.ownStarting
	}
	if f := rec.FencedFrom; f != nil && f.Cluster == m.t.ClusterArn {
		rec.ClientToken = f.ClientToken
	}
	h, err := take(urgent(ctx), m.obj, snap, rec, m.log)
	if errors.Is(err, errLockMoved) {
		// Another apply took it first: this run's own starting lock, if
		// one was seen, is still to be fenced when this apply takes it.
		return nil, errReadAgain
	}
	if err != nil {
		return nil, err
	}
	m.ownStarting = nil
	m.log.Info("took the migration lock", map[string]any{"lock": m.obj.where(), "run": m.runID})
	h.startRenewing()
	arn, attached, err := m.startUnderLock(ctx, h)
	h.stopRenewing()
	var nothing notStarted
	switch {
	case errors.Is(err, errReadAgain):
		return nil, err
	case errors.As(err, &nothing):
		h.release()
		return nil, nothing.error
	case err != nil:
		return nil, err
	}
	if err := h.update(urgent(ctx), func(r *lockRecord) {
		r.State, r.TaskArn = lockRunning, arn
		if loc, ok := r.taskLogs(arn); ok {
			r.LogStream = loc.Stream
		}
	}); err != nil {
		// Taken over meanwhile (another apply fenced our token and found
		// this task), or S3 refused: the task runs; it is watched to its
		// end, and the lock keeps what leads other applies to it.
		m.log.Info("could not record the migration task in the lock; watching it anyway", map[string]any{"task": arn, "lock": m.obj.where(), "error": err.Error()})
	}
	return m.watchAndRelease(ctx, h, arn, attached)
}

// holderOf is a starting lock's holder, to fence.
func holderOf(r *lockRecord) *fencedHolder {
	return &fencedHolder{Holder: r.Holder, Cluster: r.Cluster, ClientToken: r.ClientToken, Run: r.Run,
		Environment: r.Environment, EnvironmentID: r.EnvironmentID, Operation: r.Operation, Since: r.Since,
		holderStart: r.holderStart}
}

// watchAndRelease watches the lock's task to its end, and releases the lock
// when it was seen STOPPED.
func (m *migration) watchAndRelease(ctx context.Context, h *held, arn string, attached bool) (*Result, error) {
	r, err := watchToEnd(ctx, m.c, m.t, m.d, arn, attached, m.in, m.poll, m.log)
	var failed *MigrationError
	if err == nil || errors.As(err, &failed) {
		h.release()
	}
	return r, err
}

// runQuery runs a read-only query: attached to a running query of the same
// content, else a task of its own; no lock is taken.
func (m *migration) runQuery(ctx context.Context) (*Result, error) {
	key := QueryStartedBy(m.t.EnvironmentID)
	active, err := activeMigrations(urgent(ctx), m.c.ECS, m.t, key)
	if err != nil {
		return nil, err
	}
	held := m.migrationHoldingLock(ctx)
	var r *Result
	if same := sameRun(active, m.runID); same != nil {
		m.log.Info("attaching to the running query task of the same content", map[string]any{"task": same.arn})
		r, err = watchToEnd(ctx, m.c, m.t, m.d, same.arn, true, m.in, m.poll, m.log)
	} else {
		var ours string
		if ours, err = start(ctx, m.c, m.t, m.d, m.taskDefArn, m.runID, key, m.in.Derive.Placement, m.poll, m.log); err != nil {
			return nil, err
		}
		r, err = watchToEnd(ctx, m.c, m.t, m.d, ours, false, m.in, m.poll, m.log)
	}
	if r != nil {
		r.MigrationRunning = held
	}
	return r, err
}

// migrationHoldingLock says, when a migration holds the lock of the query's
// lock key, that the pending list may be out of date; "" otherwise, or when
// the lock cannot be read (the query does not need it). A plan creates
// nothing: the bucket is looked up, never created (LockPlace.Lookup).
func (m *migration) migrationHoldingLock(ctx context.Context) string {
	if m.c.Locks == nil || m.c.S3 == nil {
		return ""
	}
	bucket := m.c.Locks.Lookup(m.t.ClusterArn)
	if bucket == "" {
		m.log.Info("could not tell the migration lock's bucket; not checking for a running migration", map[string]any{"cluster": m.t.ClusterArn})
		return ""
	}
	obj := &lockObject{api: m.c.S3, bucket: bucket, key: m.in.lockKey(m.t)}
	snap, err := obj.read(urgent(ctx))
	if err != nil || !snap.rec.held() {
		return ""
	}
	what := "an apply that is starting its migration"
	if snap.rec.TaskArn != "" {
		what = "migration task " + snap.rec.TaskArn
	}
	return fmt.Sprintf("A migration of environment %q (lock key %q) was running while the pending migrations were read: %s, since %s. The list may include migrations it is applying; plan again once it has finished.",
		snap.rec.Environment, snap.rec.LockKey, what, snap.rec.Since.Format(time.RFC3339))
}

// sameRun is the first task of run runID that is not being stopped.
func sameRun(active []migrationTask, runID string) *migrationTask {
	i := slices.IndexFunc(active, func(mt migrationTask) bool { return mt.run == runID && !mt.stopping })
	if i < 0 {
		return nil
	}
	return &active[i]
}

// watchToEnd watches a migration task to its end; a migration (not a
// read-only query) that ran alongside another is then named with it.
func watchToEnd(ctx context.Context, c Clients, t *Target, d *Derived, arn string, attached bool, in MigrateInput, poll PollSchedule, log Logger) (*Result, error) {
	r, err := watch(ctx, c, t, d, arn, attached, in, poll, log)
	if in.Query || r == nil || r.StartedAt.IsZero() {
		return r, err
	}
	// The outcome waits for these reads: they go before waiting polls.
	others, lookErr := ranAlongside(urgent(ctx), c.ECS, t, aws.ToString(d.Input.Family), r, poll)
	if lookErr != nil {
		log.Info("could not check whether another migration ran at the same time", map[string]any{"error": lookErr.Error()})
	}
	for _, other := range others {
		w := fmt.Sprintf("Two migrations of environment %q ran at the same time: task %s (this apply's) and task %s. One of them ran without the migration lock (an apply of an older provider version, or a task started by hand); check that both sets of migrations applied as intended.", t.EnvironmentName, arn, other)
		r.Warnings = append(r.Warnings, w)
		log.Info(w, nil)
	}
	var me *MigrationError
	if len(others) > 0 && errors.As(err, &me) {
		err = fmt.Errorf("%w\n\nTask %s, another migration of the environment, ran at the same time", err, others[0])
	}
	return r, err
}

// newClientToken is a RunTask clientToken: 32 hex digits, in ECS's range
// (up to 64 characters of 33-126). crypto/rand's Read does not fail.
func newClientToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "ebm-" + hex.EncodeToString(b)
}

// runTaskInput is the migration task's RunTask request, without its token.
func runTaskInput(t *Target, d *Derived, taskDefArn, runID, startedBy string, placement Placement) (*ecs.RunTaskInput, error) {
	runIn := &ecs.RunTaskInput{
		Cluster:        aws.String(t.ClusterArn),
		TaskDefinition: aws.String(taskDefArn),
		Count:          aws.Int32(1),
		StartedBy:      aws.String(startedBy),
		Tags: []ecstypes.Tag{
			{Key: aws.String(TagRun), Value: aws.String(runID)},
			{Key: aws.String(TagEnvID), Value: aws.String(t.EnvironmentID)},
		},
	}
	runIn.Tags = append(runIn.Tags, userTags(d.Tags)...)
	if err := placeRunTask(runIn, t, d, placement); err != nil {
		return nil, err
	}
	withOverrides(runIn, d)
	return runIn, nil
}

// start runs a query task with one RunTask call and returns its ARN
// (runTaskKnown sets its clientToken).
func start(ctx context.Context, c Clients, t *Target, d *Derived, taskDefArn, runID, startedBy string, placement Placement, poll PollSchedule, log Logger) (string, error) {
	runIn, err := runTaskInput(t, d, taskDefArn, runID, startedBy, placement)
	if err != nil {
		return "", err
	}
	out, err := runTaskKnown(ctx, c.ECS, runIn, poll)
	if err != nil {
		return "", fmt.Errorf("starting the migration task for environment %q on cluster %s: %w", t.EnvironmentName, t.ClusterArn, err)
	}
	if len(out.Failures) > 0 {
		return "", placementProblem(t, out.Failures, placement)
	}
	if len(out.Tasks) != 1 {
		return "", engineError(nil, "Unexpected RunTask Answer",
			"RunTask for environment %q on cluster %s asked for one task and ECS answered with %d tasks and no failures, so which one is the migration cannot be told; nothing was waited for. Look at the cluster's tasks started by %s in the ECS console and stop any that should not run, then apply again.",
			t.EnvironmentName, t.ClusterArn, len(out.Tasks), startedBy)
	}
	arn := aws.ToString(out.Tasks[0].TaskArn)
	log.Info("migration task started", map[string]any{"task": arn, "cluster": t.ClusterArn, "run": runID})
	return arn, nil
}
