package resources_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// TestAccRun_waitsForDeploy: the migration of an environment that is
// Updating starts only after the deploy has finished. The plan is saved
// first; the deploy starts right before the saved plan is applied (which
// plans nothing again), so the apply finds the environment Updating, and the
// migration task must have been created after Elastic Beanstalk's
// DateUpdated of the deploy's end (localaws's times, not the test's clock).
func TestAccRun_waitsForDeploy(t *testing.T) {
	t.Parallel()
	const deploy = 4 * time.Second
	w := newWorld(t, func(s *localaws.Seed) { s.Timing.DeployMS = int(deploy / time.Millisecond) })
	c := newCLI(t)
	c.write(w.run("v1", okCommand))
	if out, err := c.run("plan", "-input=false", "-no-color", "-out=tfplan"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", "")}
	eb := elasticbeanstalk.NewFromConfig(cfg, func(o *elasticbeanstalk.Options) { o.BaseEndpoint = aws.String(w.srv.URL()) })
	up, err := eb.UpdateEnvironment(w.ctx(), &elasticbeanstalk.UpdateEnvironmentInput{
		EnvironmentName: aws.String(localaws.FixtureEnv), VersionLabel: aws.String("v1"),
	})
	if err != nil || string(up.Status) != "Updating" {
		t.Fatalf("starting a deploy: %v (status %v)", err, up)
	}
	if out, err := c.run("apply", "-input=false", "-no-color", "tfplan"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	out, err := eb.DescribeEnvironments(w.ctx(), &elasticbeanstalk.DescribeEnvironmentsInput{EnvironmentNames: []string{localaws.FixtureEnv}})
	if err != nil || len(out.Environments) != 1 || string(out.Environments[0].Status) != "Ready" {
		t.Fatalf("the environment after the apply: %v, %+v", err, out)
	}
	ready := aws.ToTime(out.Environments[0].DateUpdated)
	if began := aws.ToTime(up.DateUpdated); ready.Sub(began) < deploy {
		t.Fatalf("the deploy ran from %s to %s, shorter than %s", began, ready, deploy)
	}
	n := 0
	for _, ti := range w.srv.Stats().Tasks {
		if !strings.HasPrefix(ti.StartedBy, "ebmigrate-") {
			continue
		}
		n++
		if ti.CreatedAt.Before(ready) {
			t.Errorf("the migration task was created at %s, %s before the deploy finished at %s", ti.CreatedAt.Format(time.RFC3339Nano), ready.Sub(ti.CreatedAt), ready.Format(time.RFC3339Nano))
		}
	}
	if n != 1 {
		t.Errorf("%d migration tasks, want 1", n)
	}
}
