package resources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

const planWarningSummary = "Migration Will Run"

// warnPlannedRun adds the plan's warning that a migration will run, saying
// exactly what, as far as it is known at plan time. It makes read-only AWS
// calls only. prior is the state of an update, nil for a create; changes are
// the arguments whose change runs it (runChanges).
func (r *runResource) warnPlannedRun(ctx context.Context, plan runModel, prior *runModel, changes []string, diags *diag.Diagnostics) {
	command := "a command known after apply"
	if !plan.Command.IsUnknown() {
		var argv []string
		diags.Append(plan.Command.ElementsAs(ctx, &argv, false)...)
		raw, _ := json.Marshal(argv)
		command = string(raw)
	}
	version := "version known after apply"
	if !plan.VersionLabel.IsUnknown() {
		version = "version " + plan.VersionLabel.ValueString()
		if prior != nil && !prior.VersionLabel.Equal(plan.VersionLabel) {
			version = "version " + prior.VersionLabel.ValueString() + " -> " + plan.VersionLabel.ValueString()
		}
	}
	if plan.EnvironmentName.IsUnknown() {
		diags.AddWarning(planWarningSummary, fmt.Sprintf(
			"ebmigrate_run will run %s in an Elastic Beanstalk environment created or changed by this apply (%s). The environment's name, cluster, task definition, container and image are known after apply.",
			command, version))
		return
	}
	env := plan.EnvironmentName.ValueString()
	head := fmt.Sprintf("ebmigrate_run will run %s in environment %s (%s)", command, env, version)
	// The version is in the message already; the other changes are said here.
	var why []string
	for _, c := range changes {
		if c != "version_label" && c != "environment_name" {
			why = append(why, c)
		}
	}
	if len(why) > 0 {
		head += ", because " + strings.Join(why, ", ") + " changed"
	}
	if r.clients == nil || plan.Cluster.IsUnknown() || plan.SourceTaskDefinition.IsUnknown() {
		diags.AddWarning(planWarningSummary, head+". Its cluster, task definition, container and image are known after apply.")
		return
	}
	target, err := ebmigrate.Discover(ctx, *r.clients, ebmigrate.DiscoverInput{
		EnvironmentName:      env,
		Cluster:              plan.Cluster.ValueString(),
		SourceTaskDefinition: plan.SourceTaskDefinition.ValueString(),
	})
	if err == nil {
		placement, pd := plan.placement(ctx)
		diags.Append(pd...)
		spec, source := ebmigrate.DeriveSpec{Container: knownString(plan.ContainerName), Image: knownString(plan.Image), Placement: placement,
			LogGroup: knownString(plan.LogGroup), TaskRoleArn: knownString(plan.TaskRoleArn), ExecutionRoleArn: knownString(plan.ExecutionRoleArn)}, ""
		if !plan.VersionLabel.IsUnknown() {
			spec, source, err = ebmigrate.ResolveImage(ctx, *r.clients, target, spec, plan.VersionLabel.ValueString())
		}
		var d *ebmigrate.Derived
		if err == nil {
			d, err = ebmigrate.DeriveTaskDefinition(target, spec)
		}
		if err == nil {
			_, err = ebmigrate.ResolveNetwork(target, d, placement)
		}
		var checks []string
		if err == nil {
			checks, err = ebmigrate.CheckRun(ctx, *r.clients, target, d, spec, knownString(plan.VersionLabel), true)
		}
		for _, w := range checks {
			diags.AddWarning("Migration May Not Go As Planned", w)
		}
		if err == nil {
			where := "cluster " + shortName(target.ClusterArn, ":cluster/")
			if placement.Fargate() {
				where += " on Fargate"
			}
			detail := fmt.Sprintf("%s on %s, from task definition %s, container %s, image %s",
				head, where, shortName(aws.ToString(target.SourceTaskDefinition.TaskDefinitionArn), ":task-definition/"),
				d.Container, d.Image)
			if source != "" {
				detail += " (from " + source + ")"
			}
			if !plan.VersionLabel.IsUnknown() && target.VersionLabel != plan.VersionLabel.ValueString() {
				detail += fmt.Sprintf(". The environment has version %s deployed", target.VersionLabel)
			}
			diags.AddWarning(planWarningSummary, detail+".")
			return
		}
	}
	var p *ebmigrate.ProblemError
	if errors.As(err, &p) && p.Summary != "Elastic Beanstalk Environment Not Found" {
		// The environment is there and cannot work: say so now, not at apply.
		diags.AddError(p.Summary, p.Detail)
		return
	}
	diags.AddWarning(planWarningSummary, fmt.Sprintf("%s. What it runs on is decided at apply: at plan time, %v", head, err))
}

func knownString(v types.String) string {
	if v.IsUnknown() || v.IsNull() {
		return ""
	}
	return v.ValueString()
}

// shortName is the part of an ARN after marker ("cluster/name" -> "name").
func shortName(arn, marker string) string {
	if _, name, ok := strings.Cut(arn, marker); ok {
		return name
	}
	return arn
}
