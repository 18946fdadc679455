package resources_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// The migration lock at the Terraform level: environments that share a
// lock_key never migrate at once; lock.bucket and AWS_ENDPOINT_URL_S3 place
// it; bad values are refused at plan naming the argument.

const greenEnv, greenID = "myapp-green", "e-green00001"

// withGreen adds a second environment on the fixture's database: blue/green.
func withGreen(s *localaws.Seed) {
	green := s.Environments[0]
	green.Name, green.ID = greenEnv, greenID
	s.Environments = append(s.Environments, green)
	s.Timing.ImageCached = true
}

// lockedRun is an ebmigrate_run of env with lock_key key.
func (w *world) lockedRun(env, key string) string {
	return w.providerConfig() + fmt.Sprintf(`
resource "ebmigrate_run" "migrate" {
  environment_name = %[1]q
  version_label    = "v1"
  command          = ["sh", "-c", "sleep 1; echo migrated %[1]s"]
  lock_key         = %[2]q
}
`, env, key)
}

// lockRecord is the lock object in bucket, nil when there is none.
func (w *world) lockRecord(bucket, key string) map[string]any {
	raw, ok := w.srv.Object(bucket, "ebmigrate/locks/"+key+".json")
	if !ok {
		return nil
	}
	var rec map[string]any
	if err := json.Unmarshal(raw, &rec); err != nil {
		w.t.Fatalf("lock record %s: %v", raw, err)
	}
	return rec
}

// TestAccRun_sharedLockKey: two environments on one database, applied at
// once from two working directories with the same lock_key: one migration
// after the other, never both at once (judged from when localaws ran each
// process), both applies succeed, and the lock is released.
func TestAccRun_sharedLockKey(t *testing.T) {
	t.Parallel()
	w := newWorld(t, withGreen)
	t.Run("group", func(t *testing.T) {
		for _, env := range []string{localaws.FixtureEnv, greenEnv} {
			t.Run(env, func(t *testing.T) {
				t.Parallel()
				resource.Test(t, resource.TestCase{
					ProtoV6ProviderFactories: factories,
					Steps:                    []resource.TestStep{{Config: w.lockedRun(env, "myapp-db")}},
				})
			})
		}
	})
	ran, overlaps := w.overlaps()
	if ran != 2 || len(overlaps) > 0 {
		t.Errorf("%d migration tasks ran (want 2); ran at once: %v", ran, overlaps)
	}
	if rec := w.lockRecord(ebBucket, "myapp-db"); rec == nil || rec["state"] != "released" {
		t.Errorf("lock myapp-db: %v, want released", rec)
	}
	if rec := w.lockRecord(ebBucket, localaws.FixtureEnv); rec != nil {
		t.Errorf("the environment's own lock was taken: %v", rec)
	}
}

const ebBucket = "elasticbeanstalk-us-east-1-123456789012"

// TestAccProvider_lockBucket: lock.bucket places the lock, reached through
// AWS_ENDPOINT_URL_S3 (the endpoints block names no s3); a bucket that does
// not exist fails the apply before anything runs, naming it. Not parallel:
// it sets an environment variable of the test process.
func TestAccProvider_lockBucket(t *testing.T) {
	w := newWorld(t, func(s *localaws.Seed) { s.S3Buckets = []string{"deploy-locks"} })
	t.Setenv("AWS_ENDPOINT_URL_S3", w.srv.URL())
	config := func(bucket string) string {
		return fmt.Sprintf(`
provider "ebmigrate" {
  region = "us-east-1"
  endpoints {
    ecs              = %[1]q
    elasticbeanstalk = %[1]q
    logs             = %[1]q
  }
  lock {
    bucket = %[2]q
  }
}

resource "ebmigrate_run" "migrate" {
  environment_name = %[3]q
  version_label    = "v1"
  command          = ["echo", "migrated"]
}
`, w.srv.URL(), bucket, localaws.FixtureEnv)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: config("deploy-locks"),
				Check: func(*terraform.State) error {
					if rec := w.lockRecord("deploy-locks", localaws.FixtureEnv); rec == nil || rec["state"] != "released" {
						return fmt.Errorf("lock in deploy-locks: %v, want released", rec)
					}
					if rec := w.lockRecord(ebBucket, localaws.FixtureEnv); rec != nil {
						return fmt.Errorf("a lock in Elastic Beanstalk's bucket: %v", rec)
					}
					if n := w.srv.Calls("elasticbeanstalk:CreateStorageLocation"); n != 0 {
						return fmt.Errorf("CreateStorageLocation called %d times with lock.bucket set", n)
					}
					return nil
				},
			},
			{
				Config:      strings.Replace(config("no-such-locks"), `"v1"`, `"v2"`, 1),
				ExpectError: words("s3://no-such-locks/ebmigrate/locks/myapp-prod.json", "NoSuchBucket"),
			},
		},
	})
	if n := w.migrationTasks(); n != 1 {
		t.Errorf("%d migration tasks, want 1: none for the bucket that does not exist", n)
	}
}

// TestAccRun_lockArgumentsChecked: a lock_key that is not one S3 object
// name, and a lock.bucket that is not a bucket name, fail the plan naming
// the argument.
func TestAccRun_lockArgumentsChecked(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	badBucket := fmt.Sprintf(`
provider "ebmigrate" {
  region = "us-east-1"
  lock {
    bucket = "Deploy_Locks"
  }
}

resource "ebmigrate_run" "migrate" {
  environment_name = %q
  version_label    = "v1"
}
`, localaws.FixtureEnv)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{Config: w.lockedRun(localaws.FixtureEnv, "blue/green"), ExpectError: regexp.MustCompile(`(?s)lock_key.*must be 1 to 128 letters`)},
			{Config: badBucket, ExpectError: regexp.MustCompile(`(?s)lock\.bucket.*must be an S3 bucket name`)},
		},
	})
	if n := w.migrationTasks(); n != 0 {
		t.Errorf("%d migration tasks ran", n)
	}
}
