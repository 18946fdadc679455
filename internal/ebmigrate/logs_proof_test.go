package ebmigrate_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// A proven command's output, through the relay under python3, localaws's
// awslogs driver and CloudWatch: exactly the lines printed, each stream's in
// its order (stdout and stderr, an empty line, a line longer than one
// relayed piece, UTF-8, a last line without a newline), the relay's numbers
// and end line in none of them, and called complete. stdout and stderr are
// two pipes: neither Docker nor the relay orders lines across them, so the
// stderr line may come anywhere among stdout's.
func TestProvenOutputIsExactlyWhatWasPrinted(t *testing.T) {
	_, c := fixture(t)
	long := strings.Repeat("é", 3000) // 6000 bytes: two relayed pieces
	script := `echo "Planned operations:"; echo; echo "shop.0002_price"; echo "    Add field price to product" >&2; echo "` + long + `"; printf 'no newline at the end'`
	rec := &recorder{}
	res, err := ebmigrate.Migrate(testCtx(t), c, queryInput("sh", "-c", script), rec)
	if err != nil {
		t.Fatal(err)
	}
	const stderrLine = "    Add field price to product"
	stdout := []string{"Planned operations:", "", "shop.0002_price", long, "no newline at the end"}
	got := slices.Clone(res.RawOutput)
	if i := slices.Index(got, stderrLine); i >= 0 {
		got = slices.Delete(got, i, i+1)
	}
	if !res.LogsComplete || len(res.RawOutput) != len(stdout)+1 || !slices.Equal(got, stdout) {
		t.Errorf("complete %v (%s), output %q, want stdout's lines %q in order and the stderr line %q once", res.LogsComplete, res.LogsProblem, res.RawOutput, stdout, stderrLine)
	}
	var tail []string
	for _, l := range res.RawOutput {
		tail = append(tail, ebmigrate.BoundLine(l))
	}
	if !slices.Equal(res.LogTail, tail) {
		t.Errorf("tail %q, want the output's lines, each bounded", res.LogTail)
	}
	if strings.Contains(rec.lines(), "ebmigrate:") || res.LogsNote != "" {
		t.Errorf("the relay's marks reached the provider log or a note: %q, note %q", rec.lines(), res.LogsNote)
	}
}

// With awslogs-multiline-pattern, Docker's driver joins the relayed lines
// into events of several lines; the proof reads them apart.
func TestProvenOutputThroughMultilineEvents(t *testing.T) {
	_, c := friendly(t, func(s *localaws.Seed) {
		var web map[string]any
		if err := json.Unmarshal(s.Environments[0].Containers[0], &web); err != nil {
			t.Fatal(err)
		}
		web["logConfiguration"].(map[string]any)["options"].(map[string]any)["awslogs-multiline-pattern"] = `^Planned`
		s.Environments[0].Containers[0], _ = json.Marshal(web)
	})
	res, err := ebmigrate.Migrate(testCtx(t), c, queryInput("sh", "-c", `echo "Planned operations:"; echo "shop.0002_price"; echo "    Add field price to product"`), &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Planned operations:", "shop.0002_price", "    Add field price to product"}
	if !res.LogsComplete || !slices.Equal(res.RawOutput, want) {
		t.Errorf("complete %v (%s), output %q, want %q", res.LogsComplete, res.LogsProblem, res.RawOutput, want)
	}
}

// An entrypoint that prints a plan of its own and exits 0 without running
// the command: lines arrive, none of them the relay's, so the output is not
// proven and not called complete, whatever it looks like.
func TestUnprovenQueryOutputIsNotComplete(t *testing.T) {
	_, c := fixture(t, webField("entryPoint", []string{"sh", "-c", `echo "Planned operations:"; echo "shop.0001_initial"`}))
	in := queryInput("./manage.py", "migrate", "--plan")
	in.Poll.LogEndWithin = 2 * time.Second
	res, err := ebmigrate.Migrate(testCtx(t), c, in, &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	if res.LogsComplete || !strings.Contains(res.LogsProblem, "the relay's end line) did not show") {
		t.Errorf("complete %v, problem %q: want the output not proven, saying why", res.LogsComplete, res.LogsProblem)
	}
}
