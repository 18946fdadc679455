package ebmigrate

import (
	"fmt"
	"strings"
	"time"
)

// Phase is when, around Elastic Beanstalk's deploy, migrations run.
type Phase string

const (
	// BeforeDeploy applies the pending migrations that are safe while the
	// old version still serves, in dependency order.
	BeforeDeploy Phase = "before_deploy"
	// AfterDeploy applies the rest, once the deploy has replaced the old version.
	AfterDeploy Phase = "after_deploy"
)

// PhaseValues are the phases, for validators and descriptions.
var PhaseValues = []string{string(BeforeDeploy), string(AfterDeploy)}

// PhaseOptions are the choices the rules leave to the user.
type PhaseOptions struct {
	// CodeOperations is the phase of RunPython and RunSQL operations in
	// migrations without a safe marker; "" is AfterDeploy (what the rules
	// cannot read is not assumed harmless to the old code, as
	// django-safemigrate 2.0 to 4.x assumed of unmarked migrations).
	CodeOperations Phase
	// ManagePy runs Django's manage.py in the app container; nil is
	// DefaultManagePy. Options are manage.py's global options (--settings,
	// --pythonpath), given after the subcommand (PhaseCommand reads both
	// from the user's migrate command).
	ManagePy []string
	Options  []string
	// Reviewed are the migrations the reviewed plan listed for the phase
	// (ebmigrate_run's review.pending); a before_deploy phase that would
	// apply another one fails before it applies anything. Nil: no check.
	Reviewed []string
}

func (o PhaseOptions) codeSafety() Safety {
	if o.CodeOperations == BeforeDeploy {
		return SafeBeforeDeploy
	}
	return SafeAfterDeploy
}

// PhasedMigration is one pending migration, its phase and why.
type PhasedMigration struct {
	// Name is app.name.
	Name  string
	Phase Phase
	// Safety is what the migration itself says (its marker) or the rules
	// say of its operations, before its dependencies are considered.
	Safety Safety
	// Marked is true when Safety is the migration's safe marker.
	Marked bool
	// Why says in one sentence why it is in its phase.
	Why string
	// Operations are the rules' verdicts (nil for a marked migration, whose
	// marker is honoured as it is).
	Operations []Verdict
	// Hazards are what no phase makes safe: a warning each.
	Hazards []string
	// Dependencies are the pending migrations it depends on.
	Dependencies []string
	// Described are its operations as migrate --plan describes them
	// (redacted), in order.
	Described []string
}

// PhasePlan is every pending migration with its phase, in the order migrate
// applies them.
type PhasePlan struct {
	Migrations []PhasedMigration
}

// In are the migrations of one phase, in the order they apply.
func (p PhasePlan) In(phase Phase) []PhasedMigration {
	out := []PhasedMigration{}
	for _, m := range p.Migrations {
		if m.Phase == phase {
			out = append(out, m)
		}
	}
	return out
}

// Names are the names of one phase's migrations, in the order they apply.
func (p PhasePlan) Names(phase Phase) []string {
	out := []string{}
	for _, m := range p.In(phase) {
		out = append(out, m.Name)
	}
	return out
}

// Reasons maps each migration to why it is in its phase.
func (p PhasePlan) Reasons() map[string]string {
	out := make(map[string]string, len(p.Migrations))
	for _, m := range p.Migrations {
		out[m.Name] = m.Why
	}
	return out
}

// Hazards are what no phase makes safe, migration by migration.
func (p PhasePlan) Hazards() []string {
	out := []string{}
	for _, m := range p.Migrations {
		out = append(out, m.Hazards...)
	}
	return out
}

// Operations maps each migration to its operations as migrate --plan
// describes them.
func (p PhasePlan) Operations() map[string][]string {
	out := make(map[string][]string, len(p.Migrations))
	for _, m := range p.Migrations {
		out[m.Name] = append([]string{}, m.Described...)
	}
	return out
}

// Destructive are the migrations of a phase with an operation that drops
// or renames data (IsDestructive of its description).
func (p PhasePlan) Destructive(phase Phase) []string {
	out := []string{}
	for _, m := range p.In(phase) {
		for _, d := range m.Described {
			if IsDestructive(d) {
				out = append(out, m.Name)
				break
			}
		}
	}
	return out
}

// ClassifyPhases puts each pending migration in a phase. A migration's
// django-safemigrate marker is honoured; without one, its operations decide:
// the latest of their safeties. A migration safe before the deploy runs
// before it, unless it depends on one that runs after: one marked always (or
// harmless by the rules) then runs after too, and one that must run before
// makes the release unsplittable (an error naming both, with the plan so far).
func ClassifyPhases(in Introspection, opts PhaseOptions) (PhasePlan, error) {
	plan := PhasePlan{Migrations: []PhasedMigration{}}
	contexts := map[string]*ruleContext{}
	newModels := map[string]string{}
	phaseOf := map[string]Phase{}
	var invalid, tangled []string
	for _, m := range in.Migrations {
		c := contexts[m.App]
		if c == nil {
			c = &ruleContext{app: m.App, newModels: newModels, code: opts.codeSafety()}
			contexts[m.App] = c
		}
		pm := classifyMigration(m, c)
		if m.Marker != nil && m.Marker.Invalid != "" {
			invalid = append(invalid, fmt.Sprintf("%s has safe = <%s>", m.Label(), m.Marker.Invalid))
		}
		pm.Phase = BeforeDeploy
		if pm.Safety == SafeAfterDeploy {
			pm.Phase = AfterDeploy
		}
		for _, d := range m.Dependencies {
			if phaseOf[d] != AfterDeploy || pm.Phase == AfterDeploy {
				continue
			}
			if pm.Safety == SafeBeforeDeploy {
				tangled = append(tangled, fmt.Sprintf("%s must run before the deploy (%s) but depends on %s, which runs after it (%s).",
					pm.Name, pm.Why, d, whyOf(plan, d)))
			} else {
				pm.Why = fmt.Sprintf("it depends on %s, which runs after the deploy (by itself: %s)", d, pm.Why)
			}
			pm.Phase = AfterDeploy
		}
		phaseOf[pm.Name] = pm.Phase
		plan.Migrations = append(plan.Migrations, pm)
	}
	if len(invalid) > 0 {
		return plan, problem("Invalid safe Marker",
			"%s, which django-safemigrate does not accept, so the phase it asks for cannot be told. Use Safe.before_deploy(), Safe.after_deploy() or Safe.always() (from django_safemigrate import Safe), or remove the attribute so that the rules classify its operations.",
			strings.Join(invalid, "; "))
	}
	if len(tangled) > 0 {
		return plan, problem("Release Cannot Be Split Into Phases",
			"%s No order keeps both versions of the code working. Make the change the new code needs a migration that does not depend on the breaking one (reorder the migrations' dependencies, or run makemigrations for it first), deploy the breaking migration in a later release, or migrate this release without phases.",
			strings.Join(tangled, " "))
	}
	return plan, nil
}

func whyOf(p PhasePlan, name string) string {
	for _, m := range p.Migrations {
		if m.Name == name {
			return m.Why
		}
	}
	return ""
}

// classifyMigration is a migration's own safety: its marker, or the rules.
func classifyMigration(m IntrospectedMigration, c *ruleContext) PhasedMigration {
	pm := PhasedMigration{Name: m.Label(), Dependencies: m.Dependencies, Hazards: []string{}, Described: []string{}}
	for _, op := range m.Operations {
		pm.Described = append(pm.Described, orDefault(op.Describe, op.Class))
	}
	defer func() {
		for _, op := range m.Operations {
			c.noteModels(op, pm.Name)
		}
	}()
	if mk := m.Marker; mk != nil {
		pm.Marked = true
		pm.Safety = Safety(mk.Value)
		if mk.Invalid != "" {
			pm.Safety = SafeAfterDeploy
			pm.Why = "its safe attribute is not one django-safemigrate accepts"
			return pm
		}
		pm.Why = fmt.Sprintf("it is marked safe = %s (django-safemigrate)", mk.Spelling)
		if mk.DelaySeconds != nil {
			delay := time.Duration(*mk.DelaySeconds * float64(time.Second))
			pm.Hazards = append(pm.Hazards, fmt.Sprintf("%s asks django-safemigrate to wait %s after it first sees it; the phases do not wait: it runs right after the deploy.", pm.Name, delay))
		}
		return pm
	}
	pm.Safety, pm.Why = SafeAlways, "it has no operations"
	decisive := -1
	var before, after []string
	for _, op := range m.Operations {
		v := judge(op, c)
		pm.Operations = append(pm.Operations, v)
		if v.Hazard != "" {
			pm.Hazards = append(pm.Hazards, pm.Name+": "+v.Hazard)
		}
		switch v.Safety {
		case SafeBeforeDeploy:
			before = append(before, v.Operation)
		case SafeAfterDeploy:
			after = append(after, v.Operation)
		}
		if decisive < 0 || later(v.Safety, pm.Operations[decisive].Safety) {
			decisive = len(pm.Operations) - 1
		}
	}
	if decisive >= 0 {
		d := pm.Operations[decisive]
		pm.Safety = d.Safety
		pm.Why = d.Operation + ": " + d.Why
		if n := len(m.Operations) - 1; n > 0 {
			pm.Why += fmt.Sprintf(" (and %d more %s)", n, map[bool]string{true: "operation", false: "operations"}[n == 1])
		}
	}
	if len(before) > 0 && len(after) > 0 {
		pm.Hazards = append(pm.Hazards, fmt.Sprintf("%s mixes operations the new code needs before the deploy (%s) with ones that break the old code (%s), so it runs after the deploy and the new code may fail until then: split it into two migrations.",
			pm.Name, strings.Join(before, ", "), strings.Join(after, ", ")))
	}
	return pm
}
