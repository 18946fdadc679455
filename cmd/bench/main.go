// Command bench measures what users of ebmigrate_run wait for, against
// localaws on loopback with its default account quotas, and writes
// BENCHMARKS.md: fifty environments in one apply, plan time at scale next to
// terraform_data, apply overhead next to Terraform's floor and the usual
// terraform_data + AWS CLI script, then stop detection, AWS calls per
// operation, the provider's peak memory and the bytes read of a 200 MB
// source bundle. One file per section.
//
//	go run ./cmd/bench -terraform /path/to/terraform -out BENCHMARKS.md
//
// It is not a test: no figure fails anything; each states its target and
// whether it is met.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

type options struct {
	terraform string
	out       string
	repeats   int
	quick     bool
	only      string
}

func main() {
	var o options
	flag.StringVar(&o.terraform, "terraform", "", "terraform binary (required)")
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "report to write")
	flag.IntVar(&o.repeats, "repeats", 3, "runs per figure")
	flag.BoolVar(&o.quick, "quick", false, "shorter tasks (for trying the benchmark out; figures are not comparable)")
	flag.StringVar(&o.only, "only", "", "comma-separated sections to run (default all), e.g. -only 'source bundle'")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.terraform == "" {
		return fmt.Errorf("-terraform is required")
	}
	start := time.Now()
	work, err := os.MkdirTemp("", "ebmigrate-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	env, err := newBenchEnv(o, work)
	if err != nil {
		return err
	}
	r := &report{}
	r.header(o, env)
	sections := []struct {
		name string
		fn   func(*benchEnv, *report) error
	}{
		{"fifty environments", scale},
		{"plan at scale", planAtScale},
		{"apply overhead", applyOverhead},
		{"stop detection", stopDetection},
		{"API calls", apiCalls},
		{"memory", memory},
		{"source bundle", bundleReads},
	}
	var failed []string
	for _, s := range sections {
		if o.only != "" && !slices.Contains(strings.Split(o.only, ","), s.name) {
			continue
		}
		fmt.Fprintf(os.Stderr, "bench: %s ...\n", s.name)
		t0 := time.Now()
		if err := s.fn(env, r); err != nil {
			r.line("\n**%s could not be measured:** %v\n", s.name, err)
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", s.name, err)
			failed = append(failed, s.name)
		}
		fmt.Fprintf(os.Stderr, "bench: %s took %s\n", s.name, time.Since(t0).Round(time.Second))
	}
	r.line("\nThe whole benchmark took %s.\n", time.Since(start).Round(time.Second))
	if err := os.WriteFile(o.out, []byte(r.String()), 0o644); err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("could not measure %s (see %s)", strings.Join(failed, ", "), o.out)
	}
	return nil
}

// benchEnv holds what every section needs: the built binaries and tools.
type benchEnv struct {
	o           options
	work        string
	providerDir string
	awsCLI      string
	tfVersion   string
}

func newBenchEnv(o options, work string) (*benchEnv, error) {
	e := &benchEnv{o: o, work: work, providerDir: filepath.Join(work, "bin")}
	if out, err := exec.Command("go", "build", "-o", filepath.Join(e.providerDir, "terraform-provider-ebmigrate"), ".").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %v\n%s", err, out)
	}
	e.awsCLI, _ = exec.LookPath("aws")
	out, _ := exec.Command(o.terraform, "version").Output()
	e.tfVersion = strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
	return e, nil
}

func machine() string {
	cpu := "unknown CPU"
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(raw), "\n") {
			if strings.HasPrefix(l, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
	mem := ""
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		mem = strings.Fields(strings.SplitN(string(raw), "\n", 2)[0])[1] + " kB memory"
	}
	return fmt.Sprintf("%s/%s, %d cores (%s), %s, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpu, mem, runtime.Version())
}
