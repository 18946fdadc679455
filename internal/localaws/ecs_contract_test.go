package localaws_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// A clientToken replayed after the task stopped gets RunTask's original
// response (ECS idempotency page): the task as it was created, PROVISIONING,
// not as it is now; and no second task.
func TestClientTokenReplaysOriginalResponse(t *testing.T) {
	c := world(t)
	td := c.registerTaskDef(t, "migrate", "sh", "-c", "exit 3")
	tok := func(in *ecs.RunTaskInput) { in.ClientToken = aws.String("replay-1") }
	first := c.runTask(t, td, tok)
	if s := aws.ToString(first.LastStatus); s != "PROVISIONING" {
		t.Fatalf("new task's lastStatus = %s, want PROVISIONING", s)
	}
	stopped := c.waitStopped(t, aws.ToString(first.TaskArn))
	if code := stopped.Containers[0].ExitCode; code == nil || *code != 3 {
		t.Fatalf("exit code = %v, want 3", code)
	}
	again := c.runTask(t, td, tok)
	if aws.ToString(again.TaskArn) != aws.ToString(first.TaskArn) {
		t.Errorf("replay named task %s, want %s", aws.ToString(again.TaskArn), aws.ToString(first.TaskArn))
	}
	if s := aws.ToString(again.LastStatus); s != "PROVISIONING" || again.StoppedAt != nil || again.Containers[0].ExitCode != nil {
		t.Errorf("replay shows lastStatus %s stoppedAt %v exit %v; ECS returns the original response (PROVISIONING, no exit)", s, again.StoppedAt, again.Containers[0].ExitCode)
	}
	tasks := 0
	for _, ti := range c.srv.Stats().Tasks {
		if ti.StartedBy == "test" {
			tasks++
		}
	}
	if tasks != 1 {
		t.Errorf("%d tasks started, want 1", tasks)
	}
}

// A clientToken lives 24 hours (shortened here): after it, the same token
// starts a new task.
func TestClientTokenExpires(t *testing.T) {
	c := world(t, func(s *localaws.Seed) { s.Timing.ClientTokenTTLMS = 300 })
	td := c.registerTaskDef(t, "migrate", "true")
	tok := func(in *ecs.RunTaskInput) { in.ClientToken = aws.String("ttl-1") }
	first := c.runTask(t, td, tok)
	time.Sleep(400 * time.Millisecond)
	second := c.runTask(t, td, tok)
	if aws.ToString(first.TaskArn) == aws.ToString(second.TaskArn) {
		t.Errorf("an expired clientToken still named task %s", aws.ToString(first.TaskArn))
	}
}

// RunTask's input constraints, each as botocore's ecs model documents it.
func TestRunTaskRefusesWhatECSRefuses(t *testing.T) {
	c := world(t, func(s *localaws.Seed) {
		s.Clusters = append(s.Clusters, localaws.ClusterSeed{Name: "fargate", CapacityProviders: []string{"FARGATE", "FARGATE_SPOT"}})
	})
	td := c.registerTaskDef(t, "migrate", "true")
	many := func(prefix string, n int) []string {
		var out []string
		for i := 0; i < n; i++ {
			out = append(out, prefix+strings.Repeat("a", i+1))
		}
		return out
	}
	cases := map[string]func(*ecs.RunTaskInput){
		"startedBy with a space": func(in *ecs.RunTaskInput) { in.StartedBy = aws.String("ebmigrate run") },
		"startedBy of 129":       func(in *ecs.RunTaskInput) { in.StartedBy = aws.String(strings.Repeat("a", 129)) },
		"propagateTags SERVICE":  func(in *ecs.RunTaskInput) { in.PropagateTags = ecstypes.PropagateTagsService },
		"aws: tag key": func(in *ecs.RunTaskInput) {
			in.Tags = []ecstypes.Tag{{Key: aws.String("AWS:run"), Value: aws.String("x")}}
		},
		"clientToken with a space": func(in *ecs.RunTaskInput) { in.ClientToken = aws.String("a b") },
		"clientToken of 65":        func(in *ecs.RunTaskInput) { in.ClientToken = aws.String(strings.Repeat("t", 65)) },
		"6 security groups":        func(in *ecs.RunTaskInput) { in.NetworkConfiguration = awsvpc(many("subnet-", 1), many("sg-", 6)) },
		"17 subnets":               func(in *ecs.RunTaskInput) { in.NetworkConfiguration = awsvpc(many("subnet-", 17), many("sg-", 1)) },
		"platformVersion on EC2": func(in *ecs.RunTaskInput) {
			in.LaunchType = ecstypes.LaunchTypeEc2
			in.PlatformVersion = aws.String("1.4.0")
		},
		"all-zero weights": func(in *ecs.RunTaskInput) {
			in.Cluster = aws.String("fargate")
			in.CapacityProviderStrategy = strategy(0, 0, 0, 0)
		},
		"one provider at weight 0": func(in *ecs.RunTaskInput) {
			in.Cluster = aws.String("fargate")
			in.CapacityProviderStrategy = strategy(0, 1, 0, 0)[:1]
		},
		"two bases": func(in *ecs.RunTaskInput) {
			in.Cluster = aws.String("fargate")
			in.CapacityProviderStrategy = strategy(1, 1, 1, 1)
		},
	}
	for name, mod := range cases {
		t.Run(name, func(t *testing.T) {
			in := &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(td), StartedBy: aws.String("test")}
			mod(in)
			_, err := c.ecs.RunTask(ctx(t), in)
			var ipe *ecstypes.InvalidParameterException
			if !errors.As(err, &ipe) {
				t.Errorf("RunTask: %v, want InvalidParameterException", err)
			}
		})
	}
}

func awsvpc(subnets, groups []string) *ecstypes.NetworkConfiguration {
	return &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: subnets, SecurityGroups: groups}}
}

func strategy(w1, b1, w2, b2 int32) []ecstypes.CapacityProviderStrategyItem {
	return []ecstypes.CapacityProviderStrategyItem{
		{CapacityProvider: aws.String("FARGATE"), Weight: w1, Base: b1},
		{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: w2, Base: b2},
	}
}

// DescribeTaskDefinition of an INACTIVE revision: "You can only describe
// INACTIVE task definitions while an active task or service references them"
// (botocore ecs).
func TestDescribeInactiveTaskDefinition(t *testing.T) {
	c := world(t)
	idle := c.registerTaskDef(t, "idle", "true")
	busy := c.registerTaskDef(t, "busy", "sleep", "5")
	task := c.runTask(t, busy)
	for _, arn := range []string{idle, busy} {
		if _, err := c.ecs.DeregisterTaskDefinition(ctx(t), &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.ecs.DescribeTaskDefinition(ctx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(idle)}); errCode(err) != "ClientException" {
		t.Errorf("INACTIVE revision no task uses: %v, want ClientException", err)
	}
	out, err := c.ecs.DescribeTaskDefinition(ctx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(busy)})
	if err != nil || out.TaskDefinition.Status != ecstypes.TaskDefinitionStatusInactive {
		t.Errorf("INACTIVE revision a running task uses: %v", err)
	}
	_, _ = c.ecs.StopTask(ctx(t), &ecs.StopTaskInput{Cluster: aws.String(localaws.FixtureCluster()), Task: task.TaskArn})
}

// CreateLogGroup's name constraints (botocore logs LogGroupName pattern,
// CreateLogGroup doc).
func TestCreateLogGroupRefusesInvalidNames(t *testing.T) {
	c := world(t)
	for _, name := range []string{"has space", "colon:group", "aws/reserved", strings.Repeat("g", 513)} {
		_, err := c.logs.CreateLogGroup(ctx(t), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)})
		if errCode(err) != "InvalidParameterException" {
			t.Errorf("CreateLogGroup %.20q: %v, want InvalidParameterException", name, err)
		}
	}
	if _, err := c.logs.CreateLogGroup(ctx(t), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/ecs/ok_name-1.#x")}); err != nil {
		t.Errorf("a valid name: %v", err)
	}
}

// DescribeLogGroups, CreateLogGroup and PutRetentionPolicy have their own
// TPS quotas: a burst above them is throttled.
func TestLogsControlPlaneQuotas(t *testing.T) {
	c := world(t)
	throttled := 0
	for i := 0; i < 30; i++ {
		_, err := c.logs.DescribeLogGroups(ctx(t), &cloudwatchlogs.DescribeLogGroupsInput{})
		if errCode(err) == "ThrottlingException" {
			throttled++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if throttled == 0 || c.srv.Throttled()["logs:DescribeLogGroups"] != throttled {
		t.Errorf("30 DescribeLogGroups at once: %d throttled (server counts %v), want some", throttled, c.srv.Throttled())
	}
}

// ImageCached: a task is RUNNING before ListTasks lists it.
func TestImageCachedRunsBeforeListed(t *testing.T) {
	c := world(t, func(s *localaws.Seed) { s.Timing.ImageCached = true })
	td := c.registerTaskDef(t, "migrate", "sleep", "2")
	task := c.runTask(t, td)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		out, err := c.ecs.DescribeTasks(ctx(t), &ecs.DescribeTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Tasks: []string{aws.ToString(task.TaskArn)}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Tasks) == 1 && aws.ToString(out.Tasks[0].LastStatus) == "RUNNING" {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	list, err := c.ecs.ListTasks(ctx(t), &ecs.ListTasksInput{Cluster: aws.String(localaws.FixtureCluster()), StartedBy: aws.String("test")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.TaskArns) != 0 {
		t.Errorf("ListTasks lists %v as soon as the task runs; with a cached image it should run before it is listed", list.TaskArns)
	}
	c.listUntil(t, &ecs.ListTasksInput{StartedBy: aws.String("test")}, 1)
	_, _ = c.ecs.StopTask(ctx(t), &ecs.StopTaskInput{Cluster: aws.String(localaws.FixtureCluster()), Task: task.TaskArn})
}

// RegisterTaskDefinition refuses what awsvpc or Fargate does not support,
// and Fargate task sizes it does not offer (botocore ecs ContainerDefinition,
// ECS guide's Fargate task size table).
func TestRegisterRefusesWhatFargateRefuses(t *testing.T) {
	c := world(t)
	base := func(mod func(*ecs.RegisterTaskDefinitionInput, *ecstypes.ContainerDefinition)) *ecs.RegisterTaskDefinitionInput {
		in := &ecs.RegisterTaskDefinitionInput{
			Family: aws.String("shape"), NetworkMode: ecstypes.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
			RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
			ContainerDefinitions:    []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("example/app:v1"), Essential: aws.Bool(true)}},
		}
		mod(in, &in.ContainerDefinitions[0])
		return in
	}
	cases := map[string]func(*ecs.RegisterTaskDefinitionInput, *ecstypes.ContainerDefinition){
		"hostname": func(_ *ecs.RegisterTaskDefinitionInput, c *ecstypes.ContainerDefinition) {
			c.Hostname = aws.String("db")
		},
		"extraHosts": func(_ *ecs.RegisterTaskDefinitionInput, c *ecstypes.ContainerDefinition) {
			c.ExtraHosts = []ecstypes.HostEntry{{Hostname: aws.String("db"), IpAddress: aws.String("10.0.0.1")}}
		},
		"privileged": func(_ *ecs.RegisterTaskDefinitionInput, c *ecstypes.ContainerDefinition) {
			c.Privileged = aws.Bool(true)
		},
		"devices": func(_ *ecs.RegisterTaskDefinitionInput, c *ecstypes.ContainerDefinition) {
			c.LinuxParameters = &ecstypes.LinuxParameters{Devices: []ecstypes.Device{{HostPath: aws.String("/dev/fuse")}}}
		},
		"sharedMemorySize": func(_ *ecs.RegisterTaskDefinitionInput, c *ecstypes.ContainerDefinition) {
			c.LinuxParameters = &ecstypes.LinuxParameters{SharedMemorySize: aws.Int32(64)}
		},
		"dockerSecurityOptions": func(_ *ecs.RegisterTaskDefinitionInput, c *ecstypes.ContainerDefinition) {
			c.DockerSecurityOptions = []string{"no-new-privileges"}
		},
		"maxSwap": func(_ *ecs.RegisterTaskDefinitionInput, c *ecstypes.ContainerDefinition) {
			c.LinuxParameters = &ecstypes.LinuxParameters{MaxSwap: aws.Int32(512)}
		},
		"swappiness": func(_ *ecs.RegisterTaskDefinitionInput, c *ecstypes.ContainerDefinition) {
			c.LinuxParameters = &ecstypes.LinuxParameters{Swappiness: aws.Int32(10)}
		},
		"tmpfs": func(_ *ecs.RegisterTaskDefinitionInput, c *ecstypes.ContainerDefinition) {
			c.LinuxParameters = &ecstypes.LinuxParameters{Tmpfs: []ecstypes.Tmpfs{{ContainerPath: aws.String("/tmp"), Size: 64}}}
		},
		"capabilities.add NET_ADMIN": func(_ *ecs.RegisterTaskDefinitionInput, c *ecstypes.ContainerDefinition) {
			c.LinuxParameters = &ecstypes.LinuxParameters{Capabilities: &ecstypes.KernelCapabilities{Add: []string{"NET_ADMIN"}}}
		},
		"dnsServers": func(_ *ecs.RegisterTaskDefinitionInput, c *ecstypes.ContainerDefinition) {
			c.DnsServers = []string{"10.0.0.2"}
		},
		"disableNetworking": func(_ *ecs.RegisterTaskDefinitionInput, c *ecstypes.ContainerDefinition) {
			c.DisableNetworking = aws.Bool(true)
		},
		"ipcMode": func(in *ecs.RegisterTaskDefinitionInput, _ *ecstypes.ContainerDefinition) {
			in.IpcMode = ecstypes.IpcModeTask
		},
		"256 cpu, 1536 MiB": func(in *ecs.RegisterTaskDefinitionInput, _ *ecstypes.ContainerDefinition) {
			in.Memory = aws.String("1536")
		},
		"1024 cpu, 1024 MiB": func(in *ecs.RegisterTaskDefinitionInput, _ *ecstypes.ContainerDefinition) {
			in.Cpu = aws.String("1024")
			in.Memory = aws.String("1024")
		},
	}
	for name, mod := range cases {
		if _, err := c.ecs.RegisterTaskDefinition(ctx(t), base(mod)); errCode(err) != "ClientException" {
			t.Errorf("%s: %v, want ClientException", name, err)
		}
	}
	if _, err := c.ecs.RegisterTaskDefinition(ctx(t), base(func(in *ecs.RegisterTaskDefinitionInput, c *ecstypes.ContainerDefinition) {
		in.Cpu = aws.String("512")
		in.Memory = aws.String("2048")
		c.LinuxParameters = &ecstypes.LinuxParameters{InitProcessEnabled: aws.Bool(true), Capabilities: &ecstypes.KernelCapabilities{Add: []string{"SYS_PTRACE"}}}
	})); err != nil {
		t.Errorf("a valid Fargate size, with SYS_PTRACE: %v", err)
	}
}

// RunTask's overrides may hold "a total of 8192 characters" of JSON
// (botocore ecs RunTaskRequest.overrides): characters, not bytes, so a value
// of 2-byte characters at exactly 8192 characters is taken, one more
// character refused.
func TestRunTaskOverridesLimitInCharacters(t *testing.T) {
	c := world(t)
	td := c.registerTaskDef(t, "migrate", "true")
	with := func(value string) func(*ecs.RunTaskInput) {
		return func(in *ecs.RunTaskInput) {
			in.Overrides = &ecstypes.TaskOverride{ContainerOverrides: []ecstypes.ContainerOverride{{
				Name: aws.String("web"), Environment: []ecstypes.KeyValuePair{{Name: aws.String("V"), Value: aws.String(value)}},
			}}}
		}
	}
	// The JSON the SDK sends around the value: ASCII, a character a byte.
	frame := len(`{"containerOverrides":[{"environment":[{"name":"V","value":""}],"name":"web"}]}`)
	fits := strings.Repeat("é", 8192-frame)
	c.runTask(t, td, with(fits))
	in := &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(td), StartedBy: aws.String("test")}
	with(fits + "é")(in)
	var ipe *ecstypes.InvalidParameterException
	if _, err := c.ecs.RunTask(ctx(t), in); !errors.As(err, &ipe) {
		t.Errorf("overrides of 8193 characters: %v, want InvalidParameterException", err)
	}
}
