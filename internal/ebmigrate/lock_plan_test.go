package ebmigrate_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// A plan creates nothing: the pending-migrations query looks the lock's
// bucket up by Elastic Beanstalk's bucket name and never calls
// CreateStorageLocation, which creates the bucket when the account has none
// (botocore elasticbeanstalk CreateStorageLocation). Where the bucket does
// not exist no lock is held; where a migration holds the lock, a query of a
// new provider process (nothing found yet) still says so.
func TestQueryCreatesNoLockBucket(t *testing.T) {
	t.Parallel()
	srv, c := fixture(t, func(s *localaws.Seed) { s.Environments[0].BundleBucket = "my-releases" })
	q, err := ebmigrate.Migrate(testCtx(t), c, queryInput("echo", "Planned operations:"), &recorder{})
	if err != nil {
		t.Fatalf("query with no Elastic Beanstalk bucket: %v", err)
	}
	if n := srv.Calls("elasticbeanstalk:CreateStorageLocation"); n != 0 || q.MigrationRunning != "" {
		t.Errorf("the query called CreateStorageLocation %d times (want 0), said %q", n, q.MigrationRunning)
	}
	if _, ok := srv.Object(ebBucket, ebmigrate.LockPrefix+localaws.FixtureEnv+".json"); ok {
		t.Error("the query wrote a lock")
	}

	gate := filepath.Join(t.TempDir(), "go")
	done := make(chan error, 1)
	go func() {
		_, err := ebmigrate.Migrate(testCtx(t), c, migrateInput(blockedUntil(gate, "migrated")...), &recorder{})
		done <- err
	}()
	waitForRunningMigration(t, srv)
	created := srv.Calls("elasticbeanstalk:CreateStorageLocation")
	locator, ok := c.EB.(ebmigrate.StorageLocator)
	if !ok {
		t.Fatalf("the fixture's EB client %T cannot CreateStorageLocation", c.EB)
	}
	fresh := c
	fresh.Locks = ebmigrate.NewLockPlace("", locator)
	q, err = ebmigrate.Migrate(testCtx(t), fresh, queryInput("echo", "Planned operations:"), &recorder{})
	release(t, gate)
	if err != nil {
		t.Fatalf("query while a migration runs: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("migration: %v", err)
	}
	if created != 1 || srv.Calls("elasticbeanstalk:CreateStorageLocation") != created {
		t.Errorf("CreateStorageLocation: %d calls by the migration (want 1), %d after the query", created, srv.Calls("elasticbeanstalk:CreateStorageLocation"))
	}
	if !strings.Contains(q.MigrationRunning, "migration task arn:aws:ecs:") {
		t.Errorf("the query of a new provider process while a migration held the lock said %q, want the task named", q.MigrationRunning)
	}
}
