package localaws_test

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// logPIDs reads the process ids a task printed, one per line.
func (c clients) logPIDs(t *testing.T, taskArn, prefix string, want int) []int {
	t.Helper()
	id := taskArn[strings.LastIndex(taskArn, "/")+1:]
	// cmd/localaws has AWS's times: seconds to start, seconds to ingest a line.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		out, err := c.logs.GetLogEvents(ctx(t), &cloudwatchlogs.GetLogEventsInput{
			LogGroupName: aws.String(localaws.FixtureLogGroup), LogStreamName: aws.String(prefix + "/web/" + id), StartFromHead: aws.Bool(true),
		})
		if err == nil && len(out.Events) >= want {
			var pids []int
			for _, e := range out.Events {
				pid, err := strconv.Atoi(aws.ToString(e.Message))
				if err != nil {
					t.Fatalf("log line %q", aws.ToString(e.Message))
				}
				pids = append(pids, pid)
			}
			return pids
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the task never printed its pids")
	return nil
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

func TestNoProcessOutlivesTheServer(t *testing.T) {
	c := world(t)
	td := c.registerTaskDef(t, "migrate", "sh", "-c", "sleep 300 & echo $!; echo $$; wait")
	task := c.runTask(t, td)
	pids := c.logPIDs(t, aws.ToString(task.TaskArn), "migrate", 2)
	for _, pid := range pids {
		if !alive(pid) {
			t.Fatalf("process %d is not running before Close", pid)
		}
	}
	c.srv.Close()
	for _, pid := range pids {
		deadline := time.Now().Add(3 * time.Second)
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if alive(pid) {
			t.Errorf("process %d outlived the server", pid)
		}
	}
}

func TestListenRefusesNonLoopback(t *testing.T) {
	srv, err := localaws.New(localaws.Seed{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, addr := range []string{"0.0.0.0:0", ":0", "10.1.2.3:0"} {
		if err := srv.Listen(addr); err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("Listen(%q) = %v, want a refusal", addr, err)
		}
	}
}

func TestCommandLine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "localaws")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/localaws")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	seed := localaws.FriendlySeed(dir)
	raw, err := json.Marshal(seed)
	if err != nil {
		t.Fatal(err)
	}
	seedPath := filepath.Join(dir, "seed.json")
	if err := os.WriteFile(seedPath, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-seed", seedPath)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "localaws listening on ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("first line = %q", line)
	}
	c := clientsFor(url)
	td := c.registerTaskDef(t, "migrate", "sh", "-c", "echo $$; exec sleep 300")
	task := c.runTask(t, td)
	pid := c.logPIDs(t, aws.ToString(task.TaskArn), "migrate", 1)[0]
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("localaws exited with %v after SIGTERM", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("localaws did not stop on SIGTERM")
	}
	if alive(pid) {
		t.Errorf("task process %d outlived localaws", pid)
	}
	if _, err := exec.Command(bin, "-seed", seedPath, "-addr", "0.0.0.0:0").CombinedOutput(); err == nil {
		t.Error("localaws agreed to listen on 0.0.0.0")
	}
}
