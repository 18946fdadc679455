package ebmigrate_test

import (
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// Preview states only what it knows: each case names the facts it must
// claim and those it must leave unknown, and never makes a mutating call.
func TestPreview(t *testing.T) {
	srv, c := fixture(t)
	in := func(version string, unknown ...string) ebmigrate.PreviewInput {
		u := map[string]bool{}
		for _, a := range unknown {
			u[a] = true
		}
		return ebmigrate.PreviewInput{MigrateInput: ebmigrate.MigrateInput{
			Discover: ebmigrate.DiscoverInput{EnvironmentName: localaws.FixtureEnv}, VersionLabel: version,
			Derive: ebmigrate.DeriveSpec{Command: []string{"./manage.py", "migrate"}},
		}, Unknown: u}
	}
	td1 := "task-definition/" + localaws.FixtureFamily() + ":1"
	for _, tc := range []struct {
		name                string
		in                  ebmigrate.PreviewInput
		image, taskDef, err string
		unknownMentions     string
		discovered, derived bool
	}{
		{name: "deployed version", in: in("v1"), image: "example/app:v1", taskDef: td1, discovered: true, derived: true},
		{name: "version not deployed", in: in("v2"), image: "example/app:v2", unknownMentions: "version v2 is not deployed yet", discovered: true, derived: true},
		{name: "version unknown", in: in("", ebmigrate.ArgVersionLabel), unknownMentions: "the image (version_label is known after apply)", discovered: true, derived: true},
		{name: "version this apply creates", in: in("v9"), err: "Application Version Not Found", discovered: true},
		{name: "environment unknown", in: in("v1", ebmigrate.ArgEnvironmentName), unknownMentions: "environment_name is known after apply"},
		{name: "container unknown", in: in("v1", ebmigrate.ArgContainerName), unknownMentions: "container.name is known after apply", discovered: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ebmigrate.PreviewMigration(testCtx(t), c, tc.in)
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
			if p.Image != tc.image {
				t.Errorf("image = %q, want %q", p.Image, tc.image)
			}
			if tc.taskDef == "" && p.SourceTaskDefinition != "" || !strings.HasSuffix(p.SourceTaskDefinition, tc.taskDef) {
				t.Errorf("source task definition = %q, want …%s", p.SourceTaskDefinition, tc.taskDef)
			}
			if got := strings.Join(p.Unknown, "; "); !strings.Contains(got, tc.unknownMentions) || (tc.unknownMentions == "" && got != "") {
				t.Errorf("unknown = %q, want it to mention %q", got, tc.unknownMentions)
			}
			if (p.Target != nil) != tc.discovered || (p.Derived != nil) != tc.derived {
				t.Errorf("target %v, derived %v", p.Target != nil, p.Derived != nil)
			}
		})
	}
	for _, op := range []string{"ecs:RunTask", "ecs:RegisterTaskDefinition", "ecs:StopTask", "ecs:DeregisterTaskDefinition"} {
		if n := srv.Calls(op); n != 0 {
			t.Errorf("Preview made %d %s calls", n, op)
		}
	}
}
