package ebmigrate_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

func TestBatchEnvironmentDescribes(t *testing.T) {
	const n = 30
	srv, _ := fixture(t, func(s *localaws.Seed) {
		base := s.Environments[0]
		s.Environments = nil
		for i := 0; i < n; i++ {
			env := base
			env.Name, env.ID, env.Instances = fmt.Sprintf("batch-%02d", i), fmt.Sprintf("e-batch%05d", i), 0
			s.Environments = append(s.Environments, env)
		}
	})
	// With retries, as the provider has: under load, calls that do not
	// overlap can exceed EB's describe quota in localaws.
	eb := ebmigrate.BatchEnvironmentDescribes(withRetries(srv).EB)

	// A lone call goes at once, as it is.
	env, err := ebmigrate.DescribeEnvironment(testCtx(t), eb, "batch-07")
	if err != nil || env == nil || aws.ToString(env.EnvironmentId) != "e-batch00007" {
		t.Fatalf("lone describe: %+v, %v", env, err)
	}
	if missing, err := ebmigrate.DescribeEnvironment(testCtx(t), eb, "no-such-env"); err != nil || missing != nil {
		t.Fatalf("unknown environment: %+v, %v; want nil, nil", missing, err)
	}
	if got := srv.Calls("elasticbeanstalk:DescribeEnvironments"); got != 2 {
		t.Fatalf("two lone describes made %d requests", got)
	}

	// Thirty at once: each gets its own environment, in fewer requests.
	srv.ResetStats()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			name := fmt.Sprintf("batch-%02d", i)
			env, err := ebmigrate.DescribeEnvironment(testCtx(t), eb, name)
			switch {
			case err != nil:
				errs[i] = err
			case env == nil || aws.ToString(env.EnvironmentName) != name || aws.ToString(env.EnvironmentId) != fmt.Sprintf("e-batch%05d", i):
				errs[i] = fmt.Errorf("%s: got %+v", name, env)
			}
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := srv.Calls("elasticbeanstalk:DescribeEnvironments"); got >= n {
		t.Errorf("%d concurrent describes made %d requests: none were shared", n, got)
	} else {
		t.Logf("%d concurrent describes made %d requests", n, got)
	}

	// Ten a few milliseconds apart, as Terraform's refresh reads arrive
	// between its other calls: they share requests too, at most one per
	// gathering window their arrivals span (and one more for the edge).
	// Sent as they came, each would have been a request of its own or two.
	srv.ResetStats()
	start := time.Now()
	var span time.Duration
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			if env, err := ebmigrate.DescribeEnvironment(testCtx(t), eb, name); err != nil || env == nil {
				t.Errorf("%s: %+v, %v", name, env, err)
			}
		}(fmt.Sprintf("batch-%02d", i))
		span = time.Since(start)
		time.Sleep(time.Millisecond)
	}
	wg.Wait()
	if got, most := srv.Calls("elasticbeanstalk:DescribeEnvironments"), int(span/ebmigrate.GatherWindow)+2; got > most {
		t.Errorf("10 describes arriving over %s made %d requests, want at most %d", span, got, most)
	} else {
		t.Logf("10 describes arriving over %s made %d requests", span, got)
	}

	// Other filters pass through untouched.
	srv.ResetStats()
	out, err := eb.DescribeEnvironments(testCtx(t), &elasticbeanstalk.DescribeEnvironmentsInput{ApplicationName: aws.String(localaws.FixtureSeed(t.TempDir()).Environments[0].Application)})
	if err != nil {
		t.Fatalf("by application: %v", err)
	}
	if len(out.Environments) != n {
		t.Errorf("by application: %d environments; want %d", len(out.Environments), n)
	}
}

// The settings read by a plan are reused by the migration right after it in
// the same provider process while the environment's DateUpdated stays; a
// configuration change moves it, and the next read sees the new values.
func TestSettingsReusedUntilTheEnvironmentChanges(t *testing.T) {
	srv, c := fixture(t)
	c.EB = ebmigrate.BatchEnvironmentDescribes(c.EB)
	preview := func() map[string]string {
		t.Helper()
		p, err := ebmigrate.PreviewMigration(testCtx(t), c, ebmigrate.PreviewInput{MigrateInput: migrateInput("true")})
		if err != nil {
			t.Fatal(err)
		}
		return p.Target.Properties
	}
	before := preview()
	preview()
	if n := srv.Calls("elasticbeanstalk:DescribeConfigurationSettings"); n != 1 {
		t.Errorf("two previews read the settings %d times, want once", n)
	}
	updateUntilReady(t, srv, c, &elasticbeanstalk.UpdateEnvironmentInput{
		EnvironmentName: aws.String(localaws.FixtureEnv),
		OptionSettings: []ebtypes.ConfigurationOptionSetting{{
			Namespace: aws.String("aws:elasticbeanstalk:application:environment"), OptionName: aws.String("DEBUG"), Value: aws.String("changed"),
		}},
	})
	if after := preview(); after["DEBUG"] != "changed" || before["DEBUG"] == "changed" {
		t.Errorf("DEBUG before %q, after the change %q: the change was not read", before["DEBUG"], after["DEBUG"])
	}
	if n := srv.Calls("elasticbeanstalk:DescribeConfigurationSettings"); n != 2 {
		t.Errorf("settings read %d times, want once more after the change", n)
	}
}

// An apply's re-plan and its migration discover the environment a moment
// apart in one process: the second reads ECS for its cluster and source
// task definition no more, until the environment changes (a deploy
// registers a new revision, and moves DateUpdated).
func TestDiscoveryReusedUntilTheEnvironmentChanges(t *testing.T) {
	srv, c := fixture(t)
	c.EB = ebmigrate.BatchEnvironmentDescribes(c.EB)
	c.Discovered = ebmigrate.NewDiscoveryCache()
	preview := func() string {
		t.Helper()
		p, err := ebmigrate.PreviewMigration(testCtx(t), c, ebmigrate.PreviewInput{MigrateInput: migrateInput("true")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(p.Target.SourceTaskDefinition.TaskDefinitionArn)
	}
	before := preview()
	clusters := srv.Calls("ecs:DescribeClusters")
	if again := preview(); again != before {
		t.Errorf("the second preview derives from %s, the first from %s", again, before)
	}
	if n := srv.Calls("ecs:DescribeClusters"); n != clusters {
		t.Errorf("the second preview described the cluster again (%d calls, was %d)", n, clusters)
	}
	updateUntilReady(t, srv, c, &elasticbeanstalk.UpdateEnvironmentInput{
		EnvironmentName: aws.String(localaws.FixtureEnv), VersionLabel: aws.String("v2"),
	})
	if after := preview(); after == before {
		t.Errorf("after a deploy the preview still derives from %s: the cached discovery outlived the change", before)
	}
	if n := srv.Calls("ecs:DescribeClusters"); n == clusters {
		t.Error("after a deploy the cluster was not described again")
	}
}

// A task definition given as a family (its latest revision) is not kept:
// anyone may register a newer revision without Elastic Beanstalk's
// DateUpdated moving, and the next preview derives from that one.
func TestDiscoveryOfAFamilyIsNotKept(t *testing.T) {
	srv, c := fixture(t)
	c.EB = ebmigrate.BatchEnvironmentDescribes(c.EB)
	c.Discovered = ebmigrate.NewDiscoveryCache()
	in := migrateInput("true")
	in.Discover.SourceTaskDefinition = localaws.FixtureFamily()
	preview := func() string {
		t.Helper()
		p, err := ebmigrate.PreviewMigration(testCtx(t), c, ebmigrate.PreviewInput{MigrateInput: in})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(p.Target.SourceTaskDefinition.TaskDefinitionArn)
	}
	before := preview()
	raw := clientsFor(srv, 1).ECS.(*ecs.Client)
	td, err := raw.DescribeTaskDefinition(testCtx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(before)})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := raw.RegisterTaskDefinition(testCtx(t), &ecs.RegisterTaskDefinitionInput{
		Family: td.TaskDefinition.Family, ContainerDefinitions: td.TaskDefinition.ContainerDefinitions,
		NetworkMode: td.TaskDefinition.NetworkMode, Volumes: td.TaskDefinition.Volumes,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := aws.ToString(reg.TaskDefinition.TaskDefinitionArn)
	deadline := time.Now().Add(10 * time.Second)
	for preview() != want {
		if time.Now().After(deadline) {
			t.Fatalf("after %s was registered, the preview of family %s still derives from %s", want, localaws.FixtureFamily(), before)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// updateUntilReady changes the environment (UpdateEnvironment, as the
// console would) and waits, through c's EB client, until it is Ready again.
func updateUntilReady(t *testing.T, srv *localaws.Server, c ebmigrate.Clients, in *elasticbeanstalk.UpdateEnvironmentInput) {
	t.Helper()
	raw := clientsFor(srv, 1).EB.(*elasticbeanstalk.Client)
	if _, err := raw.UpdateEnvironment(testCtx(t), in); err != nil {
		t.Fatal(err)
	}
	for {
		env, err := ebmigrate.DescribeEnvironment(testCtx(t), c.EB, localaws.FixtureEnv)
		if err != nil {
			t.Fatal(err)
		}
		if env.Status == ebtypes.EnvironmentStatusReady {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
}
