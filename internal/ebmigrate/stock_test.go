package ebmigrate_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// With EB's stock shape (AWS's Dockerrun v2 example) and no optional
// arguments: the app container is chosen, its output is read from the default
// log group the engine creates, and the property values reach the process
// without being written into the revision.
func TestMigrateStockEnvironment(t *testing.T) {
	srv, c := fixture(t)
	rec := &recorder{}
	res, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("sh", "-c", `echo "Applying app.0001_initial... OK"; echo "password is set: ${DATABASE_PASSWORD:+yes}"`), rec)
	if err != nil {
		t.Fatal(err)
	}
	if res.Container != "web" || !res.Outcome.Success() {
		t.Errorf("result = %+v", res)
	}
	if got := rec.lines(); got != "Applying app.0001_initial... OK\npassword is set: yes" {
		t.Errorf("log lines = %q", got)
	}
	group := ebmigrate.DefaultLogGroup(localaws.FixtureEnv)
	if res.Logs.Group != group || !strings.HasPrefix(res.Logs.Stream, ebmigrate.LogStreamPrefix+"/web/") {
		t.Errorf("logs = %+v", res.Logs)
	}
	if days, ok := srv.LogGroupRetention(group); !ok || days != ebmigrate.DefaultLogRetentionDays {
		t.Errorf("log group %s: exists %v, retention %d", group, ok, days)
	}
	// The revision, read back as anyone allowed DescribeTaskDefinition would.
	out, err := c.ECS.DescribeTaskDefinition(testCtx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(res.TaskDefinitionArn)})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(out.TaskDefinition)
	if strings.Contains(string(raw), localaws.FixturePropSecret) {
		t.Errorf("the revision holds the environment's property value: %s", raw)
	}
	if env := out.TaskDefinition.ContainerDefinitions[0].Environment; len(env) != 1 || aws.ToString(env[0].Name) != "PORT" {
		t.Errorf("revision environment = %+v, want the container's own PORT only", env)
	}
	if out.TaskDefinition.TaskRoleArn != nil || out.TaskDefinition.ExecutionRoleArn != nil {
		t.Errorf("roles appeared: %+v", out.TaskDefinition)
	}
	if n := srv.Calls("logs:CreateLogGroup"); n != 1 {
		t.Errorf("CreateLogGroup calls = %d", n)
	}
	// A second run reuses the group.
	if _, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("true"), rec); err != nil {
		t.Fatal(err)
	}
	if n := srv.Calls("logs:CreateLogGroup"); n != 1 {
		t.Errorf("CreateLogGroup calls after a second run = %d", n)
	}
}

func TestMigrateStockFailureShowsTraceback(t *testing.T) {
	_, c := fixture(t)
	_, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("sh", "-c", `echo "Traceback (most recent call last):"; echo "django.db.utils.OperationalError: no such table" >&2; exit 3`), &recorder{})
	var me *ebmigrate.MigrationError
	if !errors.As(err, &me) || !strings.Contains(strings.Join(me.LogLines, "\n"), "OperationalError: no such table") {
		t.Fatalf("err = %v", err)
	}
}

// Values larger than RunTask's overrides allow go into the revision, and the
// result says so.
func TestOverridesTooLargeFallBackToRevision(t *testing.T) {
	_, c := fixture(t, func(s *localaws.Seed) {
		s.Environments[0].Properties["BIG"] = strings.Repeat("x", ebmigrate.MaxOverridesChars)
	})
	target, err := ebmigrate.Discover(testCtx(t), c, ebmigrate.DiscoverInput{EnvironmentName: localaws.FixtureEnv})
	if err != nil {
		t.Fatal(err)
	}
	d, err := ebmigrate.DeriveTaskDefinition(target, ebmigrate.DeriveSpec{Command: []string{"true"}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, kv := range d.Input.ContainerDefinitions[0].Environment {
		found = found || aws.ToString(kv.Name) == "DATABASE_PASSWORD"
	}
	if !d.ValuesInRevision || d.Overrides != nil || !found {
		t.Errorf("fallback: in revision %v, overrides %v, password in revision %v", d.ValuesInRevision, d.Overrides, found)
	}
	res, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("sh", "-c", `test ${#BIG} -eq 8192`), &recorder{})
	if err != nil || !res.ValuesInRevision {
		t.Fatalf("err = %v, result = %+v", err, res)
	}
}

// RunTask's overrides are measured as ECS counts them, characters of the
// JSON the SDK sends: a DATABASE_URL of "&" (which Go's json.Marshal writes
// as \u0026) and non-ASCII characters (two bytes each) that makes exactly
// 8192 characters still goes as overrides, not into the revision; one
// character more goes into the revision. Both run.
func TestOverridesMeasuredInCharacters(t *testing.T) {
	url := func(chars int) string {
		v := "postgres://app:p&ss@db/app?sslmode=require&application_name=migré"
		return v + strings.Repeat("&é", (chars-len([]rune(v)))/2) + strings.Repeat("&", (chars-len([]rune(v)))%2)
	}
	// The JSON around the value, ASCII (a character a byte).
	frame := len(`{"containerOverrides":[{"environment":[{"name":"DATABASE_URL","value":""}],"name":"web"}]}`)
	for _, tc := range []struct {
		chars    int
		revision bool
	}{{ebmigrate.MaxOverridesChars - frame, false}, {ebmigrate.MaxOverridesChars - frame + 1, true}} {
		t.Run(fmt.Sprint(tc.chars+frame), func(t *testing.T) {
			t.Parallel()
			value := url(tc.chars)
			_, c := fixture(t, func(s *localaws.Seed) { s.Environments[0].Properties = map[string]string{"DATABASE_URL": value} })
			target, err := ebmigrate.Discover(testCtx(t), c, ebmigrate.DiscoverInput{EnvironmentName: localaws.FixtureEnv})
			if err != nil {
				t.Fatal(err)
			}
			d, err := ebmigrate.DeriveTaskDefinition(target, ebmigrate.DeriveSpec{Command: []string{"true"}})
			if err != nil {
				t.Fatal(err)
			}
			if d.Container != "web" || d.ValuesInRevision != tc.revision || (d.Overrides == nil) != tc.revision {
				t.Errorf("container %s; values in the revision %v, overrides %v; want in the revision %v", d.Container, d.ValuesInRevision, d.Overrides != nil, tc.revision)
			}
			res, err := ebmigrate.Migrate(testCtx(t), c, migrateInput("sh", "-c", fmt.Sprintf(`test "$DATABASE_URL" = '%s'`, value)), &recorder{})
			if err != nil || res.ValuesInRevision != tc.revision {
				t.Fatalf("err = %v, values in the revision %v", err, res != nil && res.ValuesInRevision)
			}
		})
	}
}

// Destroy's cleanup leaves no derived revision, ACTIVE or INACTIVE.
func TestDeleteFamilies(t *testing.T) {
	_, c := fixture(t)
	for _, cmd := range []string{"true", "echo"} {
		if _, err := ebmigrate.Migrate(testCtx(t), c, migrateInput(cmd), &recorder{}); err != nil {
			t.Fatal(err)
		}
	}
	family := ebmigrate.DerivedFamily(localaws.FixtureEnv)
	deleted, err := ebmigrate.DeleteFamilies(testCtx(t), c.ECS, family, ebmigrate.QueryFamily(localaws.FixtureEnv))
	if err != nil || len(deleted) != 2 {
		t.Fatalf("deleted %v: %v", deleted, err)
	}
	for _, status := range []ecstypes.TaskDefinitionStatus{ecstypes.TaskDefinitionStatusActive, ecstypes.TaskDefinitionStatusInactive} {
		out, err := c.ECS.ListTaskDefinitions(testCtx(t), &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family), Status: status})
		if err != nil || len(out.TaskDefinitionArns) != 0 {
			t.Errorf("%s revisions left: %v %v", status, out.TaskDefinitionArns, err)
		}
	}
	if _, err := c.ECS.DescribeTaskDefinition(testCtx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(family + ":1")}); err == nil {
		t.Errorf("revision 1 is still describable")
	}
}

// Revisions pruned by task.keep_revisions are deleted as they are
// deregistered: ECS shows an INACTIVE revision that nothing runs to no call
// (ListTaskDefinitions lists INACTIVE revisions only "as long as an active
// task or service still references them"), so destroy's cleanup could never
// find them again, and they would outlive the resource.
func TestPrunedRevisionsAreDeleted(t *testing.T) {
	srv, c := fixture(t)
	family := ebmigrate.DerivedFamily(localaws.FixtureEnv)
	for _, cmd := range []string{"true", "echo", "date"} {
		in := migrateInput(cmd)
		in.KeepRevisions = 1
		res, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
		if err != nil || res.PruneError != nil {
			t.Fatalf("%s: %v, prune: %v", cmd, err, res.PruneError)
		}
		t.Logf("%s: %s, deregistered %v", cmd, res.TaskDefinitionArn, res.Deregistered)
	}
	if _, err := ebmigrate.DeleteFamilies(testCtx(t), c.ECS, family, ebmigrate.QueryFamily(localaws.FixtureEnv)); err != nil {
		t.Fatal(err)
	}
	for rev := 1; rev <= 3; rev++ {
		arn := fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:task-definition/%s:%d", family, rev)
		if got := srv.TaskDefinitionStatus(arn); got != "DELETE_IN_PROGRESS" {
			t.Errorf("%s is %q after destroy's cleanup, want DELETE_IN_PROGRESS", arn, got)
		}
	}
}

func TestSelectContainerDefaults(t *testing.T) {
	ess := aws.Bool(true)
	for _, tc := range []struct {
		name, want string
		td         ecstypes.TaskDefinition
	}{
		{"linked to", "app", ecstypes.TaskDefinition{ContainerDefinitions: []ecstypes.ContainerDefinition{
			{Name: aws.String("proxy"), Essential: ess, Links: []string{"app:backend"}, PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(80), HostPort: aws.Int32(80)}}},
			{Name: aws.String("app"), Essential: ess},
		}}},
		{"depended on", "app", ecstypes.TaskDefinition{ContainerDefinitions: []ecstypes.ContainerDefinition{
			{Name: aws.String("proxy"), Essential: ess, DependsOn: []ecstypes.ContainerDependency{{ContainerName: aws.String("app")}}},
			{Name: aws.String("app"), Essential: ess},
		}}},
		{"no host port", "app", ecstypes.TaskDefinition{ContainerDefinitions: []ecstypes.ContainerDefinition{
			{Name: aws.String("proxy"), Essential: ess, PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(80), HostPort: aws.Int32(80)}}},
			{Name: aws.String("app"), Essential: ess, PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(8000), HostPort: aws.Int32(0)}}},
		}}},
		{"awsvpc ports are host ports", "", ecstypes.TaskDefinition{NetworkMode: ecstypes.NetworkModeAwsvpc, ContainerDefinitions: []ecstypes.ContainerDefinition{
			{Name: aws.String("proxy"), Essential: ess, PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(80)}}},
			{Name: aws.String("app"), Essential: ess, PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(8000)}}},
		}}},
		{"both linked", "", ecstypes.TaskDefinition{ContainerDefinitions: []ecstypes.ContainerDefinition{
			{Name: aws.String("a"), Essential: ess, Links: []string{"b"}},
			{Name: aws.String("b"), Essential: ess, Links: []string{"a"}},
		}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.td.TaskDefinitionArn = aws.String("arn:td:1")
			c, err := ebmigrate.SelectContainer(&tc.td, "")
			var p *ebmigrate.ProblemError
			switch {
			case tc.want == "" && (!errors.As(err, &p) || p.Summary != "Several Essential Containers"):
				t.Errorf("want Several Essential Containers, got %v", err)
			case tc.want != "" && (err != nil || aws.ToString(c.Name) != tc.want):
				t.Errorf("chose %v (%v), want %s", c, err, tc.want)
			}
		})
	}
}

// EB secrets on a stock environment need an execution role: the argument
// gives one, and the roles reach the revision. (EB's task definition holds
// no secrets here: rendered, they would need the role in the Dockerrun
// already, or ECS would refuse EB's own registration.)
func TestRolesArguments(t *testing.T) {
	off := false
	_, c := fixture(t, func(s *localaws.Seed) {
		s.Environments[0].Secrets = map[string]string{"API_KEY": localaws.FixtureSecretArn}
		s.Environments[0].RenderVariables = &off
	})
	target, err := ebmigrate.Discover(testCtx(t), c, ebmigrate.DiscoverInput{EnvironmentName: localaws.FixtureEnv})
	if err != nil {
		t.Fatal(err)
	}
	var p *ebmigrate.ProblemError
	if _, err := ebmigrate.DeriveTaskDefinition(target, ebmigrate.DeriveSpec{Command: []string{"true"}}); !errors.As(err, &p) ||
		p.Summary != "Execution Role Required" || !strings.Contains(p.Detail, "task.execution_role_arn") {
		t.Errorf("secrets without a role: %v", err)
	}
	const task, exec = "arn:aws:iam::123456789012:role/app", "arn:aws:iam::123456789012:role/exec"
	d, err := ebmigrate.DeriveTaskDefinition(target, ebmigrate.DeriveSpec{Command: []string{"true"}, TaskRoleArn: task, ExecutionRoleArn: exec})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.Input.TaskRoleArn) != task || aws.ToString(d.Input.ExecutionRoleArn) != exec || len(d.Input.ContainerDefinitions[0].Secrets) != 1 {
		t.Errorf("roles %v %v, secrets %+v", d.Input.TaskRoleArn, d.Input.ExecutionRoleArn, d.Input.ContainerDefinitions[0].Secrets)
	}
}
