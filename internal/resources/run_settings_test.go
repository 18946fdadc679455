package resources_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// activeRevisions lists the ACTIVE revisions of the migration family.
func (w *world) activeRevisions() []string {
	out, err := w.ecs.ListTaskDefinitions(w.ctx(), &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("ebmigrate-" + localaws.FixtureEnv), Status: ecstypes.TaskDefinitionStatusActive})
	if err != nil {
		w.t.Fatal(err)
	}
	var arns []string
	for _, arn := range out.TaskDefinitionArns {
		if strings.Contains(arn, "task-definition/ebmigrate-"+localaws.FixtureEnv+":") {
			arns = append(arns, arn)
		}
	}
	return arns
}

// TestAccRun_revisions: version bumps that change nothing else reuse one
// revision; changed derivations keep at most keep_revisions ACTIVE ones.
func TestAccRun_revisions(t *testing.T) {
	t.Parallel()
	w := newWorld(t, func(s *localaws.Seed) {
		// Ten versions of one image: nothing changes but the label.
		for i := 1; i <= 10; i++ {
			s.Environments[0].Versions[fmt.Sprintf("v%d", i)] = map[string]string{"web": "example/app:v1", "nginx": "example/nginx:1.27"}
		}
	})
	var steps []resource.TestStep
	for i := 1; i <= 10; i++ {
		steps = append(steps, resource.TestStep{Config: w.run(fmt.Sprintf("v%d", i), okCommand)})
	}
	steps = append(steps, resource.TestStep{
		Config: w.run("v10", okCommand),
		Check: func(*terraform.State) error {
			if n := w.srv.Calls("ecs:RegisterTaskDefinition"); n != 1 {
				return fmt.Errorf("ten version bumps registered %d revisions, want 1", n)
			}
			if n := w.migrationTasks(); n != 10 {
				return fmt.Errorf("%d migrations ran, want 10", n)
			}
			return nil
		},
	})
	for i := 1; i <= 7; i++ {
		steps = append(steps, resource.TestStep{Config: w.run("v10", []string{"sh", "-c", fmt.Sprintf("echo command %d", i)})})
	}
	steps = append(steps, resource.TestStep{
		Config: w.run("v10", []string{"sh", "-c", "echo command 7"}, taskArgs("keep_revisions = 2")),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("task_arn"), knownvalue.NotNull())},
		},
		Check: func(s *terraform.State) error {
			active := w.activeRevisions()
			if len(active) != 5 {
				return fmt.Errorf("%d ACTIVE revisions after eight derivations, want 5 (keep_revisions): %v", len(active), active)
			}
			used := s.RootModule().Resources[addr].Primary.Attributes["last_run.task_definition_arn"]
			for _, arn := range active {
				if arn == used {
					return nil
				}
			}
			return fmt.Errorf("the revision in use (%s) was deregistered", used)
		},
	})
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: factories, Steps: steps})
}

// withoutLogs removes the app container's log configuration, as EB's
// containers that log to host files have none.
func withoutLogs(s *localaws.Seed) {
	var web map[string]any
	if err := json.Unmarshal(s.Environments[0].Containers[0], &web); err != nil {
		panic(err)
	}
	delete(web, "logConfiguration")
	s.Environments[0].Containers[0], _ = json.Marshal(web)
	s.LogGroups = append(s.LogGroups, "/ebmigrate/migrations")
}

// TestAccRun_logGroup: without awslogs (EB's stock shape) the failure shows
// the output from the default log group; with log_group the output is in the
// diagnostic too; a log_group that does not exist fails before any task.
func TestAccRun_logGroup(t *testing.T) {
	t.Parallel()
	w := newWorld(t, withoutLogs)
	failing := []string{"sh", "-c", "echo 'django.db.utils.OperationalError: could not connect to server'; exit 2"}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:      w.run("v1", failing),
				ExpectError: words("Migration Failed", "exit code 2", "OperationalError: could not connect to server"),
			},
			{
				Config:      w.run("v1", failing, logsArgs(`group = "/ebmigrate/nowhere"`)),
				ExpectError: words("Log Group Not Found", "/ebmigrate/nowhere", "aws_cloudwatch_log_group"),
			},
			{
				Config:      w.run("v1", failing, logsArgs(`group = "/ebmigrate/migrations"`)),
				ExpectError: words("Migration Failed", "exit code 2", "OperationalError: could not connect to server"),
			},
			{
				Config: w.run("v1", okCommand, logsArgs(`group = "/ebmigrate/migrations"`)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("logs").AtMapKey("group"), knownvalue.StringExact("/ebmigrate/migrations")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("log_group"), knownvalue.StringExact("/ebmigrate/migrations")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("log_stream"), knownvalue.StringRegexp(regexpOf(`^ebmigrate/web/[0-9a-f]{32}$`))),
				},
			},
		},
	})
}

// TestAccRun_sizing: cpu, memory and memory_reservation reach the migration
// container, and a change of them runs nothing.
func TestAccRun_sizing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: w.run("v1", okCommand, containerArgs("cpu = 256", "memory = 1024", "memory_reservation = 768")),
				Check: func(s *terraform.State) error {
					out, err := w.ecs.DescribeTaskDefinition(w.ctx(), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(s.RootModule().Resources[addr].Primary.Attributes["last_run.task_definition_arn"])})
					if err != nil {
						return err
					}
					c := out.TaskDefinition.ContainerDefinitions[0]
					if c.Cpu != 256 || aws.ToInt32(c.Memory) != 1024 || aws.ToInt32(c.MemoryReservation) != 768 {
						return fmt.Errorf("container cpu %d memory %d reservation %d", c.Cpu, aws.ToInt32(c.Memory), aws.ToInt32(c.MemoryReservation))
					}
					return nil
				},
			},
			{
				Config: w.run("v1", okCommand, containerArgs("cpu = 512", "memory = 2048")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("task_arn"), knownvalue.NotNull())},
				},
				Check: w.expectMigrationTasks(1),
			},
		},
	})
}

// migrationImages are the images the migration tasks ran, in order.
func (w *world) migrationImages() []string {
	var images []string
	for _, ti := range w.srv.Stats().Tasks {
		if strings.HasPrefix(ti.StartedBy, "ebmigrate-") {
			images = append(images, ti.Containers[0].Image)
		}
	}
	return images
}

// TestAccRun_versionImage: a migration for a version that is not deployed
// runs that version's image, from its source bundle; image overrides it.
func TestAccRun_versionImage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	expectImages := func(want ...string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if got := w.migrationImages(); strings.Join(got, ",") != strings.Join(want, ",") {
				return fmt.Errorf("migrations ran images %v, want %v", got, want)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: w.run("v1", okCommand),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("image"), knownvalue.StringExact("example/app:v1")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("container"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("image_source"), knownvalue.StringExact("the deployed task definition "+localaws.FixtureFamily()+":1")),
				},
			},
			{
				Config: w.run("v2", okCommand),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("image"), knownvalue.StringExact("example/app:v2")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("image_source"), knownvalue.StringExact("application version v2 (s3://elasticbeanstalk-us-east-1-123456789012/myapp/v2.zip)")),
				},
				Check: expectImages("example/app:v1", "example/app:v2"),
			},
			{
				Config: w.run("v2", okCommand, containerArgs(`image = "example/app:v3"`)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("image_source"), knownvalue.StringExact("the image argument")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("last_run").AtMapKey("image"), knownvalue.StringExact("example/app:v3")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("container").AtMapKey("image"), knownvalue.StringExact("example/app:v3")),
				},
				Check: expectImages("example/app:v1", "example/app:v2", "example/app:v3"),
			},
			{
				Config:      w.run("v9", okCommand),
				ExpectError: words("Application Version Not Found", `"myapp" has no version "v9"`),
			},
		},
	})
}

// TestAccRun_versionImageProblems: bundles that cannot say the image.
func TestAccRun_versionImageProblems(t *testing.T) {
	t.Parallel()
	bucket := "elasticbeanstalk-us-east-1-123456789012/myapp/"
	w := newWorld(t, func(s *localaws.Seed) {
		s.S3Objects = map[string]string{
			bucket + "v2.zip": "PK\x03\x04 truncated",
			bucket + "v3.zip": `{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "worker", "image": "example/app:v3"}]}`,
		}
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{Config: w.run("v2", okCommand), ExpectError: words("Dockerrun.aws.json Not Found", "version \"v2\"", "Set container.image")},
			{Config: w.run("v3", okCommand), ExpectError: words("Container Not In Version", `no container "web"`, "worker")},
		},
	})
	if n := w.migrationTasks(); n != 0 {
		t.Errorf("%d tasks ran", n)
	}
}
