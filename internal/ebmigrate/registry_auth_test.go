package ebmigrate_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// A Dockerrun.aws.json with an authentication (private registry credentials
// in S3) reaches EB's instances only: a Fargate run of its private image is
// refused at plan, naming it, before anything is registered; on EC2, or with
// the container's repositoryCredentials on Fargate, the migration runs.
func TestDockerrunAuthenticationOnFargate(t *testing.T) {
	private := func(s *localaws.Seed) {
		for name, img := range s.Images {
			if strings.HasPrefix(name, "example/app:") {
				img.Private = true
				s.Images[name] = img
			}
		}
		s.Environments[0].DockerrunAuthentication = &localaws.S3Location{Bucket: "myapp-secrets", Key: "dockercfg"}
	}
	fargate := ebmigrate.Placement{LaunchType: "FARGATE"}
	for _, tc := range []struct {
		name      string
		placement ebmigrate.Placement
		seed      func(*localaws.Seed)
		refused   bool
	}{
		{name: "on Fargate", placement: fargate, refused: true},
		{name: "on EB's instances"},
		{name: "on Fargate with repositoryCredentials", placement: fargate, seed: webField("repositoryCredentials", map[string]string{"credentialsParameter": localaws.FixtureSecretArn})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mutate := []func(*localaws.Seed){localaws.WithoutHostVolume, private}
			if tc.seed != nil {
				mutate = append(mutate, tc.seed)
			}
			srv, c := friendly(t, mutate...)
			in := migrateInput("true")
			in.Derive.Placement = tc.placement
			_, planErr := ebmigrate.PreviewMigration(testCtx(t), c, ebmigrate.PreviewInput{MigrateInput: in})
			_, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
			if !tc.refused {
				if planErr != nil || err != nil {
					t.Fatalf("plan: %v; apply: %v", planErr, err)
				}
				return
			}
			for when, err := range map[string]error{"plan": planErr, "apply": err} {
				var p *ebmigrate.ProblemError
				if !errors.As(err, &p) || p.Summary != "Private Registry Credentials Not Usable On Fargate" || !strings.Contains(p.Detail, "s3://myapp-secrets/dockercfg") || !strings.Contains(p.Detail, `task.launch_type = "EC2"`) {
					t.Errorf("%s: %v, want the authentication named and what to do", when, err)
				}
			}
			if n := srv.Calls("ecs:RegisterTaskDefinition") + srv.Calls("ecs:RunTask"); n != 0 {
				t.Errorf("%d registrations or runs", n)
			}
		})
	}
}
