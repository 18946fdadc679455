package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/provider"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/tfcli"
)

// world is a localaws with n copies of the fixture environment,
// bench-00, bench-01, …
type world struct {
	srv  *localaws.Server
	dir  string
	envs []string
}

func newWorld(e *benchEnv, n int, mods ...func(*localaws.Seed)) (*world, error) {
	dir, err := os.MkdirTemp(e.work, "world-")
	if err != nil {
		return nil, err
	}
	seed := localaws.FixtureSeed(dir)
	base := seed.Environments[0]
	seed.Environments = nil
	w := &world{dir: dir}
	for i := 0; i < n; i++ {
		env := base
		env.Name = fmt.Sprintf("bench-%02d", i)
		env.ID = fmt.Sprintf("e-bench%05d", i)
		env.Instances = 1
		seed.Environments = append(seed.Environments, env)
		w.envs = append(w.envs, env.Name)
	}
	for _, mod := range mods {
		mod(&seed)
	}
	if w.srv, err = localaws.New(seed); err != nil {
		return nil, err
	}
	if err := w.srv.Listen("127.0.0.1:0"); err != nil {
		w.srv.Close()
		return nil, err
	}
	return w, nil
}

func (w *world) close() { w.srv.Close() }

// clients are engine clients for the world as the provider makes them: its
// retryer (standard mode), its
// batched EB describes and its paced ECS and CloudWatch Logs reads.
func (w *world) clients() ebmigrate.Clients {
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDBENCH", "bench", ""),
		Retryer: func() aws.Retryer { return provider.NewRetryer(provider.DefaultMaxRetries) }}
	url := aws.String(w.srv.URL())
	eb := elasticbeanstalk.NewFromConfig(cfg, func(o *elasticbeanstalk.Options) { o.BaseEndpoint = url })
	return ebmigrate.Clients{
		Region:     "us-east-1",
		EB:         ebmigrate.BatchEnvironmentDescribes(ebmigrate.PaceEnvironmentReads(eb)),
		Locks:      ebmigrate.NewLockPlace("", eb),
		ECS:        ebmigrate.PaceClusterReads(ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = url })),
		Logs:       ebmigrate.PaceLogReads(cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = url }), "us-east-1"),
		S3:         s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = url; o.UsePathStyle = true }),
		Bundles:    ebmigrate.NewBundleCache(),
		Discovered: ebmigrate.NewDiscoveryCache(),
	}
}

// task finds a migration task localaws ran, by ARN.
func (w *world) task(arn string) (localaws.TaskInfo, bool) {
	for _, ti := range w.srv.Stats().Tasks {
		if ti.TaskArn == arn {
			return ti, true
		}
	}
	return localaws.TaskInfo{}, false
}

// migrations are the engine's tasks (not EB's), oldest first.
func (w *world) migrations() []localaws.TaskInfo {
	var out []localaws.TaskInfo
	for _, ti := range w.srv.Stats().Tasks {
		if strings.HasPrefix(ti.StartedBy, "ebmigrate-") {
			out = append(out, ti)
		}
	}
	return out
}

// tfDir is a terraform working directory using the built provider.
type tfDir struct{ *tfcli.Dir }

func newTFDir(e *benchEnv, name string) (*tfDir, error) {
	d, err := tfcli.New(e.o.terraform, e.providerDir, filepath.Join(e.work, name))
	if err != nil {
		return nil, err
	}
	return &tfDir{d}, nil
}

func (d *tfDir) write(config string) error { return d.Write(config) }

func (d *tfDir) cmd(args ...string) *exec.Cmd { return d.Command(args...) }

// timed runs terraform and returns how long it took.
func (d *tfDir) timed(args ...string) (time.Duration, error) {
	out, took, err := d.Run(args...)
	if err != nil {
		return 0, fmt.Errorf("%w\n%s", err, tail(out, 30))
	}
	return took, nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func providerBlock(url string) string { return tfcli.ProviderConfig(url) }

func ctxFor(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

func runEach(w *world, command string) string {
	return providerBlock(w.srv.URL()) + fmt.Sprintf(`
resource "ebmigrate_run" "migrate" {
  for_each         = toset(%s)
  environment_name = each.value
  version_label    = "v1"
  command          = %s
}
`, hclList(w.envs), command)
}

func hclList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
