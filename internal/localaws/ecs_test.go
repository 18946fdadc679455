package localaws_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

func TestClusters(t *testing.T) {
	c := world(t)
	list, err := c.ecs.ListClusters(ctx(t), &ecs.ListClustersInput{})
	if err != nil || len(list.ClusterArns) != 1 || !strings.HasSuffix(list.ClusterArns[0], "cluster/"+localaws.FixtureCluster()) {
		t.Fatalf("ListClusters: %v %v", err, list)
	}
	out, err := c.ecs.DescribeClusters(ctx(t), &ecs.DescribeClustersInput{
		Clusters: []string{localaws.FixtureCluster(), "nope"}, Include: []ecstypes.ClusterField{ecstypes.ClusterFieldTags},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Clusters) != 1 || out.Clusters[0].RegisteredContainerInstancesCount != 2 || out.Clusters[0].RunningTasksCount != 2 {
		t.Errorf("clusters = %+v", out.Clusters)
	}
	tags := map[string]string{}
	for _, tg := range out.Clusters[0].Tags {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if tags["elasticbeanstalk:environment-id"] != localaws.FixtureEnvID {
		t.Errorf("cluster tags = %v", tags)
	}
	if len(out.Failures) != 1 || aws.ToString(out.Failures[0].Reason) != "MISSING" {
		t.Errorf("failures = %+v", out.Failures)
	}
	_, err = c.ecs.ListTasks(ctx(t), &ecs.ListTasksInput{Cluster: aws.String("nope")})
	if errCode(err) != "ClusterNotFoundException" {
		t.Errorf("unknown cluster: %v", err)
	}
}

func TestTaskDefinitions(t *testing.T) {
	c := world(t)
	// EB's own definition keeps every field it was registered with (and EB's
	// two awseb-logs-* volumes).
	eb, err := c.ecs.DescribeTaskDefinition(ctx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(localaws.FixtureFamily())})
	if err != nil {
		t.Fatal(err)
	}
	web := eb.TaskDefinition.ContainerDefinitions[0]
	if len(web.Ulimits) != 1 || len(web.MountPoints) != 1 || aws.ToString(eb.TaskDefinition.TaskRoleArn) == "" || len(eb.TaskDefinition.Volumes) != 3 {
		t.Errorf("fields lost: ulimits %v mountPoints %v taskRole %v volumes %v", web.Ulimits, web.MountPoints, eb.TaskDefinition.TaskRoleArn, eb.TaskDefinition.Volumes)
	}
	if eb.TaskDefinition.Status != ecstypes.TaskDefinitionStatusActive || eb.TaskDefinition.RegisteredAt == nil {
		t.Errorf("read-only fields missing: %+v", eb.TaskDefinition)
	}

	reg, err := c.ecs.RegisterTaskDefinition(ctx(t), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("migrate"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: aws.String("web"), Image: aws.String("example/app:v1"), Memory: aws.Int32(128),
		}},
		Tags: []ecstypes.Tag{{Key: aws.String("ebmigrate:hash"), Value: aws.String("abc")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(reg.TaskDefinition.TaskDefinitionArn)
	// A new revision is unknown for a moment (consistency.register_lag_ms).
	if _, err := c.ecs.DescribeTaskDefinition(ctx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn)}); errCode(err) != "ClientException" {
		t.Errorf("describe right after register: %v, want ClientException", err)
	}
	c.waitKnown(t, arn)
	if !strings.HasSuffix(arn, ":task-definition/migrate:1") || !aws.ToBool(reg.TaskDefinition.ContainerDefinitions[0].Essential) {
		t.Errorf("registered %s essential=%v", arn, reg.TaskDefinition.ContainerDefinitions[0].Essential)
	}
	for _, ref := range []string{"migrate", "migrate:1", arn} {
		d, err := c.ecs.DescribeTaskDefinition(ctx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(ref), Include: []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags}})
		if err != nil || len(d.Tags) != 1 || aws.ToString(d.TaskDefinition.TaskDefinitionArn) != arn {
			t.Errorf("describe %s: %v %+v", ref, err, d)
		}
	}

	bad := []struct {
		name string
		in   ecs.RegisterTaskDefinitionInput
		want string
	}{
		{"no memory", ecs.RegisterTaskDefinitionInput{Family: aws.String("x"), ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("a"), Image: aws.String("i")}}}, "memory"},
		{"bad family", ecs.RegisterTaskDefinitionInput{Family: aws.String("a b"), ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("a"), Image: aws.String("i"), Memory: aws.Int32(1)}}}, "Family"},
		{"no image", ecs.RegisterTaskDefinitionInput{Family: aws.String("x"), ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("a"), Memory: aws.Int32(1)}}}, "image"},
		{"dangling link", ecs.RegisterTaskDefinitionInput{Family: aws.String("x"), ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("a"), Image: aws.String("i"), Memory: aws.Int32(1), Links: []string{"db"}}}}, "Linked container"},
		{"fargate bridge", ecs.RegisterTaskDefinitionInput{Family: aws.String("x"), RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, Cpu: aws.String("256"), Memory: aws.String("512"), ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("a"), Image: aws.String("i")}}}, "awsvpc"},
		{"memory below memoryReservation", ecs.RegisterTaskDefinitionInput{Family: aws.String("x"), ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("a"), Image: aws.String("i"), Memory: aws.Int32(256), MemoryReservation: aws.Int32(512)}}}, "'memory' value must be greater than or equal to the 'memoryReservation' value"},
		{"fargate with placementConstraints", ecs.RegisterTaskDefinitionInput{Family: aws.String("x"), RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, NetworkMode: ecstypes.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
			PlacementConstraints: []ecstypes.TaskDefinitionPlacementConstraint{{Type: ecstypes.TaskDefinitionPlacementConstraintTypeMemberOf, Expression: aws.String("attribute:ecs.instance-type =~ t3.*")}},
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("a"), Image: aws.String("i")}}}, "placement constraints are not supported"},
		{"secrets without role", ecs.RegisterTaskDefinitionInput{Family: aws.String("x"), ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("a"), Image: aws.String("i"), Memory: aws.Int32(1), Secrets: []ecstypes.Secret{{Name: aws.String("K"), ValueFrom: aws.String("arn")}}}}}, "executionRoleArn"},
	}
	for _, b := range bad {
		_, err := c.ecs.RegisterTaskDefinition(ctx(t), &b.in)
		if errCode(err) != "ClientException" || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: got %v, want ClientException about %s", b.name, err, b.want)
		}
	}

	list, err := c.ecs.ListTaskDefinitions(ctx(t), &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("migrate")})
	if err != nil || len(list.TaskDefinitionArns) != 1 {
		t.Errorf("ListTaskDefinitions: %v %v", err, list)
	}
	fams, err := c.ecs.ListTaskDefinitionFamilies(ctx(t), &ecs.ListTaskDefinitionFamiliesInput{})
	if err != nil || len(fams.Families) != 2 {
		t.Errorf("ListTaskDefinitionFamilies: %v %v", err, fams)
	}
	del, err := c.ecs.DeleteTaskDefinitions(ctx(t), &ecs.DeleteTaskDefinitionsInput{TaskDefinitions: []string{"migrate:1"}})
	if err != nil || len(del.Failures) != 1 {
		t.Errorf("deleting an ACTIVE revision must fail: %v %+v", err, del)
	}
	if _, err := c.ecs.DeregisterTaskDefinition(ctx(t), &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("migrate:1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ecs.DescribeTaskDefinition(ctx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("migrate")}); errCode(err) != "ClientException" {
		t.Errorf("family with no ACTIVE revision: %v", err)
	}
	time.Sleep(time.Duration(localaws.TestConsistency.DeregisterLagMS+50) * time.Millisecond) // the deregistration takes effect
	del, err = c.ecs.DeleteTaskDefinitions(ctx(t), &ecs.DeleteTaskDefinitionsInput{TaskDefinitions: []string{"migrate:1"}})
	if err != nil || len(del.TaskDefinitions) != 1 || del.TaskDefinitions[0].Status != ecstypes.TaskDefinitionStatusDeleteInProgress {
		t.Errorf("DeleteTaskDefinitions: %v %+v", err, del)
	}
}

func TestRunTaskExitCodeAndLogs(t *testing.T) {
	c := world(t)
	td := c.registerTaskDef(t, "migrate", "sh", "-c", "echo one; echo two; echo to-stderr >&2; echo three; exit 3")
	task := c.runTask(t, td)
	if aws.ToString(task.LastStatus) != "PROVISIONING" {
		t.Errorf("first status = %s", aws.ToString(task.LastStatus))
	}
	// Right after RunTask, ECS may not see the task yet.
	out, err := c.ecs.DescribeTasks(ctx(t), &ecs.DescribeTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Tasks: []string{aws.ToString(task.TaskArn)}})
	if err != nil || len(out.Failures) != 1 || aws.ToString(out.Failures[0].Reason) != "MISSING" {
		t.Errorf("right after RunTask: %v %+v", err, out)
	}
	stopped := c.waitStopped(t, aws.ToString(task.TaskArn))
	ctr := stopped.Containers[0]
	if ctr.ExitCode == nil || *ctr.ExitCode != 3 {
		t.Fatalf("exit code = %v", ctr.ExitCode)
	}
	if stopped.StopCode != ecstypes.TaskStopCodeEssentialContainerExited || stopped.StoppedAt == nil || stopped.StartedAt == nil {
		t.Errorf("stopped task = %+v", stopped)
	}
	taskID := aws.ToString(task.TaskArn)[strings.LastIndex(aws.ToString(task.TaskArn), "/")+1:]
	stream := "migrate/web/" + taskID
	events, token := c.readLog(t, stream, 4)
	var stdout []string
	seenStderr := false
	for _, e := range events {
		if aws.ToString(e.Message) == "to-stderr" {
			seenStderr = true
			continue
		}
		stdout = append(stdout, aws.ToString(e.Message))
	}
	if strings.Join(stdout, ",") != "one,two,three" || !seenStderr {
		t.Errorf("log lines = %v (stderr seen %v)", stdout, seenStderr)
	}
	// At the end of a stream the same forward token comes back.
	again, err := c.logs.GetLogEvents(ctx(t), &cloudwatchlogs.GetLogEventsInput{
		LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String(stream), NextToken: token,
	})
	if err != nil || len(again.Events) != 0 || aws.ToString(again.NextForwardToken) != aws.ToString(token) {
		t.Errorf("end of stream: %v, %d events, token %s vs %s", err, len(again.Events), aws.ToString(again.NextForwardToken), aws.ToString(token))
	}
	// Without startFromHead the newest events come first, limited.
	tail, err := c.logs.GetLogEvents(ctx(t), &cloudwatchlogs.GetLogEventsInput{
		LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String(stream), Limit: aws.Int32(2),
	})
	if err != nil || len(tail.Events) != 2 || aws.ToString(tail.Events[1].Message) != aws.ToString(events[len(events)-1].Message) {
		t.Errorf("tail: %v %+v", err, tail.Events)
	}
	// The stats see the task with its exit code.
	var st localaws.Stats
	resp, err := http.Get(c.srv.URL() + "/_localaws/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if st.Calls["ecs:RunTask"] != 1 {
		t.Errorf("stats calls = %v", st.Calls)
	}
	found := false
	for _, ti := range st.Tasks {
		if ti.TaskArn == aws.ToString(task.TaskArn) {
			found = ti.Containers[0].ExitCode != nil && *ti.Containers[0].ExitCode == 3 && ti.StopCode == "EssentialContainerExited"
		}
	}
	if !found {
		t.Errorf("stats tasks = %+v", st.Tasks)
	}
}

func TestRunTaskEnvironmentSecretsAndOverrides(t *testing.T) {
	c := world(t)
	out, err := c.ecs.RegisterTaskDefinition(ctx(t), &ecs.RegisterTaskDefinitionInput{
		Family:           aws.String("envcheck"),
		ExecutionRoleArn: aws.String("arn:aws:iam::123456789012:role/exec"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: aws.String("web"), Image: aws.String("example/app:v1"), Memory: aws.Int32(64),
			Command:     []string{"sh", "-c", "echo never"},
			Environment: []ecstypes.KeyValuePair{{Name: aws.String("FROM_DEF"), Value: aws.String("def")}},
			Secrets:     []ecstypes.Secret{{Name: aws.String("API_KEY"), ValueFrom: aws.String(localaws.FixtureSecretArn)}},
			LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: map[string]string{
				"awslogs-group": localaws.FixtureLogGroup, "awslogs-stream-prefix": "env",
			}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	c.waitKnown(t, aws.ToString(out.TaskDefinition.TaskDefinitionArn))
	task := c.runTask(t, aws.ToString(out.TaskDefinition.TaskDefinitionArn), func(in *ecs.RunTaskInput) {
		in.Overrides = &ecstypes.TaskOverride{ContainerOverrides: []ecstypes.ContainerOverride{{
			Name:        aws.String("web"),
			Command:     []string{"sh", "-c", `echo "$FROM_DEF $FROM_OVERRIDE $API_KEY"`},
			Environment: []ecstypes.KeyValuePair{{Name: aws.String("FROM_OVERRIDE"), Value: aws.String("ovr")}},
		}}}
	})
	c.waitStopped(t, aws.ToString(task.TaskArn))
	id := aws.ToString(task.TaskArn)[strings.LastIndex(aws.ToString(task.TaskArn), "/")+1:]
	events, _ := c.readLog(t, "env/web/"+id, 1)
	if len(events) != 1 {
		t.Fatalf("%+v", events)
	}
	if got, want := aws.ToString(events[0].Message), "def ovr "+localaws.FixtureSecretValue; got != want {
		t.Errorf("environment seen by the process = %q, want %q", got, want)
	}
}

func TestClientTokenIdempotency(t *testing.T) {
	c := world(t)
	td := c.registerTaskDef(t, "migrate", "sh", "-c", "exit 0")
	tok := func(in *ecs.RunTaskInput) { in.ClientToken = aws.String("token-1") }
	first := c.runTask(t, td, tok)
	second := c.runTask(t, td, tok)
	if aws.ToString(first.TaskArn) != aws.ToString(second.TaskArn) {
		t.Errorf("same clientToken started two tasks: %s, %s", aws.ToString(first.TaskArn), aws.ToString(second.TaskArn))
	}
	_, err := c.ecs.RunTask(ctx(t), &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(td), ClientToken: aws.String("token-1"), StartedBy: aws.String("other")})
	var conflict *ecstypes.ConflictException
	if !errors.As(err, &conflict) || len(conflict.ResourceIds) != 1 || conflict.ResourceIds[0] != aws.ToString(first.TaskArn) {
		t.Errorf("same token, other parameters: %v (want ConflictException naming %s in resourceIds)", err, aws.ToString(first.TaskArn))
	}
	if n := c.srv.Calls("ecs:RunTask"); n != 3 {
		t.Errorf("RunTask calls = %d", n)
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

func TestListAndStopTasks(t *testing.T) {
	c := world(t)
	td := c.registerTaskDef(t, "sleeper", "sleep", "30")
	task := c.runTask(t, td, func(in *ecs.RunTaskInput) {
		in.StartedBy = aws.String("ebmigrate-abc")
		in.Tags = []ecstypes.Tag{{Key: aws.String("run"), Value: aws.String("1")}}
	})
	arn := aws.ToString(task.TaskArn)
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, err := c.ecs.DescribeTasks(ctx(t), &ecs.DescribeTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Tasks: []string{arn}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Tasks) == 1 && aws.ToString(out.Tasks[0].LastStatus) == "RUNNING" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("task never RUNNING")
		}
		time.Sleep(10 * time.Millisecond)
	}
	byStarter := c.listUntil(t, &ecs.ListTasksInput{StartedBy: aws.String("ebmigrate-abc")}, 1)
	if byStarter[0] != arn {
		t.Errorf("ListTasks startedBy: %v", byStarter)
	}
	c.listUntil(t, &ecs.ListTasksInput{Family: aws.String("sleeper")}, 1)
	// "it must be the only filter" (botocore ecs ListTasksRequest.startedBy).
	for name, in := range map[string]*ecs.ListTasksInput{
		"family":        {StartedBy: aws.String("x"), Family: aws.String("y")},
		"desiredStatus": {StartedBy: aws.String("x"), DesiredStatus: ecstypes.DesiredStatusRunning},
		"launchType":    {StartedBy: aws.String("x"), LaunchType: ecstypes.LaunchTypeEc2},
	} {
		in.Cluster = aws.String(localaws.FixtureCluster())
		if _, err := c.ecs.ListTasks(ctx(t), in); errCode(err) != "InvalidParameterException" {
			t.Errorf("startedBy with %s: %v", name, err)
		}
	}
	start := time.Now()
	if _, err := c.ecs.StopTask(ctx(t), &ecs.StopTaskInput{Cluster: aws.String(localaws.FixtureCluster()), Task: aws.String(arn), Reason: aws.String("stopped by test")}); err != nil {
		t.Fatal(err)
	}
	stopped := c.waitStopped(t, arn)
	if stopped.StopCode != ecstypes.TaskStopCodeUserInitiated || aws.ToString(stopped.StoppedReason) != "stopped by test" {
		t.Errorf("stopped = %s %q", stopped.StopCode, aws.ToString(stopped.StoppedReason))
	}
	if ec := stopped.Containers[0].ExitCode; ec == nil || *ec != 143 {
		t.Errorf("exit code after SIGTERM = %v, want 143", ec)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("stop took %s", time.Since(start))
	}
	// StopTask deleted the task's tags (botocore ecs StopTask).
	tagged, err := c.ecs.DescribeTasks(ctx(t), &ecs.DescribeTasksInput{Cluster: aws.String(localaws.FixtureCluster()), Tasks: []string{arn}, Include: []ecstypes.TaskField{ecstypes.TaskFieldTags}})
	if err != nil || len(tagged.Tasks) != 1 || len(tagged.Tasks[0].Tags) != 0 {
		t.Errorf("tags after StopTask: %v %+v", err, tagged)
	}
	c.listUntil(t, &ecs.ListTasksInput{StartedBy: aws.String("ebmigrate-abc")}, 0)
	c.listUntil(t, &ecs.ListTasksInput{Family: aws.String("sleeper"), DesiredStatus: ecstypes.DesiredStatusStopped}, 1)
	_, err = c.ecs.StopTask(ctx(t), &ecs.StopTaskInput{Cluster: aws.String(localaws.FixtureCluster()), Task: aws.String("nope")})
	if errCode(err) != "InvalidParameterException" {
		t.Errorf("unknown task: %v", err)
	}
}

func TestTags(t *testing.T) {
	c := world(t)
	td := c.registerTaskDef(t, "migrate", "true")
	if _, err := c.ecs.TagResource(ctx(t), &ecs.TagResourceInput{ResourceArn: aws.String(td), Tags: []ecstypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ecs.ListTagsForResource(ctx(t), &ecs.ListTagsForResourceInput{ResourceArn: aws.String(td)})
	if err != nil || len(out.Tags) != 1 || aws.ToString(out.Tags[0].Value) != "v" {
		t.Errorf("%v %+v", err, out)
	}
}

func TestStaticHostPortsCollideWithWebTasks(t *testing.T) {
	c := world(t)
	// EB's own definition holds host port 80 (nginx), and both instances run it.
	out, err := c.ecs.RunTask(ctx(t), &ecs.RunTaskInput{Cluster: aws.String(localaws.FixtureCluster()), TaskDefinition: aws.String(localaws.FixtureFamily())})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tasks) != 0 || len(out.Failures) != 1 || aws.ToString(out.Failures[0].Reason) != "RESOURCE:PORTS" {
		t.Errorf("tasks %d failures %+v", len(out.Tasks), out.Failures)
	}
}

func TestOperationsByApp(t *testing.T) {
	c := world(t)
	cfg := aws.Config{Region: "us-east-1", AppID: "my-tool", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", "")}
	tagged := ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = aws.String(c.srv.URL()) })
	if _, err := tagged.ListClusters(ctx(t), &ecs.ListClustersInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ecs.DescribeClusters(ctx(t), &ecs.DescribeClustersInput{}); err != nil {
		t.Fatal(err)
	}
	c.srv.ResetStats()
	if got := c.srv.OperationsBy("my-tool"); len(got) != 1 || got[0] != "ecs:ListClusters" {
		t.Errorf("operations of my-tool = %v, want [ecs:ListClusters]", got)
	}
}
