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
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// withContainerCPU gives the web container a CPU reservation.
func withContainerCPU(units int) func(*localaws.Seed) {
	return func(s *localaws.Seed) {
		var web map[string]any
		if err := json.Unmarshal(s.Environments[0].Containers[0], &web); err != nil {
			panic(err)
		}
		web["cpu"] = units
		s.Environments[0].Containers[0], _ = json.Marshal(web)
	}
}

// TestAccRun_stockPlanChecks: on EB's stock environment, what ECS would
// refuse or what could not start fails the apply before anything is
// registered or run, saying what to do. (The plan warns of it, "checked at
// apply", since the same apply may mend it: TestAccCLI_stockPlanWarnings.)
func TestAccRun_stockPlanChecks(t *testing.T) {
	t.Parallel()
	w := newWorld(t, localaws.WithoutHostVolume)
	big := newWorld(t, localaws.WithoutHostVolume, withFargate, withContainerCPU(512))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:      w.run("v1", okCommand, taskArgs(`launch_type = "FARGATE"`)),
				ExpectError: words("Execution Role Required", "awslogs", "task.execution_role_arn"),
			},
			{
				Config:      w.run("v1", okCommand, taskArgs(executionRole, `capacity_provider_strategy = [{ capacity_provider = "FARGATE_SPOT", weight = 1 }]`), containerArgs("cpu = 256", "memory = 512")),
				ExpectError: words("Capacity Provider Not Associated", `"FARGATE_SPOT"`, localaws.EBCapacityProvider(localaws.FixtureCluster()), "put-cluster-capacity-providers"),
			},
			{
				Config:      big.run("v1", okCommand, taskArgs(`launch_type = "FARGATE"`, executionRole)),
				ExpectError: words("Container CPU Above Task CPU", "512", "256"),
			},
		},
	})
	if n := w.migrationTasks() + big.migrationTasks(); n != 0 {
		t.Errorf("%d tasks ran", n)
	}
}

// TestAccRun_fargateStock: on Fargate the awseb-logs-* mount is dropped, and
// a public IP follows the environment's AssociatePublicIpAddress.
func TestAccRun_fargateStock(t *testing.T) {
	t.Parallel()
	w := newWorld(t, localaws.WithoutHostVolume, withFargate, func(s *localaws.Seed) { s.Environments[0].VPC.AssociatePublicIPAddress = true })
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: w.run("v1", okCommand, taskArgs(`launch_type = "FARGATE"`, executionRole)),
			Check: func(s *terraform.State) error {
				if ti := w.lastMigration(); ti.AssignPublicIP != "ENABLED" {
					return fmt.Errorf("assignPublicIp = %q, want ENABLED (the environment's instances get public IPs)", ti.AssignPublicIP)
				}
				out, err := w.ecs.DescribeTaskDefinition(w.ctx(), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(s.RootModule().Resources[addr].Primary.Attributes["last_run.task_definition_arn"])})
				if err != nil {
					return err
				}
				if mps := out.TaskDefinition.ContainerDefinitions[0].MountPoints; len(mps) != 0 || len(out.TaskDefinition.Volumes) != 0 {
					return fmt.Errorf("mounts %+v, volumes %+v kept on Fargate", mps, out.TaskDefinition.Volumes)
				}
				if aws.ToString(out.TaskDefinition.ExecutionRoleArn) == "" {
					return fmt.Errorf("execution_role_arn did not reach the revision")
				}
				return nil
			},
		}},
	})
}

// TestAccRun_destroyDeletesRevisions: destroying ebmigrate_run leaves no
// derived revision, of the migration family, the query family, or the
// environment's revisions of the pre-1.0 query family ebmigrate-<env>-query;
// and none of another environment's: ebmigrate-<env>-query is also the
// migration family of an environment named <env>-query, whose revision
// (tagged with that name) stays.
func TestAccRun_destroyDeletesRevisions(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	family := "ebmigrate-" + localaws.FixtureEnv
	legacyOurs := w.registerTagged(t, family+"-query", localaws.FixtureEnv)
	theirs := w.registerTagged(t, family+"-query", localaws.FixtureEnv+"-query")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{Config: w.run("v1", okCommand)},
			{Config: w.run("v2", okCommand)},
		},
		CheckDestroy: func(*terraform.State) error {
			for _, f := range []string{family, family + "__query"} {
				for _, status := range []ecstypes.TaskDefinitionStatus{ecstypes.TaskDefinitionStatusActive, ecstypes.TaskDefinitionStatusInactive} {
					out, err := w.ecs.ListTaskDefinitions(w.ctx(), &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(f), Status: status})
					if err != nil {
						return err
					}
					for _, arn := range out.TaskDefinitionArns {
						if strings.Contains(arn, "/"+f+":") {
							return fmt.Errorf("%s revision %s left after destroy", status, arn)
						}
					}
				}
			}
			if _, err := w.ecs.DescribeTaskDefinition(w.ctx(), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(family + ":1")}); err == nil {
				return fmt.Errorf("revision %s:1 is still describable after destroy", family)
			}
			if got := w.srv.TaskDefinitionStatus(legacyOurs); got != "DELETE_IN_PROGRESS" {
				return fmt.Errorf("the environment's revision %s of the old query family is %q after destroy", legacyOurs, got)
			}
			if got := w.srv.TaskDefinitionStatus(theirs); got != "ACTIVE" {
				return fmt.Errorf("environment %s-query's revision %s is %q after destroying %s's migration", localaws.FixtureEnv, theirs, got, localaws.FixtureEnv)
			}
			return nil
		},
	})
}

// registerTagged registers a revision in family tagged as the provider tags
// its own for environment env, and returns its ARN.
func (w *world) registerTagged(t *testing.T, family, env string) string {
	t.Helper()
	out, err := w.ecs.RegisterTaskDefinition(w.ctx(), &ecs.RegisterTaskDefinitionInput{
		Family:               aws.String(family),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("example/app:v1"), Memory: aws.Int32(128), Essential: aws.Bool(true)}},
		Tags: []ecstypes.Tag{
			{Key: aws.String("ebmigrate:content-hash"), Value: aws.String("h-" + env)},
			{Key: aws.String("ebmigrate:environment-name"), Value: aws.String(env)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
}

// TestAccCLI_stockPlanWarnings: the plan reads a version's bundle from the
// bucket the version names, warns that a migration of a version not yet
// deployed would mount the deployed bundle, and warns of a log_group that does
// not exist.
func TestAccCLI_stockPlanWarnings(t *testing.T) {
	t.Parallel()
	w := newWorld(t, func(s *localaws.Seed) { s.Environments[0].BundleBucket = "my-artifacts" })
	c := newCLI(t)
	c.write(w.run("v1", okCommand))
	c.apply("apply")
	find := func(diags []jsonDiagnostic, summary, part string) bool {
		for _, d := range diags {
			if d.Summary == summary && strings.Contains(d.Detail, part) {
				return true
			}
		}
		return false
	}
	c.write(w.run("v2", okCommand))
	diags, _ := c.planJSON()
	if !find(diags, "Migration Will Run", "s3://my-artifacts/myapp/v2.zip") {
		t.Errorf("the plan did not read v2's bundle from its bucket: %+v", diags)
	}
	if !find(diags, "Migration May Not Go As Planned", "/var/app/current/static") {
		t.Errorf("no warning of the bundle-mounted code: %+v", diags)
	}
	c.write(w.run("v2", okCommand, logsArgs(`group = "/ebmigrate/nowhere"`)))
	diags, _ = c.planJSON()
	if !find(diags, "Migration May Not Go As Planned", "/ebmigrate/nowhere, which does not exist") {
		t.Errorf("no warning of the missing log group: %+v", diags)
	}
	c.write(w.run("v1", okCommand, logsArgs(`group = "/ebmigrate/nowhere"`)))
	if diags, _ = c.planJSON(); find(diags, "Migration May Not Go As Planned", "") {
		t.Errorf("a plan that runs nothing warned: %+v", diags)
	}

	// What ECS would refuse is said at plan, as checked at apply.
	stock := newWorld(t, localaws.WithoutHostVolume)
	sc := newCLI(t)
	sc.write(stock.run("v1", okCommand, taskArgs(executionRole, `capacity_provider_strategy = [{ capacity_provider = "FARGATE_SPOT", weight = 1 }]`), containerArgs("cpu = 256", "memory = 512")))
	diags, _ = sc.planJSON()
	if !find(diags, "Migration Will Run", "Checked at apply") || !find(diags, "Migration Will Run", "Capacity Provider Not Associated") {
		t.Errorf("the plan did not warn of the unassociated capacity provider: %+v", diags)
	}
	if n := stock.migrationTasks(); n != 0 {
		t.Errorf("%d tasks ran", n)
	}
}

// TestAccRun_fargateTracebackAtExit: on Fargate the shim logger sends the
// container's last batch at the driver's next flush, after the task shows
// STOPPED; the failure's diagnostic still shows the traceback printed at
// exit, and says that the lines shown cannot be proven the last ones.
func TestAccRun_fargateTracebackAtExit(t *testing.T) {
	t.Parallel()
	w := newWorld(t, localaws.WithoutHostVolume, withFargate)
	failing := []string{"sh", "-c", `echo "Operations to perform:"; sleep 0.4; echo "Traceback (most recent call last):"; echo "django.db.utils.OperationalError: no such table: shop_product"; exit 1`}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config:      w.run("v1", failing, taskArgs(`launch_type = "FARGATE"`, executionRole)),
			ExpectError: words("Migration Failed", "Traceback (most recent call last):", "OperationalError: no such table: shop_product", "That they are the last ones cannot be proven", "on Fargate the last lines are sent up to 5 s after the container exits"),
		}},
	})
}
