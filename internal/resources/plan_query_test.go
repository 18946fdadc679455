package resources_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// TestAccPendingMigrations_duringMigration: a pull request's plan (the data
// source) while a production apply's migration runs. The plan's query task
// runs and stops while the migration task is still running (the plan did not
// wait for it), and the migration task, the only one, runs to its own end
// (the plan did not hold it up), as localaws's task times show.
func TestAccPendingMigrations_duringMigration(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	gate := filepath.Join(t.TempDir(), "go")
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", "")}
	url := aws.String(w.srv.URL())
	eb := elasticbeanstalk.NewFromConfig(cfg, func(o *elasticbeanstalk.Options) { o.BaseEndpoint = url })
	clients := ebmigrate.Clients{
		Region: "us-east-1",
		EB:     eb,
		ECS:    w.ecs,
		Logs:   cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = url }),
		S3:     s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = url; o.UsePathStyle = true }),
		Locks:  ebmigrate.NewLockPlace("", eb),
	}
	migration := make(chan error, 1)
	var migrated *ebmigrate.Result
	startMigration := func() {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			var err error
			migrated, err = ebmigrate.Migrate(ctx, clients, ebmigrate.MigrateInput{
				Discover:     ebmigrate.DiscoverInput{EnvironmentName: localaws.FixtureEnv},
				Derive:       ebmigrate.DeriveSpec{Command: []string{"sh", "-c", "while [ ! -e " + gate + " ]; do sleep 0.02; done; echo migrated"}},
				VersionLabel: "v1",
			}, ebmigrate.NopLogger)
			migration <- err
		}()
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			for _, ti := range w.srv.Stats().Tasks {
				if ti.StartedBy == ebmigrate.StartedBy(localaws.FixtureEnvID) && ti.LastStatus == "RUNNING" {
					return
				}
			}
		}
		t.Fatal("the migration task never ran")
	}
	release := func() {
		if err := os.WriteFile(gate, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		if _, err := os.Stat(gate); err != nil {
			release()
			if err := <-migration; err != nil {
				t.Errorf("the held migration: %v", err)
			}
		}
	}()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			PreConfig: startMigration,
			Config: w.providerConfig() + fmt.Sprintf(`
data "ebmigrate_pending_migrations" "pr" {
  environment_name = %q
  command          = ["sh", "-c", "echo 'Planned operations:'; echo shop.0002_x; echo '    Remove field sku from product'"]
}
`, localaws.FixtureEnv),
			Check: func(*terraform.State) error {
				var queries, running int
				for _, ti := range w.srv.Stats().Tasks {
					switch ti.StartedBy {
					case ebmigrate.QueryStartedBy(localaws.FixtureEnvID):
						if ti.StoppedAt == nil {
							return fmt.Errorf("query task %s has not stopped", ti.TaskArn)
						}
						queries++
					case ebmigrate.StartedBy(localaws.FixtureEnvID):
						if ti.StoppedAt == nil {
							running++
						}
					}
				}
				if queries == 0 || running != 1 {
					return fmt.Errorf("when the plan was done, %d query tasks had run and %d migration tasks were running (want the one)", queries, running)
				}
				return nil
			},
		}},
	})
	release()
	if err := <-migration; err != nil {
		t.Fatalf("the migration: %v", err)
	}
	var mi localaws.TaskInfo
	migrations := 0
	for _, ti := range w.srv.Stats().Tasks {
		if ti.StartedBy == ebmigrate.StartedBy(localaws.FixtureEnvID) {
			mi = ti
			migrations++
		}
	}
	if migrations != 1 || mi.TaskArn != migrated.TaskArn || mi.StopCode != "EssentialContainerExited" || migrated.ExitCode != 0 {
		t.Errorf("%d migration tasks; the last %s (stop code %s), the migration's %s (exit %d)", migrations, mi.TaskArn, mi.StopCode, migrated.TaskArn, migrated.ExitCode)
	}
	for _, ti := range w.srv.Stats().Tasks {
		if ti.StartedBy == ebmigrate.QueryStartedBy(localaws.FixtureEnvID) && !ti.StoppedAt.Before(*mi.StoppedAt) {
			t.Errorf("query task [%s, %s] did not end inside the migration task's run [%s, %s]", ti.StartedAt, ti.StoppedAt, mi.StartedAt, mi.StoppedAt)
		}
	}
}
