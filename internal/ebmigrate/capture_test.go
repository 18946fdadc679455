package ebmigrate_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws/capture"
)

// TestCapture captures a seeded environment from localaws itself, loads the
// capture into another localaws and migrates it: the shape survives, no
// value does.
func TestCapture(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDLOCAL")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	for name, seed := range map[string]func(string) localaws.Seed{"stock": localaws.FixtureSeed, "friendly": localaws.FriendlySeed} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			src := localaws.Start(t, seed(dir))
			out := filepath.Join(t.TempDir(), "captured.json")
			if err := capture.Run([]string{"-environment", localaws.FixtureEnv, "-endpoint", src.URL(), "-out", out, "-image-dir", dir}); err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			for _, value := range []string{localaws.FixturePropSecret, localaws.FixtureSecretArn, localaws.FixtureEnv, localaws.FixtureEnvID, localaws.FixtureLogGroup, "subnet-0aaa1111", "sg-0ccc3333", "gunicorn", "example/app"} {
				if strings.Contains(string(raw), value) {
					t.Errorf("the capture holds %q:\n%s", value, raw)
				}
			}
			captured, err := localaws.LoadSeed(out)
			if err != nil {
				t.Fatal(err)
			}
			dst := localaws.Start(t, captured)
			c := captureClients(dst.URL())
			check := `test -n "$DATABASE_PASSWORD" && test "$DATABASE_PASSWORD" != ` + localaws.FixturePropSecret
			if name == "friendly" {
				check += ` && test -n "$API_KEY"`
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			res, err := ebmigrate.Migrate(ctx, c, ebmigrate.MigrateInput{
				Discover:     ebmigrate.DiscoverInput{EnvironmentName: capture.Environment},
				Derive:       ebmigrate.DeriveSpec{Command: []string{"sh", "-c", check + " && echo captured ok"}},
				VersionLabel: capture.Version,
				LogLines:     20,
				Poll:         ebmigrate.PollSchedule{Fast: 20 * time.Millisecond},
			}, ebmigrate.NopLogger)
			if err != nil {
				t.Fatalf("migrating the captured environment: %v\n%s", err, raw)
			}
			if res.Container != "web" || !res.Outcome.Success() {
				t.Errorf("result = %+v", res)
			}
		})
	}
}

func captureClients(url string) ebmigrate.Clients {
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", "")}
	return clientsWith(cfg, url)
}
