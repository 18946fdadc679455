//go:build !linux

package localaws

import (
	"os"
	"os/exec"
	"syscall"
)

func setProcAttrs(cmd *exec.Cmd) {}

func signalProc(p *os.Process, sig syscall.Signal) {
	if sig == syscall.SIGKILL {
		_ = p.Kill()
		return
	}
	_ = p.Signal(sig)
}

func exitCodeOf(ps *os.ProcessState) int { return ps.ExitCode() }
