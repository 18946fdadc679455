package ebmigrate_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// FuzzDeriveTaskDefinition derives from arbitrary container definitions: it
// never panics, fails only with a ProblemError, and what it derives always
// has one essential container, without port mappings or links, that runs
// the command.
func FuzzDeriveTaskDefinition(f *testing.F) {
	f.Add([]byte(`[{"Name":"web","Image":"app:1","Essential":true,"PortMappings":[{"ContainerPort":80,"HostPort":80}]}]`), "", false)
	f.Add([]byte(`[{"Name":"web","Essential":true,"Links":["db"]},{"Name":"db","Essential":true}]`), "db", false)
	f.Add([]byte(`[{"Name":"web","Environment":[{"Name":"A","Value":"1"}],"Secrets":[{"Name":"B","ValueFrom":"arn"}]}]`), "", true)
	f.Add([]byte(`[{"Name":"nginx","Essential":false},{"Name":"web","VolumesFrom":[{"SourceContainer":"nginx"}],"DependsOn":[{"ContainerName":"nginx","Condition":"START"}]}]`), "", false)
	f.Add([]byte(`[]`), "", false)
	f.Add([]byte(`null`), "x", true)
	f.Fuzz(func(t *testing.T, containersJSON []byte, container string, withRole bool) {
		var cds []ecstypes.ContainerDefinition
		if json.Unmarshal(containersJSON, &cds) != nil {
			t.Skip()
		}
		src := &ecstypes.TaskDefinition{TaskDefinitionArn: aws.String("arn:aws:ecs:us-east-1:123456789012:task-definition/awseb-x-1:1"), ContainerDefinitions: cds}
		if withRole {
			src.ExecutionRoleArn = aws.String("arn:aws:iam::123456789012:role/exec")
		}
		target := &ebmigrate.Target{
			EnvironmentName: "fuzz-env", EnvironmentID: "e-fuzz", SourceTaskDefinition: src,
			Properties: map[string]string{"A": "prop", "DJANGO_SETTINGS_MODULE": "x"},
			Secrets:    map[string]string{"S": "arn:aws:secretsmanager:us-east-1:123456789012:secret:s"},
		}
		d, err := ebmigrate.DeriveTaskDefinition(target, ebmigrate.DeriveSpec{Container: container, Command: []string{"migrate"}})
		if err != nil {
			var p *ebmigrate.ProblemError
			if !errors.As(err, &p) || p.Summary == "" || p.Detail == "" {
				t.Fatalf("derive failed without a problem description: %v", err)
			}
			return
		}
		if len(d.Input.ContainerDefinitions) != 1 {
			t.Fatalf("%d containers", len(d.Input.ContainerDefinitions))
		}
		c := d.Input.ContainerDefinitions[0]
		if !aws.ToBool(c.Essential) || len(c.PortMappings) != 0 || len(c.Links) != 0 || len(c.VolumesFrom) != 0 || len(c.DependsOn) != 0 {
			t.Fatalf("derived container keeps what it must not: %+v", c)
		}
		if len(c.Command) != 1 || c.Command[0] != "migrate" || d.Hash == "" {
			t.Fatalf("command %v hash %q", c.Command, d.Hash)
		}
		for _, s := range c.Secrets {
			if aws.ToString(s.ValueFrom) == "" {
				t.Fatalf("a secret without valueFrom: %+v", s)
			}
		}
	})
}

// FuzzClassify classifies arbitrary stopped tasks: it never panics, calls a
// task a success only when the container exited 0 on its own, and explains
// every failure.
func FuzzClassify(f *testing.F) {
	f.Add("EssentialContainerExited", "Essential container in task exited", "", true, int32(0), "web")
	f.Add("EssentialContainerExited", "Essential container in task exited", "OutOfMemoryError: Container killed due to memory usage", true, int32(137), "web")
	f.Add("TaskFailedToStart", "CannotPullContainerError: not found", "", false, int32(0), "web")
	f.Add("UserInitiated", "Task stopped by user", "", true, int32(0), "web")
	f.Add("", "", "", false, int32(0), "")
	f.Fuzz(func(t *testing.T, stopCode, stoppedReason, containerReason string, hasExit bool, exit int32, container string) {
		ctr := ecstypes.Container{Name: aws.String("web"), Reason: aws.String(containerReason)}
		if hasExit {
			ctr.ExitCode = aws.Int32(exit)
		}
		task := ecstypes.Task{StopCode: ecstypes.TaskStopCode(stopCode), StoppedReason: aws.String(stoppedReason), Containers: []ecstypes.Container{ctr}}
		o := ebmigrate.Classify(task, container)
		if o.Success() {
			if container != "web" || !hasExit || exit != 0 || stopCode == "UserInitiated" || stopCode == "TaskFailedToStart" {
				t.Fatalf("success for %q %q %q exit %v/%d container %q", stopCode, stoppedReason, containerReason, hasExit, exit, container)
			}
			return
		}
		if o.Describe() == "" || o.Hint() == "" {
			t.Fatalf("failure %s without description or hint", o.Kind)
		}
		me := &ebmigrate.MigrationError{Environment: "e", Cluster: "c", TaskArn: "t", Container: container, Outcome: o}
		if me.Error() == "" {
			t.Fatal("empty message")
		}
	})
}
