package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// maxTrackedFileSize bounds every tracked file: a clone should stay small
// (README and CHANGELOG are about 50 kB; a Go binary with debug info is
// 15-20 MB). A large fixture belongs in a test that generates it.
const maxTrackedFileSize = 2 << 20

// TestNoBinaryTracked keeps build outputs out of git: `go build ./cmd/bench`
// at the root once committed an 18.6 MB ELF that every clone carried. It
// fails naming each tracked file that is an executable (ELF, Mach-O or PE,
// by magic number) or larger than 2 MiB; .gitignore lists the root's build
// outputs so that `git add .` does not pick them up.
func TestNoBinaryTracked(t *testing.T) {
	out, err := exec.Command("git", "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("not a git checkout (git ls-files: %v): nothing tracked to check", err)
	}
	var bad []string
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		if name == "" {
			continue
		}
		if problem := trackedFileProblem(name); problem != "" {
			bad = append(bad, fmt.Sprintf("%s: %s", name, problem))
		}
	}
	if len(bad) > 0 {
		t.Errorf("tracked files that do not belong in git (run `git rm --cached <file>` and add build outputs to .gitignore):\n  %s", strings.Join(bad, "\n  "))
	}
}

// trackedFileProblem says why a file must not be tracked, or "" when it may.
// A tracked file deleted in the work tree is not checked.
func trackedFileProblem(name string) string {
	f, err := os.Open(name)
	if err != nil {
		return ""
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return ""
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if kind := executableKind(head[:n], f); kind != "" {
		return fmt.Sprintf("an executable (%s, %d bytes)", kind, info.Size())
	}
	if info.Size() > maxTrackedFileSize {
		return fmt.Sprintf("%d bytes, more than %d", info.Size(), maxTrackedFileSize)
	}
	return ""
}

// executableKind recognizes an executable or object file by its magic
// number: ELF, Mach-O (32/64-bit either byte order, and universal), PE ("MZ"
// with the "PE\0\0" signature where its header points).
func executableKind(head []byte, r io.ReaderAt) string {
	switch {
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		return "ELF"
	case bytes.HasPrefix(head, []byte{0xfe, 0xed, 0xfa, 0xce}), bytes.HasPrefix(head, []byte{0xfe, 0xed, 0xfa, 0xcf}),
		bytes.HasPrefix(head, []byte{0xce, 0xfa, 0xed, 0xfe}), bytes.HasPrefix(head, []byte{0xcf, 0xfa, 0xed, 0xfe}):
		return "Mach-O"
	case bytes.HasPrefix(head, []byte{0xca, 0xfe, 0xba, 0xbe}) && len(head) >= 8 && binary.BigEndian.Uint32(head[4:8]) < 45:
		// Universal binary: an architecture count; a Java class file shares
		// the magic but has its version there (minor, then major 45 and up).
		return "Mach-O universal"
	case bytes.HasPrefix(head, []byte("MZ")) && len(head) >= 0x40:
		sig := make([]byte, 4)
		if _, err := r.ReadAt(sig, int64(binary.LittleEndian.Uint32(head[0x3c:0x40]))); err == nil && string(sig) == "PE\x00\x00" {
			return "PE"
		}
	}
	return ""
}

func TestExecutableKind(t *testing.T) {
	pe := make([]byte, 0x90)
	copy(pe, "MZ")
	binary.LittleEndian.PutUint32(pe[0x3c:], 0x80)
	copy(pe[0x80:], "PE\x00\x00")
	textMZ := []byte(strings.Repeat("MZ is not a program, just text. ", 4))
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"ELF", []byte("\x7fELF\x02\x01\x01"), "ELF"},
		{"Mach-O 64 little-endian", []byte{0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1}, "Mach-O"},
		{"Mach-O universal", []byte{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2}, "Mach-O universal"},
		{"Java class", []byte{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52}, ""},
		{"PE", pe, "PE"},
		{"text starting with MZ", textMZ, ""},
		{"Go source", []byte("package main\n"), ""},
	} {
		if got := executableKind(c.data, bytes.NewReader(c.data)); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
