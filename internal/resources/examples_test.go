package resources_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/provider"
)

// The examples under examples/ (rendered into docs/ by tfplugindocs) are
// checked with real Terraform: each directory, with examples/provider's
// terraform and provider blocks, is a module that `terraform validate`
// must pass without a diagnostic. Validation calls the provider's own
// ValidateProviderConfig, ValidateResourceConfig, ValidateDataResourceConfig
// and ValidateActionConfig, so the examples meet the real schema and its
// validators. The demo (examples/demo) is run whole by TestDemo.

// exampleNeeds are the Terraform features an example may use that older
// versions refuse at validate, with the first minor version of 1.x that has
// each.
var exampleNeeds = []struct {
	feature *regexp.Regexp
	minor   int
	what    string
}{
	{regexp.MustCompile(`(?m)^action "`), 14, "actions"},
	{regexp.MustCompile(`(?m)^\s*identity\s*=`), 12, "import by identity"},
	{regexp.MustCompile(`_wo\s*=`), 11, "write-only arguments"},
	{regexp.MustCompile(`(?m)^\s*ephemeral\s*=\s*true`), 10, "ephemeral variables"},
}

var (
	terraformMinorRe = regexp.MustCompile(`^Terraform v1\.(\d+)\.`)
	// An AWS provider resource referenced (not a data source: no "data."
	// before it) and one declared.
	awsReferenceRe   = regexp.MustCompile(`(?:^|[^.\w])(aws_[a-z0-9_]+)\.([a-z0-9_]+)\b`)
	awsDeclarationRe = regexp.MustCompile(`(?m)^resource "(aws_[a-z0-9_]+)" "([a-z0-9_]+)"`)
	// A file of the module an example reads (filesha256("${path.module}/…")).
	moduleFileRe    = regexp.MustCompile(`\$\{path\.module\}/([^"]+)"`)
	importCommandRe = regexp.MustCompile(`(?m)^terraform import (\S+) (\S+)$`)
	declarationRe   = regexp.MustCompile(`(?m)^resource "([a-z0-9_]+)" "([a-z0-9_]+)"`)
)

// TestAccExamples validates every example directory on the Terraform of
// EBMIGRATE_TF114, else TF_ACC_TERRAFORM_PATH; an example that needs a newer
// Terraform than that (actions: 1.14) skips, saying what to set. Every
// resource, data source and action of the provider must have an example.
func TestAccExamples(t *testing.T) {
	t.Parallel()
	bin := os.Getenv("EBMIGRATE_TF114")
	if bin == "" {
		bin = os.Getenv("TF_ACC_TERRAFORM_PATH")
	}
	if os.Getenv("TF_ACC") == "" || bin == "" {
		t.Skip("set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test does) to validate the examples with terraform")
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("%s version: %v", bin, err)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	m := terraformMinorRe.FindStringSubmatch(first)
	if m == nil {
		t.Skipf("%s is %q, not Terraform 1.x: the examples are validated on Terraform", bin, first)
	}
	minor, _ := strconv.Atoi(m[1])

	root := filepath.Join("..", "..", "examples")
	dirs := exampleDirs(t, root)
	for _, want := range providerExampleDirs(t) {
		if _, ok := dirs[want]; !ok {
			t.Errorf("no example in examples/%s (tfplugindocs renders its page without one)", want)
		}
	}
	providerTF, err := os.ReadFile(filepath.Join(root, "provider", "provider.tf"))
	if err != nil {
		t.Fatal(err)
	}
	reattach := serveInProcess(t, map[string]func() tfprotov6.ProviderServer{
		"registry.terraform.io/ebmigrate/ebmigrate": provider.Server("test"),
		"registry.terraform.io/hashicorp/aws":       providerserver.NewProtocol6(awsStandIn{}),
	})
	names := make([]string, 0, len(dirs))
	for d := range dirs {
		names = append(names, d)
	}
	sort.Strings(names)
	for _, name := range names {
		files := dirs[name]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			module := map[string]string{}
			if name != "provider" {
				module["provider.tf"] = string(providerTF)
			}
			var imports []string
			for file, text := range files {
				if strings.HasPrefix(file, "import") && strings.HasSuffix(file, ".tf") {
					imports = append(imports, file)
				} else if strings.HasSuffix(file, ".tf") {
					module[file] = text
				}
			}
			sort.Strings(imports)
			d := newExampleModule(t, bin, reattach, module)
			if need, what := neededMinor(module); minor < need {
				t.Skipf("examples/%s uses %s, which need Terraform 1.%d or later; %s is %s: set EBMIGRATE_TF114 to a Terraform >= 1.14 (make testacc114 does) to validate it", name, what, need, bin, first)
			}
			d.run("init", "-backend=false", "-input=false", "-no-color")
			d.validate("examples/" + name)
			// Each import example with the resources it imports into (two
			// import blocks of one address would conflict).
			for _, file := range imports {
				if need, what := neededMinor(map[string]string{file: files[file]}); minor < need {
					t.Logf("examples/%s/%s not validated: it uses %s (Terraform 1.%d or later); %s is %s", name, file, what, need, bin, first)
					continue
				}
				d.write(file, files[file])
				d.validate("examples/" + name + "/" + file)
				d.remove(file)
			}
			if script, ok := files["import.sh"]; ok {
				checkImportCommands(t, name, script, module)
				d.runImportCommands(script)
			}
		})
	}
}

// exampleDirs maps each directory under root holding .tf files (relative,
// slash-separated; the demo left out) to its files' contents.
func exampleDirs(t *testing.T, root string) map[string]map[string]string {
	t.Helper()
	dirs := map[string]map[string]string{}
	err := filepath.WalkDir(root, func(path string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if e.IsDir() && filepath.ToSlash(rel) == "demo" {
			return filepath.SkipDir
		}
		if e.IsDir() || !strings.HasSuffix(path, ".tf") && !strings.HasSuffix(path, ".sh") {
			return nil
		}
		text, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(rel))
		if dirs[dir] == nil {
			dirs[dir] = map[string]string{}
		}
		dirs[dir][filepath.Base(path)] = string(text)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// providerExampleDirs are the example directories tfplugindocs reads for the
// provider and each resource, data source and action in its schema.
func providerExampleDirs(t *testing.T) []string {
	t.Helper()
	server := provider.Server("test")()
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	dirs := []string{"provider"}
	for kind, names := range map[string][]string{
		"resources":    schemaNames(resp.ResourceSchemas),
		"data-sources": schemaNames(resp.DataSourceSchemas),
		"actions":      schemaNames(resp.ActionSchemas),
	} {
		if len(names) == 0 {
			t.Errorf("the provider's schema has no %s", kind)
		}
		for _, n := range names {
			dirs = append(dirs, kind+"/"+n)
		}
	}
	return dirs
}

func schemaNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// neededMinor is the newest Terraform 1.x minor version the files' features
// need, and those features.
func neededMinor(files map[string]string) (int, string) {
	need, what := 0, []string{}
	for _, n := range exampleNeeds {
		for _, text := range files {
			if n.feature.MatchString(text) {
				need = max(need, n.minor)
				what = append(what, n.what)
				break
			}
		}
	}
	return need, strings.Join(what, ", ")
}

// checkImportCommands checks import.sh: each `terraform import ADDRESS ID`
// imports into a resource the example declares, with an ID of the shape
// the provider's import accepts (<environment name> or
// <environment name>/<name>, matching the resource's name).
func checkImportCommands(t *testing.T, dir, script string, module map[string]string) {
	t.Helper()
	declared := map[string]string{}
	for _, text := range module {
		for _, m := range declarationRe.FindAllStringSubmatch(text, -1) {
			declared[m[1]+"."+m[2]] = text
		}
	}
	commands := importCommandRe.FindAllStringSubmatch(script, -1)
	if len(commands) == 0 {
		t.Errorf("examples/%s/import.sh has no `terraform import ADDRESS ID` line", dir)
	}
	for _, c := range commands {
		address, id := c[1], c[2]
		block, ok := declared[address]
		if !ok {
			t.Errorf("examples/%s/import.sh imports %s, which no example there declares", dir, address)
			continue
		}
		env, name, hasName := strings.Cut(id, "/")
		if !envNameRe.MatchString(env) {
			t.Errorf("examples/%s/import.sh: %s's ID %q does not start with an environment name", dir, address, id)
		}
		// The resource's block, to compare its name with the ID's.
		_, rest, _ := strings.Cut(block, fmt.Sprintf("resource %q %q {", strings.Split(address, ".")[0], strings.Split(address, ".")[1]))
		body, _, _ := strings.Cut(rest, "\n}")
		nameAttr := regexp.MustCompile(`(?m)^\s*name\s*=\s*"([^"]+)"`).FindStringSubmatch(body)
		switch {
		case hasName && (nameAttr == nil || nameAttr[1] != name):
			t.Errorf("examples/%s/import.sh imports %s as %q, but the resource's name is not %q", dir, address, id, name)
		case !hasName && nameAttr != nil && nameAttr[1] != "migrate":
			t.Errorf("examples/%s/import.sh imports %s as %q, without its name %q", dir, address, id, nameAttr[1])
		}
	}
}

// runImportCommands runs import.sh's commands for real against a localaws
// whose environment is the examples' myapp-prod: a Terraform override file
// points the example's provider block at it (the provider runs in this
// process, so AWS_ENDPOINT_URL for terraform would not reach it). Each
// address must then be in the state.
func (d *exampleModule) runImportCommands(script string) {
	d.t.Helper()
	w := newWorld(d.t)
	d.write("localaws_override.tf", fmt.Sprintf(`provider "ebmigrate" {
  region = "us-east-1"
  endpoints {
    ecs              = %[1]q
    elasticbeanstalk = %[1]q
    logs             = %[1]q
    s3               = %[1]q
    sts              = %[1]q
  }
}
`, w.srv.URL()))
	env := d.env
	d.env = append(append([]string{}, env...), "TF_VAR_migration_token=unused by import")
	defer func() { d.env = env }()
	for _, c := range importCommandRe.FindAllStringSubmatch(script, -1) {
		d.run("import", "-input=false", "-no-color", c[1], c[2])
		if list := d.run("state", "list"); !strings.Contains(list, c[1]+"\n") {
			d.t.Errorf("after `terraform import %s %s`, the state lists:\n%s", c[1], c[2], list)
		}
	}
}

// envNameRe is Elastic Beanstalk's environment name: 4 to 40 letters,
// digits and hyphens, not starting or ending with a hyphen.
var envNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{2,38}[A-Za-z0-9]$`)

// exampleModule is a temporary module of example files, with stand-ins
// for the AWS provider's resources they reference but do not declare.
type exampleModule struct {
	t         *testing.T
	dir       string
	terraform string
	env       []string
}

func newExampleModule(t *testing.T, terraform, reattach string, files map[string]string) *exampleModule {
	t.Helper()
	d := &exampleModule{t: t, dir: t.TempDir(), terraform: terraform}
	rc := filepath.Join(d.dir, ".terraformrc")
	d.write(".terraformrc", "")
	d.env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+reattach, "TF_CLI_CONFIG_FILE="+rc,
		"CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0", "TF_PLUGIN_CACHE_DIR=")
	referenced, declared := map[string]bool{}, map[string]bool{}
	for file, text := range files {
		d.write(file, text)
		for _, m := range awsReferenceRe.FindAllStringSubmatch(text, -1) {
			referenced[m[1]+"\x00"+m[2]] = true
		}
		for _, m := range awsDeclarationRe.FindAllStringSubmatch(text, -1) {
			declared[m[1]+"\x00"+m[2]] = true
		}
	}
	// The files the examples read, empty (a user's module has them).
	for _, text := range files {
		for _, m := range moduleFileRe.FindAllStringSubmatch(text, -1) {
			d.write(m[1], "")
		}
	}
	var standIns []string
	for r := range referenced {
		if !declared[r] {
			typ, name, _ := strings.Cut(r, "\x00")
			standIns = append(standIns, fmt.Sprintf("resource %q %q {}\n", typ, name))
		}
	}
	sort.Strings(standIns)
	d.write("aws_stand_ins.tf", strings.Join(standIns, ""))
	return d
}

func (d *exampleModule) write(file, text string) {
	d.t.Helper()
	path := filepath.Join(d.dir, file)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		d.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		d.t.Fatal(err)
	}
}

func (d *exampleModule) remove(file string) {
	d.t.Helper()
	if err := os.Remove(filepath.Join(d.dir, file)); err != nil {
		d.t.Fatal(err)
	}
}

func (d *exampleModule) run(args ...string) string {
	d.t.Helper()
	c := exec.Command(d.terraform, args...)
	c.Dir, c.Env = d.dir, d.env
	out, err := c.CombinedOutput()
	if err != nil {
		d.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// validate fails the test on any diagnostic of `terraform validate`,
// warnings included.
func (d *exampleModule) validate(what string) {
	d.t.Helper()
	c := exec.Command(d.terraform, "validate", "-json", "-no-color")
	c.Dir, c.Env = d.dir, d.env
	out, _ := c.Output()
	var result struct {
		Valid       bool `json:"valid"`
		Diagnostics []struct {
			Severity string `json:"severity"`
			Summary  string `json:"summary"`
			Detail   string `json:"detail"`
			Range    *struct {
				Filename string `json:"filename"`
				Start    struct {
					Line int `json:"line"`
				} `json:"start"`
			} `json:"range"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal(out, &result); err != nil {
		d.t.Fatalf("%s: terraform validate -json printed no result (%v):\n%s", what, err, out)
	}
	for _, diag := range result.Diagnostics {
		where := ""
		if diag.Range != nil {
			where = fmt.Sprintf(" (%s line %d)", diag.Range.Filename, diag.Range.Start.Line)
		}
		d.t.Errorf("%s: terraform validate: %s: %s%s: %s", what, diag.Severity, diag.Summary, where, diag.Detail)
	}
	if !result.Valid && len(result.Diagnostics) == 0 {
		d.t.Errorf("%s: terraform validate says invalid without a diagnostic:\n%s", what, out)
	}
}

// serveInProcess serves each provider in this process for Terraform to
// reattach to (as terraform-plugin-testing does for one provider), and
// returns the TF_REATTACH_PROVIDERS value naming them all.
func serveInProcess(t *testing.T, providers map[string]func() tfprotov6.ProviderServer) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	type addr struct{ Network, String string }
	type reattachConfig struct {
		Protocol        string
		ProtocolVersion int
		Pid             int
		Test            bool
		Addr            addr
	}
	all := map[string]reattachConfig{}
	var closed []chan struct{}
	t.Cleanup(func() {
		cancel()
		for _, c := range closed {
			<-c
		}
	})
	for address, factory := range providers {
		configCh := make(chan *plugin.ReattachConfig, 1)
		closeCh := make(chan struct{})
		errCh := make(chan error, 1)
		go func() {
			errCh <- tf6server.Serve(address, factory, tf6server.WithDebug(ctx, configCh, closeCh),
				tf6server.WithGoPluginLogger(hclog.NewNullLogger()), tf6server.WithLoggingSink(t))
		}()
		select {
		case c := <-configCh:
			closed = append(closed, closeCh)
			all[address] = reattachConfig{Protocol: string(c.Protocol), ProtocolVersion: c.ProtocolVersion, Pid: c.Pid, Test: c.Test,
				Addr: addr{Network: c.Addr.Network(), String: c.Addr.String()}}
		case err := <-errCh:
			t.Fatalf("serving %s: %v", address, err)
		case <-time.After(time.Minute):
			t.Fatalf("serving %s: no reattach configuration within a minute", address)
		}
	}
	raw, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
