package resources_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/provider"
)

// TestMain isolates the tests from any AWS configuration on the machine:
// static credentials, no shared files, no instance metadata.
func TestMain(m *testing.M) {
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           "AKIDLOCAL",
		"AWS_SECRET_ACCESS_KEY":       "localaws-secret",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED":   "true",
		"CHECKPOINT_DISABLE":          "1",
	} {
		os.Setenv(k, v)
	}
	os.Unsetenv("AWS_PROFILE")
	code := m.Run()
	if providerBinary.dir != "" {
		os.RemoveAll(providerBinary.dir)
	}
	if code == 0 && os.Getenv("TF_ACC") != "" && flag.Lookup("test.run").Value.String() == "" && flag.Lookup("test.skip").Value.String() == "" {
		if err := checkIAMPolicy(); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: the IAM policy guide (templates/guides/iam-policy.md.tmpl):", err)
			code = 1
		} else {
			fmt.Println("The IAM policy guide lists exactly the operations the provider called in this suite, and allows each resource-scoped call.")
		}
	}
	os.Exit(code)
}

var factories = map[string]func() (tfprotov6.ProviderServer, error){
	"ebmigrate": func() (tfprotov6.ProviderServer, error) { return provider.Server("test")(), nil },
}

// servers are every test's localaws, for the IAM policy check.
var servers struct {
	sync.Mutex
	all []*localaws.Server
}

// permissionOnly are actions of the IAM policy guide's policy that the provider needs
// without calling them as operations.
var permissionOnly = map[string]bool{"ecs:TagResource": true, "iam:PassRole": true}

// noPermission are operations the provider calls that need no IAM
// permission (STS API Reference, GetCallerIdentity: "No permissions are
// required to perform this operation"), so the policy does not list them.
var noPermission = map[string]bool{"sts:GetCallerIdentity": true}

// checkIAMPolicy compares the IAM policy guide's actions with the operations the
// provider (by its User-Agent app id) called on every localaws of the suite,
// both ways, and evaluates the policy on each resource-scoped ECS call
// (iam_policy_test.go).
func checkIAMPolicy() error {
	p, err := guidePolicy()
	if err != nil {
		return err
	}
	listed := map[string]bool{}
	service := regexp.MustCompile(`^(ecs|elasticbeanstalk|logs|s3):[A-Za-z]+$`)
	for _, st := range p.Statement {
		for _, name := range strings1(st.Action) {
			if service.MatchString(name) && !permissionOnly[name] {
				listed[name] = true
			}
		}
	}
	called := map[string]bool{}
	var denied []string
	servers.Lock()
	for _, srv := range servers.all {
		for _, op := range srv.OperationsBy(provider.AppID) {
			called[op] = true
		}
		denied = append(denied, checkServedCalls(p, srv)...)
	}
	servers.Unlock()
	var unused []string
	for op := range listed {
		if !called[op] {
			unused = append(unused, op)
		}
	}
	if len(denied)+len(unused) > 0 {
		return fmt.Errorf("denied: %v; listed but never called: %v", denied, unused)
	}
	return nil
}

// world is one localaws per test, with the fixture environments.
type world struct {
	t   *testing.T
	srv *localaws.Server
	ecs *ecs.Client
}

func newWorld(t *testing.T, mutate ...func(*localaws.Seed)) *world {
	t.Helper()
	return newWorldOf(t, localaws.FixtureSeed(t.TempDir()), mutate...)
}

// newFriendlyWorld is a world whose environment logs with awslogs, has roles
// and an EB secret, for the tests about those.
func newFriendlyWorld(t *testing.T, mutate ...func(*localaws.Seed)) *world {
	t.Helper()
	return newWorldOf(t, localaws.FriendlySeed(t.TempDir()), mutate...)
}

func newWorldOf(t *testing.T, seed localaws.Seed, mutate ...func(*localaws.Seed)) *world {
	t.Helper()
	for _, m := range mutate {
		m(&seed)
	}
	srv := localaws.Start(t, seed)
	servers.Lock()
	servers.all = append(servers.all, srv)
	servers.Unlock()
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", "")}
	return &world{t: t, srv: srv, ecs: ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = aws.String(srv.URL()) })}
}

// providerConfig points the provider at this world's localaws.
func (w *world) providerConfig() string {
	return fmt.Sprintf(`
provider "ebmigrate" {
  region = "us-east-1"
  endpoints {
    ecs              = %[1]q
    elasticbeanstalk = %[1]q
    logs             = %[1]q
    s3               = %[1]q
  }
}
`, w.srv.URL())
}

// run is a configuration of one ebmigrate_run for the fixture environment.
func (w *world) run(version string, command []string, extra ...string) string {
	quoted := make([]string, len(command))
	for i, c := range command {
		quoted[i] = hclString(c)
	}
	return w.providerConfig() + fmt.Sprintf(`
resource "ebmigrate_run" "migrate" {
  environment_name = %[1]q
  version_label    = %[2]q
  command          = [%[3]s]
  %[4]s
}
`, localaws.FixtureEnv, version, strings.Join(quoted, ", "), strings.Join(extra, "\n  "))
}

// migrationTasks counts the tasks the provider started (not EB's own).
func (w *world) migrationTasks() int {
	n := 0
	for _, ti := range w.srv.Stats().Tasks {
		if strings.HasPrefix(ti.StartedBy, "ebmigrate-") {
			n++
		}
	}
	return n
}

// ecsCalls counts ECS calls since the last ResetStats.
func (w *world) ecsCalls() map[string]int {
	out := map[string]int{}
	for op, n := range w.srv.Stats().Calls {
		if strings.HasPrefix(op, "ecs:") {
			out[op] = n
		}
	}
	return out
}

func (w *world) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	w.t.Cleanup(cancel)
	return ctx
}

// hclString quotes s as an HCL string literal, template sequences escaped.
func hclString(s string) string {
	q := fmt.Sprintf("%q", s)
	q = strings.ReplaceAll(q, "${", "$${")
	return strings.ReplaceAll(q, "%{", "%%{")
}

// words matches an error message that holds each phrase in order, wherever
// Terraform wrapped its lines.
func words(phrases ...string) *regexp.Regexp {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		parts[i] = strings.Join(strings.Fields(regexp.QuoteMeta(p)), `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}

func regexpOf(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// nested is the nested attribute name = { lines }, for w.run's extras.
func nested(name string, lines ...string) string {
	return name + " = {\n    " + strings.Join(lines, "\n    ") + "\n  }"
}

func taskArgs(lines ...string) string      { return nested("task", lines...) }
func containerArgs(lines ...string) string { return nested("container", lines...) }
func logsArgs(lines ...string) string      { return nested("logs", lines...) }
func reviewArgs(lines ...string) string    { return nested("review", lines...) }
func timeoutsArgs(lines ...string) string  { return nested("timeouts", lines...) }
