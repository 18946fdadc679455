package ebmigrate_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// A Dockerrun.aws.json with an authentication (a .dockercfg in S3, for the
// registries it names) reaches EB's instances only: a Fargate run of an image
// on one of those registries is refused at plan, naming it, before anything
// is registered, whether the image is the version's or container.image; on
// EC2, with the container's repositoryCredentials, or from a registry the
// credentials are not for (a public Docker Hub image), the migration runs.
func TestDockerrunAuthenticationOnFargate(t *testing.T) {
	const private = "registry.example.com/app:v1"
	auth := func(registries ...string) func(*localaws.Seed) {
		return func(s *localaws.Seed) {
			img := s.Images["example/app:v1"]
			img.Private = true
			s.Images[private] = img
			if len(registries) == 0 { // Docker Hub's credentials, for the version's own images
				for name, img := range s.Images {
					if strings.HasPrefix(name, "example/app:") {
						img.Private = true
						s.Images[name] = img
					}
				}
			}
			s.Environments[0].DockerrunAuthentication = &localaws.S3Location{Bucket: "myapp-secrets", Key: "dockercfg", Registries: registries}
		}
	}
	fargate := ebmigrate.Placement{LaunchType: "FARGATE"}
	for _, tc := range []struct {
		name      string
		placement ebmigrate.Placement
		image     string
		seed      []func(*localaws.Seed)
		refused   string // the registry named
	}{
		{name: "on Fargate", placement: fargate, seed: []func(*localaws.Seed){auth()}, refused: "docker.io"},
		{name: "on EB's instances", seed: []func(*localaws.Seed){auth()}},
		{name: "on Fargate with repositoryCredentials", placement: fargate, seed: []func(*localaws.Seed){auth(), webField("repositoryCredentials", map[string]string{"credentialsParameter": localaws.FixtureSecretArn})}},
		{name: "on Fargate, a public Docker Hub image, credentials for another registry", placement: fargate, seed: []func(*localaws.Seed){auth("https://registry.example.com")}},
		{name: "on Fargate, container.image on the credentials' registry", placement: fargate, image: private, seed: []func(*localaws.Seed){auth("registry.example.com")}, refused: "registry.example.com"},
		{name: "on EB's instances, container.image on the credentials' registry", image: private, seed: []func(*localaws.Seed){auth("registry.example.com")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, c := friendly(t, append([]func(*localaws.Seed){localaws.WithoutHostVolume}, tc.seed...)...)
			in := migrateInput("true")
			in.Derive.Placement, in.Derive.Image = tc.placement, tc.image
			_, planErr := ebmigrate.PreviewMigration(testCtx(t), c, ebmigrate.PreviewInput{MigrateInput: in})
			_, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
			if tc.refused == "" {
				if planErr != nil || err != nil {
					t.Fatalf("plan: %v; apply: %v", planErr, err)
				}
				return
			}
			for when, err := range map[string]error{"plan": planErr, "apply": err} {
				var p *ebmigrate.ProblemError
				if !errors.As(err, &p) || p.Summary != "Private Registry Credentials Not Usable On Fargate" || !strings.Contains(p.Detail, "s3://myapp-secrets/dockercfg") ||
					!strings.Contains(p.Detail, "credentials for "+tc.refused) || !strings.Contains(p.Detail, `task.launch_type = "EC2"`) {
					t.Errorf("%s: %v, want the authentication and the registry named, and what to do", when, err)
				}
			}
			if n := srv.Calls("ecs:RegisterTaskDefinition") + srv.Calls("ecs:RunTask"); n != 0 {
				t.Errorf("%d registrations or runs", n)
			}
		})
	}
}
