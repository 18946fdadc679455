package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// 4c. Memory: the provider process's peak RSS during an apply of 10
// migrations in parallel.
func memory(e *benchEnv, r *report) error {
	const n = 10
	w, err := newWorld(e, n)
	if err != nil {
		return err
	}
	defer w.close()
	d, err := newTFDir(e, "memory")
	if err != nil {
		return err
	}
	if err := d.write(runEach(w, `["sh", "-c", "for i in $(seq 1 20000); do echo migrating line $i; done; sleep 3"]`)); err != nil {
		return err
	}
	peak, err := runWatchingRSS(d.cmd("apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=10"))
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	if ran := len(w.migrations()); ran != n {
		return fmt.Errorf("%d migrations ran, want %d", ran, n)
	}
	mb := float64(peak) / 1024
	r.line("\n### 4c. Memory\n\nPeak resident memory (`VmHWM`) of the provider process during one `terraform apply` of %d migrations in parallel (each prints 20,000 log lines and runs 3 s).\n\n", n)
	r.line("| Figure | Value | Target | |\n| --- | --- | --- | --- |\n| provider peak RSS | %.1f MB | < 100 MB | %s |\n", mb, met(peak > 0 && mb < 100))
	return nil
}

// runWatchingRSS runs cmd (a terraform command) to its end and returns the
// provider processes' peak resident memory in kB, sampled every 50 ms.
func runWatchingRSS(cmd *exec.Cmd) (int, error) {
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	peak := 0
	for {
		select {
		case err := <-done:
			return peak, err
		case <-time.After(50 * time.Millisecond):
			if kb := providerPeakKB(); kb > peak {
				peak = kb
			}
		}
	}
}

// providerPeakKB is the highest VmHWM of any running provider process.
func providerPeakKB() int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	best := 0
	for _, dir := range dirs {
		comm, err := os.ReadFile(filepath.Join(dir, "comm"))
		if err != nil || !strings.HasPrefix(strings.TrimSpace(string(comm)), "terraform-provi") {
			continue
		}
		status, err := os.ReadFile(filepath.Join(dir, "status"))
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(l, "VmHWM:") {
				var kb int
				if _, err := fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:")), "%d", &kb); err == nil && kb > best {
					best = kb
				}
			}
		}
	}
	return best
}
