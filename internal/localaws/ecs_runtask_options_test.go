package localaws_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// taskInfo is what the stats recorded of a task.
func (c clients) taskInfo(t *testing.T, arn string) localaws.TaskInfo {
	t.Helper()
	for _, ti := range c.srv.Stats().Tasks {
		if ti.TaskArn == arn {
			return ti
		}
	}
	t.Fatalf("no task %s in the stats", arn)
	return localaws.TaskInfo{}
}

// enableExecuteCommand needs a task role, in the task definition or as an
// override (InvalidParameterException otherwise); DescribeTasks returns it.
func TestRunTaskEnableExecuteCommand(t *testing.T) {
	c := world(t)
	td := c.registerTaskDef(t, "exec", "true")
	_, err := c.ecs.RunTask(ctx(t), &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(td), EnableExecuteCommand: true})
	if errCode(err) != "InvalidParameterException" || !strings.Contains(err.Error(), "valid task role") {
		t.Fatalf("RunTask with enableExecuteCommand and no task role: %v, want InvalidParameterException about the task role", err)
	}
	task := c.runTask(t, td, func(in *ecs.RunTaskInput) {
		in.EnableExecuteCommand = true
		in.Overrides = &ecstypes.TaskOverride{TaskRoleArn: aws.String("arn:aws:iam::123456789012:role/migrate")}
	})
	if !task.EnableExecuteCommand {
		t.Error("RunTask's task has enableExecuteCommand false")
	}
	stopped := c.waitStopped(t, aws.ToString(task.TaskArn))
	if !stopped.EnableExecuteCommand || !c.taskInfo(t, aws.ToString(task.TaskArn)).EnableExecuteCommand {
		t.Error("DescribeTasks or the stats lost enableExecuteCommand")
	}
	plain := c.runTask(t, td)
	if plain.EnableExecuteCommand {
		t.Error("a task run without enableExecuteCommand has it on")
	}
}

// memberOf keeps the instances its expression selects; when none is left,
// failures[] has ECS's reason and no task starts.
func TestRunTaskMemberOf(t *testing.T) {
	c := world(t)
	td := c.registerTaskDef(t, "placed", "true")
	first, second := localaws.FixtureInstanceID(0), localaws.FixtureInstanceID(1)
	constraint := func(expr string) func(*ecs.RunTaskInput) {
		return func(in *ecs.RunTaskInput) {
			in.PlacementConstraints = []ecstypes.PlacementConstraint{{Type: ecstypes.PlacementConstraintTypeMemberOf, Expression: aws.String(expr)}}
		}
	}
	for _, tc := range []struct{ expr, want string }{
		{"ec2InstanceId != " + first, second},
		{"ec2InstanceId == " + first, first},
		{"ec2InstanceId in [" + second + "]", second},
		{"ec2InstanceId not_in [" + second + ", i-0000]", first},
		{"attribute:ecs.instance-type == t3.small and ec2InstanceId != " + second, first},
		{"ec2InstanceId == i-nothere or ec2InstanceId == " + second, second},
		// The ECS guide's syntax ("Cluster query language"): quoted values
		// and list items (its example "ec2InstanceId in ['i-abcd1234',
		// 'i-wxyx7890']"), && and || beside and/or, !in beside not_in.
		{"ec2InstanceId in ['i-abcd1234', '" + second + "']", second},
		{"ec2InstanceId in [\"" + first + "\"]", first},
		{"ec2InstanceId == '" + second + "'", second},
		{"attribute:ecs.instance-type == t3.small && ec2InstanceId == " + second, second},
		{"ec2InstanceId == i-nothere || ec2InstanceId == " + first, first},
		{"ec2InstanceId !in [" + first + "]", second},
		{"ec2InstanceId !in ['" + second + "']", first},
	} {
		task := c.runTask(t, td, constraint(tc.expr))
		ti := c.taskInfo(t, aws.ToString(task.TaskArn))
		if ti.EC2InstanceID != tc.want {
			t.Errorf("%q placed the task on %s, want %s", tc.expr, ti.EC2InstanceID, tc.want)
		}
		if len(ti.PlacementConstraints) != 1 || ti.PlacementConstraints[0].Expression != tc.expr {
			t.Errorf("stats recorded constraints %+v", ti.PlacementConstraints)
		}
		// A stopping task gives its instance's memory back: the next
		// placement depends on the constraint alone.
		if _, err := c.ecs.StopTask(ctx(t), &ecs.StopTaskInput{Cluster: aws.String(localaws.FixtureCluster()), Task: task.TaskArn}); err != nil {
			t.Fatal(err)
		}
	}
	before := len(c.srv.Stats().Tasks)
	for _, expr := range []string{"attribute:ecs.instance-type == m5.large", "ec2InstanceId not_in [" + first + "," + second + "]",
		"ec2InstanceId !in ['" + first + "', '" + second + "']", "ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']",
		"attribute:ecs.instance-type == t3.small && ec2InstanceId == i-nothere"} {
		in := &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(td)}
		constraint(expr)(in)
		out, err := c.ecs.RunTask(ctx(t), in)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Tasks) != 0 || len(out.Failures) != 1 || aws.ToString(out.Failures[0].Reason) != "MemberOf placement constraint unsatisfied." ||
			!strings.Contains(aws.ToString(out.Failures[0].Arn), ":container-instance/") {
			t.Errorf("%q: %d tasks, failures %+v; want the MemberOf failure of a container instance", expr, len(out.Tasks), out.Failures)
		}
	}
	if n := len(c.srv.Stats().Tasks); n != before {
		t.Errorf("%d tasks started by unsatisfiable constraints", n-before)
	}
	// An expression localaws does not model (another attribute, =~, a
	// negation, parentheses) is accepted, not a failure.
	for _, expr := range []string{"attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", "attribute:ecs.instance-type =~ t3.*",
		"not ec2InstanceId == i-nothere", "!(ec2InstanceId == i-nothere)", "(ec2InstanceId == i-nothere || ec2InstanceId == " + first + ") && attribute:ecs.os-type == linux"} {
		task := c.runTask(t, td, constraint(expr))
		if c.taskInfo(t, aws.ToString(task.TaskArn)).EC2InstanceID == "" {
			t.Errorf("a task with the unmodelled expression %q was not placed", expr)
		}
	}
}

// distinctInstance keeps the instances that run no task of the same group.
func TestRunTaskDistinctInstance(t *testing.T) {
	c := world(t)
	td := c.registerTaskDef(t, "distinct", "sleep", "30")
	distinct := func(in *ecs.RunTaskInput) {
		in.Group = aws.String("migrations")
		in.PlacementConstraints = []ecstypes.PlacementConstraint{{Type: ecstypes.PlacementConstraintTypeDistinctInstance}}
	}
	a := c.runTask(t, td, distinct)
	b := c.runTask(t, td, distinct)
	if c.taskInfo(t, aws.ToString(a.TaskArn)).EC2InstanceID == c.taskInfo(t, aws.ToString(b.TaskArn)).EC2InstanceID {
		t.Error("two tasks of a group with distinctInstance share an instance")
	}
	in := &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(td)}
	distinct(in)
	out, err := c.ecs.RunTask(ctx(t), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Failures) != 1 || aws.ToString(out.Failures[0].Reason) != "DistinctInstance placement constraint unsatisfied." {
		t.Errorf("a third task on two instances: failures %+v", out.Failures)
	}
	for _, task := range []ecstypes.Task{a, b} {
		if _, err := c.ecs.StopTask(ctx(t), &ecs.StopTaskInput{Cluster: aws.String(localaws.FixtureCluster()), Task: task.TaskArn}); err != nil {
			t.Fatal(err)
		}
	}
}

// Placement options are validated as botocore's ecs model documents them,
// and refused on Fargate; the strategy is recorded.
func TestRunTaskPlacementValidation(t *testing.T) {
	c := world(t)
	td := c.registerTaskDef(t, "rules", "true")
	memberOf := ecstypes.PlacementConstraint{Type: ecstypes.PlacementConstraintTypeMemberOf, Expression: aws.String("ec2InstanceId != i-0")}
	eleven := make([]ecstypes.PlacementConstraint, 11)
	for i := range eleven {
		eleven[i] = memberOf
	}
	six := make([]ecstypes.PlacementStrategy, 6)
	for i := range six {
		six[i] = ecstypes.PlacementStrategy{Type: ecstypes.PlacementStrategyTypeRandom}
	}
	for name, mod := range map[string]func(*ecs.RunTaskInput){
		"11 constraints": func(in *ecs.RunTaskInput) { in.PlacementConstraints = eleven },
		"6 strategies":   func(in *ecs.RunTaskInput) { in.PlacementStrategy = six },
		"memberOf, no expression": func(in *ecs.RunTaskInput) {
			in.PlacementConstraints = []ecstypes.PlacementConstraint{{Type: "memberOf"}}
		},
		"distinct with expression": func(in *ecs.RunTaskInput) {
			in.PlacementConstraints = []ecstypes.PlacementConstraint{{Type: "distinctInstance", Expression: aws.String("x == y")}}
		},
		"unknown constraint": func(in *ecs.RunTaskInput) {
			in.PlacementConstraints = []ecstypes.PlacementConstraint{{Type: "sameInstance"}}
		},
		"binpack on disk": func(in *ecs.RunTaskInput) {
			in.PlacementStrategy = []ecstypes.PlacementStrategy{{Type: "binpack", Field: aws.String("disk")}}
		},
		"spread without field": func(in *ecs.RunTaskInput) { in.PlacementStrategy = []ecstypes.PlacementStrategy{{Type: "spread"}} },
		"random with field": func(in *ecs.RunTaskInput) {
			in.PlacementStrategy = []ecstypes.PlacementStrategy{{Type: "random", Field: aws.String("cpu")}}
		},
	} {
		in := &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(td)}
		mod(in)
		if _, err := c.ecs.RunTask(ctx(t), in); errCode(err) != "InvalidParameterException" {
			t.Errorf("%s: %v, want InvalidParameterException", name, err)
		}
	}
	task := c.runTask(t, td, func(in *ecs.RunTaskInput) {
		in.PlacementStrategy = []ecstypes.PlacementStrategy{{Type: "spread", Field: aws.String("attribute:ecs.availability-zone")}, {Type: "binpack", Field: aws.String("memory")}}
		in.PlacementConstraints = []ecstypes.PlacementConstraint{{Type: "distinctInstance"}}
	})
	ti := c.taskInfo(t, aws.ToString(task.TaskArn))
	if len(ti.PlacementStrategy) != 2 || ti.PlacementStrategy[1].Field != "memory" || len(ti.PlacementConstraints) != 1 {
		t.Errorf("stats recorded strategy %+v, constraints %+v", ti.PlacementStrategy, ti.PlacementConstraints)
	}
}

// Fargate tasks take no placement constraints or strategies.
func TestRunTaskPlacementNotOnFargate(t *testing.T) {
	c := world(t)
	out, err := c.ecs.RegisterTaskDefinition(ctx(t), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("fargate"), NetworkMode: ecstypes.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		ContainerDefinitions:    []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("example/app:v1"), Command: []string{"true"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	td := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	c.waitKnown(t, td)
	in := func(mod func(*ecs.RunTaskInput)) *ecs.RunTaskInput {
		r := &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(td), LaunchType: ecstypes.LaunchTypeFargate,
			NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-0aaa1111"}}}}
		mod(r)
		return r
	}
	for name, mod := range map[string]func(*ecs.RunTaskInput){
		"constraint": func(r *ecs.RunTaskInput) {
			r.PlacementConstraints = []ecstypes.PlacementConstraint{{Type: "distinctInstance"}}
		},
		"strategy": func(r *ecs.RunTaskInput) { r.PlacementStrategy = []ecstypes.PlacementStrategy{{Type: "random"}} },
	} {
		if _, err := c.ecs.RunTask(ctx(t), in(mod)); errCode(err) != "InvalidParameterException" {
			t.Errorf("Fargate with a placement %s: %v, want InvalidParameterException", name, err)
		}
	}
	if _, err := c.ecs.RunTask(ctx(t), in(func(*ecs.RunTaskInput) {})); err != nil {
		t.Errorf("Fargate without placement options: %v", err)
	}
}

// The AWS CLI (botocore) sends the options as ECS's model says and reads
// what localaws answers: enableExecuteCommand on the task, the MemberOf
// failure in failures[].
func TestAWSCLIRunTaskOptions(t *testing.T) {
	awsCLI, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("no aws CLI on PATH: the wire formats are checked with the Go SDK only")
	}
	c := world(t)
	td := c.registerTaskDef(t, "cli-options", "true")
	run := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command(awsCLI, append(args, "--endpoint-url", c.srv.URL(), "--region", "us-east-1", "--output", "json")...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=secret", "AWS_PAGER=",
			"AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "AWS_EC2_METADATA_DISABLED=true")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		var v map[string]any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("aws %v printed no JSON: %v\n%s", args, err, out)
		}
		return v
	}
	out := run("ecs", "run-task", "--cluster", localaws.FixtureCluster(), "--task-definition", td, "--enable-execute-command",
		"--overrides", `{"taskRoleArn": "arn:aws:iam::123456789012:role/migrate"}`,
		"--placement-constraints", "type=memberOf,expression=ec2InstanceId != "+localaws.FixtureInstanceID(0),
		"--placement-strategy", "type=binpack,field=memory")
	tasks := out["tasks"].([]any)
	if len(tasks) != 1 || tasks[0].(map[string]any)["enableExecuteCommand"] != true {
		t.Fatalf("run-task: %v", out)
	}
	ti := c.taskInfo(t, tasks[0].(map[string]any)["taskArn"].(string))
	if ti.EC2InstanceID != localaws.FixtureInstanceID(1) || len(ti.PlacementStrategy) != 1 {
		t.Errorf("the task ran as %+v", ti)
	}
	out = run("ecs", "run-task", "--cluster", localaws.FixtureCluster(), "--task-definition", td,
		"--placement-constraints", "type=memberOf,expression=attribute:ecs.instance-type == m5.large")
	failures := out["failures"].([]any)
	if len(out["tasks"].([]any)) != 0 || len(failures) != 1 || failures[0].(map[string]any)["reason"] != "MemberOf placement constraint unsatisfied." {
		t.Errorf("run-task with an unsatisfiable constraint: %v", out)
	}
}

// The task definition's own memberOf constraints bind as RunTask's do, and
// both together (botocore RunTaskRequest.placementConstraints; a definition
// constraint contradicting RunTask's leaves no instance,
// aws/amazon-ecs-agent#3044).
func TestRunTaskDefinitionMemberOf(t *testing.T) {
	c := world(t)
	first, second := localaws.FixtureInstanceID(0), localaws.FixtureInstanceID(1)
	register := func(expr string) string {
		out, err := c.ecs.RegisterTaskDefinition(ctx(t), &ecs.RegisterTaskDefinitionInput{
			Family:               aws.String("defconstrained"),
			PlacementConstraints: []ecstypes.TaskDefinitionPlacementConstraint{{Type: ecstypes.TaskDefinitionPlacementConstraintTypeMemberOf, Expression: aws.String(expr)}},
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("example/app:v1"), Essential: aws.Bool(true), Memory: aws.Int32(256), Command: []string{"true"}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		arn := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
		c.waitKnown(t, arn)
		return arn
	}
	for _, want := range []string{first, second} {
		td := register("ec2InstanceId == " + want)
		task := c.runTask(t, td)
		if got := c.taskInfo(t, aws.ToString(task.TaskArn)).EC2InstanceID; got != want {
			t.Errorf("a definition with memberOf ec2InstanceId == %s placed its task on %s", want, got)
		}
		if _, err := c.ecs.StopTask(ctx(t), &ecs.StopTaskInput{Cluster: aws.String(localaws.FixtureCluster()), Task: task.TaskArn}); err != nil {
			t.Fatal(err)
		}
	}
	td := register("ec2InstanceId == " + first)
	out, err := c.ecs.RunTask(ctx(t), &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(td),
		PlacementConstraints: []ecstypes.PlacementConstraint{{Type: ecstypes.PlacementConstraintTypeMemberOf, Expression: aws.String("ec2InstanceId == " + second)}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tasks) != 0 || len(out.Failures) != 1 || aws.ToString(out.Failures[0].Reason) != "MemberOf placement constraint unsatisfied." {
		t.Errorf("contradicting definition and RunTask constraints: %d tasks, failures %+v", len(out.Tasks), out.Failures)
	}
}

// ECS Exec on Fargate needs platform version 1.4.0 or later (ECS guide,
// "Running commands using ECS Exec").
func TestRunTaskExecFargatePlatformVersion(t *testing.T) {
	c := world(t)
	out, err := c.ecs.RegisterTaskDefinition(ctx(t), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("fargate-exec"), NetworkMode: ecstypes.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		TaskRoleArn:             aws.String("arn:aws:iam::123456789012:role/migrate"),
		ContainerDefinitions:    []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("example/app:v1"), Command: []string{"true"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	td := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	c.waitKnown(t, td)
	run := func(version string) error {
		in := &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(td), LaunchType: ecstypes.LaunchTypeFargate,
			EnableExecuteCommand: true, NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-0aaa1111"}}}}
		if version != "" {
			in.PlatformVersion = aws.String(version)
		}
		_, err := c.ecs.RunTask(ctx(t), in)
		return err
	}
	if err := run("1.3.0"); errCode(err) != "InvalidParameterException" {
		t.Errorf("ECS Exec on platform version 1.3.0: %v, want InvalidParameterException", err)
	}
	for _, v := range []string{"1.4.0", "LATEST", ""} {
		if err := run(v); err != nil {
			t.Errorf("ECS Exec on platform version %q: %v", v, err)
		}
	}
}

// A Fargate task of 8 or 16 vCPU needs platform version 1.4.0 or later
// (botocore ecs RegisterTaskDefinitionRequest.memory: "This option requires
// Linux platform 1.4.0 or later").
func TestRunTaskLargeFargateTaskPlatformVersion(t *testing.T) {
	c := world(t)
	out, err := c.ecs.RegisterTaskDefinition(ctx(t), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("fargate-large"), NetworkMode: ecstypes.NetworkModeAwsvpc, Cpu: aws.String("8192"), Memory: aws.String("16384"),
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		ContainerDefinitions:    []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("example/app:v1"), Command: []string{"true"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	td := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	c.waitKnown(t, td)
	run := func(version string) error {
		in := &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(td), LaunchType: ecstypes.LaunchTypeFargate,
			NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-0aaa1111"}}}}
		if version != "" {
			in.PlatformVersion = aws.String(version)
		}
		_, err := c.ecs.RunTask(ctx(t), in)
		return err
	}
	if err := run("1.3.0"); errCode(err) != "InvalidParameterException" {
		t.Errorf("8 vCPU on platform version 1.3.0: %v, want InvalidParameterException", err)
	}
	for _, v := range []string{"1.4.0", "LATEST", ""} {
		if err := run(v); err != nil {
			t.Errorf("8 vCPU on platform version %q: %v", v, err)
		}
	}
}
