package ebmigrate

import (
	"slices"
	"testing"
)

// The proof holds the output only when it has the end line and every
// numbered line below its count, in whatever order they came; a line not
// the relay's is never output.
func TestOutputProof(t *testing.T) {
	p := newOutputProof(100)
	feed := func(line string, ts int64) (string, bool, bool) { return p.relayed(line, ts) }
	if _, ok, _ := feed("Waiting for the database…", 1000); ok {
		t.Error("a line without the relay's prefix was taken as the relay's")
	}
	for _, bad := range []string{"ebmigrate:", "ebmigrate:x:y", "ebmigrate:0:zero", "ebmigrate:3", "ebmigrate:end:-1", "ebmigrate:end:x"} {
		if _, ok, _ := feed(bad, 1000); ok {
			t.Errorf("%q was taken as the relay's", bad)
		}
	}
	feed("ebmigrate:3:third", 3000)
	feed("ebmigrate:1+fir", 1000)
	if p.complete() || p.ended() {
		t.Fatal("complete or ended without the end line")
	}
	feed("ebmigrate:end:4", 4000)
	if p.complete() || p.firstMissing() != 2 || p.problem() != "line 2 of 4 did not show" {
		t.Fatalf("complete %v, first missing %d, problem %q: want line 2 missing", p.complete(), p.firstMissing(), p.problem())
	}
	if at, ok := p.rereadFrom(); !ok || at != 0 {
		t.Errorf("rereadFrom = %d %v, want line 1's timestamp less a second", at, ok)
	}
	if _, _, fresh := feed("ebmigrate:3:third", 3000); fresh {
		t.Error("a line read again was fresh")
	}
	feed("ebmigrate:2:st", 2000)
	feed("ebmigrate:4:", 3500)
	if !p.complete() || !slices.Equal(p.lines(), []string{"first", "third", ""}) {
		t.Errorf("complete %v, lines %q, want [first third \"\"]", p.complete(), p.lines())
	}
	small := newOutputProof(1)
	small.relayed("ebmigrate:1:a", 1)
	small.relayed("ebmigrate:2:b", 2)
	small.relayed("ebmigrate:end:2", 3)
	if small.complete() || small.problem() != "it has more than 1 lines" {
		t.Errorf("over the limit: complete %v, problem %q", small.complete(), small.problem())
	}
}
