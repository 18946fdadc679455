package ebmigrate_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// lockPolicy is the IAM policy guide's MigrationLock and ReadSourceBundles
// statements, judged by localaws: s3:PutObject on the lock objects only,
// s3:GetObject on them and the source bundles, no s3:ListBucket, so a read
// of a key with no lock is 403 (botocore s3 GetObject); getObject false
// leaves s3:GetObject on the lock objects out. Other actions are allowed.
func lockPolicy(getObject bool) localaws.Authorizer {
	return func(r localaws.AuthzRequest) bool {
		lockObject := strings.HasPrefix(r.Resource, "arn:aws:s3:::"+ebBucket+"/"+ebmigrate.LockPrefix)
		switch r.Action {
		case "s3:PutObject":
			return lockObject
		case "s3:GetObject":
			return !lockObject || getObject
		case "s3:ListBucket":
			return false
		}
		return true
	}
}

// With the least-privilege policy every lock key's first read is 403, not
// 404: two applies of different runs on a new lock key both take it in
// turn through If-None-Match, one at a time, and leave it released.
func TestLockWithoutListBucket(t *testing.T) {
	t.Parallel()
	srv, c := fixture(t)
	srv.EnforcePolicy("", lockPolicy(true))
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			in := leased(migrateInput("sh", "-c", "echo ran; sleep 1"))
			in.VersionLabel = []string{"v1", "v2"}[i]
			_, errs[i] = ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("apply %d: %v", i, err)
		}
	}
	if ran := assertNoOverlap(t, srv); ran != 2 {
		t.Errorf("%d migrations ran, want 2", ran)
	}
	if state, _ := lockState(t, srv, localaws.FixtureEnv); state != "released" {
		t.Errorf("lock %q at the end, want released", state)
	}
}

// A lock that exists but cannot be read (no s3:GetObject on it): the apply
// fails naming the permission and the guide's statement, and runs nothing.
func TestLockUnreadable(t *testing.T) {
	t.Parallel()
	srv, c := fixture(t)
	if _, err := ebmigrate.Migrate(testCtx(t), c, leased(migrateInput("sh", "-c", "echo ran")), &recorder{}); err != nil {
		t.Fatal(err)
	}
	srv.EnforcePolicy("", lockPolicy(false))
	in := leased(migrateInput("sh", "-c", "echo again"))
	in.VersionLabel = "v2"
	_, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	_ = expectEngineError(t, err, "Migration Lock Unreadable", "s3:GetObject", "412 Precondition Failed", "403 Access Denied", "MigrationLock", ebmigrate.LockPrefix)
	if n := len(migrationTasks(srv)); n != 1 {
		t.Errorf("%d migration tasks, want the first apply's only", n)
	}
	if state, _ := lockState(t, srv, localaws.FixtureEnv); state != "released" {
		t.Errorf("lock %q at the end, want the first apply's released lock untouched", state)
	}
}
