package ebmigrate_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// Every field of a described task definition is either registered again or
// one of the read-only fields ECS sets itself. When the SDK grows a field,
// this test says whether derive keeps it.
func TestRegisterInputCoversTaskDefinition(t *testing.T) {
	readOnly := []string{"TaskDefinitionArn", "Revision", "Status", "RequiresAttributes", "Compatibilities",
		"RegisteredAt", "RegisteredBy", "DeregisteredAt", "DeleteRequestedAt"}
	in := reflect.TypeOf(ecs.RegisterTaskDefinitionInput{})
	td := reflect.TypeOf(ecstypes.TaskDefinition{})
	for i := 0; i < td.NumField(); i++ {
		f := td.Field(i)
		if !f.IsExported() || slices.Contains(readOnly, f.Name) {
			continue
		}
		inField, ok := in.FieldByName(f.Name)
		if !ok {
			t.Errorf("TaskDefinition.%s has no counterpart in RegisterTaskDefinitionInput: derive would drop it", f.Name)
		} else if inField.Type != f.Type {
			t.Errorf("TaskDefinition.%s is %s but RegisterTaskDefinitionInput.%s is %s", f.Name, f.Type, f.Name, inField.Type)
		}
	}
}

func TestDeriveTaskDefinition(t *testing.T) {
	_, c := friendly(t)
	target, err := ebmigrate.Discover(testCtx(t), c, ebmigrate.DiscoverInput{EnvironmentName: localaws.FixtureEnv})
	if err != nil {
		t.Fatal(err)
	}
	d, err := ebmigrate.DeriveTaskDefinition(target, ebmigrate.DeriveSpec{
		Command:     []string{"./manage.py", "migrate", "--noinput"},
		Environment: map[string]string{"DEBUG": "true", "EXTRA": "1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	in := d.Input
	if len(in.ContainerDefinitions) != 1 || d.Container != "web" {
		t.Fatalf("containers = %d, chosen %q", len(in.ContainerDefinitions), d.Container)
	}
	ctr := in.ContainerDefinitions[0]
	if strings.Join(ctr.Command, " ") != "./manage.py migrate --noinput" || len(ctr.PortMappings) != 0 || !aws.ToBool(ctr.Essential) {
		t.Errorf("container = command %v ports %v essential %v", ctr.Command, ctr.PortMappings, ctr.Essential)
	}
	env := map[string]string{}
	for _, kv := range ctr.Environment {
		env[aws.ToString(kv.Name)] = aws.ToString(kv.Value)
	}
	// The revision keeps the container's own variables; EB's properties and
	// the user's environment go to RunTask as overrides.
	if want := map[string]string{"PORT": "8000"}; !reflect.DeepEqual(env, want) {
		t.Errorf("environment = %v, want %v", env, want)
	}
	over := map[string]string{}
	for _, kv := range d.Overrides.ContainerOverrides[0].Environment {
		over[aws.ToString(kv.Name)] = aws.ToString(kv.Value)
	}
	want := map[string]string{"DATABASE_PASSWORD": localaws.FixturePropSecret, "DJANGO_SETTINGS_MODULE": "myapp.settings", "DEBUG": "true", "EXTRA": "1"}
	if !reflect.DeepEqual(over, want) || aws.ToString(d.Overrides.ContainerOverrides[0].Name) != "web" || d.ValuesInRevision {
		t.Errorf("overrides = %v, want %v", over, want)
	}
	if len(ctr.Secrets) != 1 || aws.ToString(ctr.Secrets[0].ValueFrom) != localaws.FixtureSecretArn {
		t.Errorf("secrets = %+v", ctr.Secrets)
	}
	// Everything else is kept (volumes: static and EB's two awseb-logs-*).
	if len(ctr.Ulimits) != 1 || len(ctr.MountPoints) != 1 || ctr.LogConfiguration == nil || len(in.Volumes) != 3 ||
		aws.ToString(in.TaskRoleArn) == "" || aws.ToString(in.ExecutionRoleArn) == "" {
		t.Errorf("fields lost: %+v", in)
	}
	if aws.ToString(in.Family) != "ebmigrate-"+localaws.FixtureEnv {
		t.Errorf("family = %s", aws.ToString(in.Family))
	}

	again, err := ebmigrate.DeriveTaskDefinition(target, ebmigrate.DeriveSpec{
		Command:     []string{"./manage.py", "migrate", "--noinput"},
		Environment: map[string]string{"EXTRA": "1", "DEBUG": "true"},
	})
	if err != nil || again.Hash != d.Hash {
		t.Errorf("the same derivation hashed differently: %v", err)
	}
	other, err := ebmigrate.DeriveTaskDefinition(target, ebmigrate.DeriveSpec{Command: []string{"./manage.py", "migrate"}})
	if err != nil || other.Hash == d.Hash {
		t.Errorf("another command hashed the same: %v", err)
	}
}

func TestSelectContainer(t *testing.T) {
	two := &ecstypes.TaskDefinition{TaskDefinitionArn: aws.String("arn:td:1"), ContainerDefinitions: []ecstypes.ContainerDefinition{
		{Name: aws.String("web"), Essential: aws.Bool(true)},
		{Name: aws.String("worker")},
		{Name: aws.String("nginx"), Essential: aws.Bool(false)},
	}}
	var p *ebmigrate.ProblemError
	if _, err := ebmigrate.SelectContainer(two, ""); !errors.As(err, &p) || !strings.Contains(p.Detail, "web, worker") {
		t.Errorf("two essential containers: %v", err)
	}
	if _, err := ebmigrate.SelectContainer(two, "db"); !errors.As(err, &p) || p.Summary != "Container Not Found" || !strings.Contains(p.Detail, "web, worker, nginx") {
		t.Errorf("unknown container: %v", err)
	}
	if c, err := ebmigrate.SelectContainer(two, "nginx"); err != nil || aws.ToString(c.Name) != "nginx" {
		t.Errorf("named container: %v", err)
	}
}

func TestEnsureTaskDefinitionReusesSameContent(t *testing.T) {
	srv, c := fixture(t)
	target, err := ebmigrate.Discover(testCtx(t), c, ebmigrate.DiscoverInput{EnvironmentName: localaws.FixtureEnv})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for i, cmd := range [][]string{{"a"}, {"a"}, {"b"}, {"b"}} {
		d, err := ebmigrate.DeriveTaskDefinition(target, ebmigrate.DeriveSpec{Command: cmd})
		if err != nil {
			t.Fatal(err)
		}
		arn, registered, err := ebmigrate.EnsureTaskDefinition(testCtx(t), c.ECS, target, d)
		if err != nil {
			t.Fatal(err)
		}
		if registered != (i%2 == 0) {
			t.Errorf("derivation %d: registered = %v", i, registered)
		}
		arns = append(arns, arn)
	}
	if arns[0] != arns[1] || arns[2] != arns[3] || arns[1] == arns[2] {
		t.Errorf("arns = %v", arns)
	}
	if n := srv.Calls("ecs:RegisterTaskDefinition"); n != 2 {
		t.Errorf("RegisterTaskDefinition calls = %d, want 2", n)
	}
}
