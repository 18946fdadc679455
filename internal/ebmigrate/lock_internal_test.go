package ebmigrate

import (
	"testing"
	"time"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// TestFencedReplay: a RunTask answer with a dead holder's token is the
// replay of the holder's call when the task predates ours by more than a
// quarter lease (ECS compared fewer parameters than ours differ in); a task
// created by our call, or an answer with a token of our own, is ours.
func TestFencedReplay(t *testing.T) {
	called := time.Unix(1700000100, 0)
	fenced := lockRecord{ClientToken: "tok", LeaseSeconds: 30, FencedFrom: &fencedHolder{ClientToken: "tok"}}
	own := lockRecord{ClientToken: "mine", LeaseSeconds: 30, FencedFrom: &fencedHolder{ClientToken: "tok"}}
	at := func(d time.Duration) ecstypes.Task { c := called.Add(d); return ecstypes.Task{CreatedAt: &c} }
	for _, c := range []struct {
		name string
		rec  lockRecord
		task ecstypes.Task
		want bool
	}{
		{"the holder's task, 20 s before our call", fenced, at(-20 * time.Second), true},
		{"created by our call", fenced, at(50 * time.Millisecond), false},
		{"within a quarter lease: our clock may lag ECS's", fenced, at(-5 * time.Second), false},
		{"our own token", own, at(-20 * time.Second), false},
		{"no fence", lockRecord{ClientToken: "tok", LeaseSeconds: 30}, at(-20 * time.Second), false},
		{"no createdAt", fenced, ecstypes.Task{}, false},
	} {
		if got := fencedReplay(c.rec, c.task, called); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
