package main

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// 2. Plan at scale: 50 ebmigrate_run over 50 environments with nothing to
// run, next to 50 terraform_data, with and without refresh.
func planAtScale(e *benchEnv, r *report) error {
	const n = 50
	w, err := newWorld(e, n)
	if err != nil {
		return err
	}
	defer w.close()
	d, err := newTFDir(e, "plan-ebmigrate")
	if err != nil {
		return err
	}
	if err := d.write(runEach(w, `["true"]`)); err != nil {
		return err
	}
	if _, err := d.timed("apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return err
	}
	td, err := newTFDir(e, "plan-terraform-data")
	if err != nil {
		return err
	}
	if err := td.write(fmt.Sprintf("resource \"terraform_data\" \"migrate\" {\n  for_each = toset(%s)\n  input    = each.value\n}\n", hclList(w.envs))); err != nil {
		return err
	}
	if _, err := td.timed("apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return err
	}
	// Measured in turns, so that load on the machine falls on both alike.
	var ours, theirs, oursNoRefresh, theirsNoRefresh []time.Duration
	var calls map[string]int
	for i := 0; i < e.o.repeats; i++ {
		for _, m := range []struct {
			dir  *tfDir
			args []string
			into *[]time.Duration
		}{
			{d, nil, &ours}, {td, nil, &theirs},
			{d, []string{"-refresh=false"}, &oursNoRefresh}, {td, []string{"-refresh=false"}, &theirsNoRefresh},
		} {
			if m.dir == d && m.args == nil {
				w.srv.ResetStats()
			}
			took, err := m.dir.timed(append([]string{"plan", "-input=false", "-no-color", "-detailed-exitcode"}, m.args...)...)
			if err != nil {
				return fmt.Errorf("the plan of unchanged resources is not empty: %w", err)
			}
			*m.into = append(*m.into, took)
			if m.dir == d && m.args == nil {
				calls = w.srv.Stats().Calls
			}
		}
	}
	o, t := summarize(ours), summarize(theirs)
	on, tn := summarize(oursNoRefresh), summarize(theirsNoRefresh)
	ecsCalls := 0
	var ops []string
	for op, c := range calls {
		ops = append(ops, fmt.Sprintf("`%s` %d", op, c))
		if strings.HasPrefix(op, "ecs:") {
			ecsCalls += c
		}
	}
	sort.Strings(ops)
	ratio, ratioNoRefresh := float64(o.med)/float64(t.med), float64(on.med)/float64(tn.med)
	r.line("\n## 2. Plan at scale\n\n`terraform plan` of %d `ebmigrate_run` over %d environments with nothing to run, next to the same plan of %d `terraform_data`, run in turns.\n\n", n, n, n)
	r.line("| Configuration | Plan time | Target | |\n| --- | --- | --- | --- |\n")
	r.line("| %d `ebmigrate_run` | %s | | |\n| %d `terraform_data` | %s | | |\n", n, o, n, t)
	r.line("| ratio | **%.2f×** | ≤ 2× | %s |\n", ratio, met(ratio <= 2))
	r.line("| %d `ebmigrate_run`, `-refresh=false` | %s | | |\n| %d `terraform_data`, `-refresh=false` | %s | | |\n", n, on, n, tn)
	r.line("| ratio, `-refresh=false` | **%.2f×** | ≤ 2× | %s |\n", ratioNoRefresh, met(ratioNoRefresh <= 2))
	r.line("| AWS calls of one plan | %s | no ECS call | %s |\n", strings.Join(ops, ", "), met(ecsCalls == 0))
	return nil
}
