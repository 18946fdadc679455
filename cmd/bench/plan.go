package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/tfcli"
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
	// The floor, after the figures (so that their turns stay as they were):
	// the same plans through a provider that does nothing.
	floor, err := planFloor(e, w, d)
	if err != nil {
		return err
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
	r.line("\nThe floor: the same plans through `cmd/bench/floorprovider`, a provider on the same framework that does nothing: no `Configure`, no AWS call, no `ModifyPlan` or resource-level validator (the schema's own validators, defaults and plan modifiers stay); next to `terraform_data` above. Terraform (%s) starts a provider process %d times per plan.\n\n", e.tfVersion, floor.launches)
	r.line("| Configuration | Plan time | / `terraform_data` | `-refresh=false` | / `terraform_data` |\n| --- | --- | --- | --- | --- |\n")
	for _, f := range floor.rows {
		r.line("| %s | %s | %.2f× | %s | %.2f× |\n", f.name, f.refresh, float64(f.refresh.med)/float64(t.med), f.noRefresh, float64(f.noRefresh.med)/float64(tn.med))
	}
	if len(floor.rows) > 0 {
		// What our own code (Configure, ModifyPlan, Read, the AWS calls)
		// adds to the plan, against the framework and Terraform with the
		// same schema.
		same := floor.rows[len(floor.rows)-1]
		r.line("\nOurs against the no-op provider with the same schema (what our own code adds): %.2f× with refresh, %.2f× with `-refresh=false`.\n",
			float64(o.med)/float64(same.refresh.med), float64(on.med)/float64(same.noRefresh.med))
	}
	return nil
}

type floorRow struct {
	name               string
	refresh, noRefresh summary
}

type floorFigures struct {
	rows     []floorRow
	launches int
}

// planFloor measures plans of 50 no-op resources of floorprovider: one with
// three string arguments, one with ebmigrate_run's schema and the state the
// real provider wrote in ours.
func planFloor(e *benchEnv, w *world, ours *tfDir) (floorFigures, error) {
	var f floorFigures
	bin := filepath.Join(e.work, "floor-bin")
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-ebmigrate"), "./cmd/bench/floorprovider").CombinedOutput(); err != nil {
		return f, fmt.Errorf("go build floorprovider: %v\n%s", err, out)
	}
	dir := func(name string) (*tfDir, error) {
		d, err := tfcli.New(e.o.terraform, bin, filepath.Join(e.work, name))
		if err != nil {
			return nil, err
		}
		return &tfDir{d}, nil
	}
	small, err := dir("plan-floor")
	if err != nil {
		return f, err
	}
	if err := small.write(fmt.Sprintf("terraform {\n  required_providers {\n    ebmigrate = { source = \"ebmigrate/ebmigrate\" }\n  }\n}\n\nresource \"ebmigrate_floor\" \"migrate\" {\n  for_each         = toset(%s)\n  environment_name = each.value\n  version_label    = \"v1\"\n  command          = [\"true\"]\n}\n", hclList(w.envs))); err != nil {
		return f, err
	}
	if _, err := small.timed("apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return f, err
	}
	same, err := dir("plan-floor-run")
	if err != nil {
		return f, err
	}
	if err := same.write(runEach(w, `["true"]`)); err != nil {
		return f, err
	}
	state, err := os.ReadFile(filepath.Join(ours.Path, "terraform.tfstate"))
	if err != nil {
		return f, err
	}
	if err := os.WriteFile(filepath.Join(same.Path, "terraform.tfstate"), state, 0o600); err != nil {
		return f, err
	}
	rows := []struct {
		name string
		dir  *tfDir
	}{
		{"50 no-op resources, 3 arguments", small},
		{"50 no-op resources, `ebmigrate_run`'s schema", same},
	}
	for _, row := range rows {
		var refresh, noRefresh []time.Duration
		for i := 0; i < e.o.repeats; i++ {
			for _, m := range []struct {
				args []string
				into *[]time.Duration
			}{{nil, &refresh}, {[]string{"-refresh=false"}, &noRefresh}} {
				took, err := row.dir.timed(append([]string{"plan", "-input=false", "-no-color", "-detailed-exitcode"}, m.args...)...)
				if err != nil {
					return f, fmt.Errorf("the floor's plan of unchanged resources is not empty: %w", err)
				}
				*m.into = append(*m.into, took)
			}
		}
		f.rows = append(f.rows, floorRow{row.name, summarize(refresh), summarize(noRefresh)})
	}
	// How often Terraform starts the provider in one plan, from its log.
	cmd := small.cmd("plan", "-input=false", "-no-color", "-refresh=false")
	cmd.Env = append(cmd.Env, "TF_LOG=debug")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return f, fmt.Errorf("terraform plan with TF_LOG=debug: %v\n%s", err, tail(string(out), 30))
	}
	f.launches = strings.Count(string(out), "provider: starting plugin:")
	return f, nil
}
