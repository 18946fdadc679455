package ebmigrate

import (
	"testing"
	"time"
)

// TestFirstContender: a task that was asked to stop and never started is
// giving way and is passed over (else two applies could both give way to
// it); a contender whose createdAt is not known yet is not taken for the
// oldest; nothing is chosen before ours is listed.
func TestFirstContender(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	ours := migrationTask{arn: "ours", createdAt: t0.Add(2 * time.Second)}
	gaveWay := migrationTask{arn: "gave-way", createdAt: t0, stopping: true}
	stoppingStarted := migrationTask{arn: "stopping-started", createdAt: t0, stopping: true, started: true}
	other := migrationTask{arn: "other", createdAt: t0.Add(time.Second)}
	unknown := migrationTask{arn: "unknown"}
	for _, c := range []struct {
		name   string
		active []migrationTask
		want   string
	}{
		{"ours alone", []migrationTask{ours}, "ours"},
		{"an older one", []migrationTask{other, ours}, "other"},
		{"one that gave way is passed over", []migrationTask{gaveWay, ours}, "ours"},
		{"one that gave way, then an older one", []migrationTask{gaveWay, other, ours}, "other"},
		{"a started one asked to stop still counts", []migrationTask{stoppingStarted, ours}, "stopping-started"},
		{"createdAt not known: read again", []migrationTask{unknown, ours}, ""},
		{"ours not listed", []migrationTask{other}, ""},
	} {
		got, ok := firstContender(c.active, "ours")
		if (c.want == "") == ok || ok && got.arn != c.want {
			t.Errorf("%s: got %q (%v), want %q", c.name, got.arn, ok, c.want)
		}
	}
}
