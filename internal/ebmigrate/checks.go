package ebmigrate

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// CheckRun checks, with read-only calls, what would make a derived run fail
// on AWS although ECS accepts the registration: capacity providers the
// cluster does not have, Fargate without the execution role it needs, a
// container larger than its task, a log group that does not exist. It runs
// at plan and at apply. Problems that do not stop the run are returned as
// warnings: at plan, where the same apply may still create a missing log
// group, a missing configured group is a warning; at apply (atPlan false) it
// is an error.
func CheckRun(ctx context.Context, c Clients, t *Target, d *Derived, spec DeriveSpec, version string, atPlan bool) ([]string, error) {
	var warnings []string
	if err := checkCapacityProviders(ctx, c.ECS, t, spec.Placement); err != nil {
		return nil, err
	}
	if err := checkFargate(d, spec.Placement); err != nil {
		return nil, err
	}
	if err := checkContainerCPU(d); err != nil {
		return nil, err
	}
	if err := checkLogGroupName(t, d, spec); err != nil {
		return nil, err
	}
	w, err := checkLogGroup(ctx, c, t, d, atPlan)
	if err != nil {
		return nil, err
	}
	warnings = append(warnings, w...)
	if w := fargatePrefixNote(t, d, spec); w != "" {
		warnings = append(warnings, w)
	}
	if w := bundleMountedCode(t, d, version); w != "" {
		warnings = append(warnings, w)
	}
	return warnings, nil
}

// checkCapacityProviders fails on a strategy naming a provider the cluster
// has not associated, which RunTask would refuse. The associations were read
// with the cluster (Target.CapacityProviders), unless it was only listed.
func checkCapacityProviders(ctx context.Context, api ECS, t *Target, p Placement) error {
	if len(p.CapacityProvider) == 0 {
		return nil
	}
	associated := t.CapacityProviders
	if !t.CapacityProvidersRead {
		out, err := api.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{t.ClusterArn}})
		if err != nil {
			return fmt.Errorf("describing ECS cluster %s for its capacity providers: %w", t.ClusterArn, err)
		}
		if len(out.Clusters) == 0 {
			return problem("ECS Cluster Not Found", "ECS cluster %s does not exist.", t.ClusterArn)
		}
		associated = out.Clusters[0].CapacityProviders
	}
	for _, cp := range p.CapacityProvider {
		if !slices.Contains(associated, cp.Name) {
			name := shortArn(t.ClusterArn)
			return problemAt(ArgCapacityProviders, "Capacity Provider Not Associated",
				"task.capacity_provider_strategy names %q, which is not associated with cluster %s (its capacity providers: %s), and ECS runs tasks only on associated providers. "+
					"Associate it first, keeping the existing ones: aws ecs put-cluster-capacity-providers --cluster %s --capacity-providers %s --default-capacity-provider-strategy '[]'; "+
					"or name one of the cluster's providers, or use task.launch_type instead.",
				cp.Name, name, listOrNone(associated), name, strings.Join(append(slices.Clone(associated), cp.Name), " "))
		}
	}
	return nil
}

func listOrNone(v []string) string {
	if len(v) == 0 {
		return "none"
	}
	return strings.Join(v, ", ")
}

// checkFargate: on Fargate, ECS pulls ECR images and sends awslogs output
// with the task execution role, so the task cannot start without one.
func checkFargate(d *Derived, p Placement) error {
	if !p.Fargate() || aws.ToString(d.Input.ExecutionRoleArn) != "" {
		return nil
	}
	c := d.Input.ContainerDefinitions[0]
	var needs []string
	if strings.Contains(aws.ToString(c.Image), ".dkr.ecr.") {
		needs = append(needs, "its image is in Amazon ECR ("+aws.ToString(c.Image)+")")
	}
	if d.LogGroup != "" {
		needs = append(needs, "it logs with awslogs to "+d.LogGroup)
	}
	if len(needs) == 0 {
		return nil
	}
	return problemAt(ArgExecutionRoleArn, "Execution Role Required",
		"On Fargate the migration task needs a task execution role because %s, and the environment's task definition has none (Elastic Beanstalk adds none unless the Dockerrun.aws.json sets executionRoleArn). "+
			"Set task.execution_role_arn to a role with the AmazonECSTaskExecutionRolePolicy managed policy, or run on EC2 (task.launch_type = \"EC2\").",
		strings.Join(needs, " and "))
}

// checkContainerCPU: a container may not reserve more CPU than its task has.
func checkContainerCPU(d *Derived) error {
	task := aws.ToString(d.Input.Cpu)
	c := d.Input.ContainerDefinitions[0]
	if task == "" || c.Cpu == 0 {
		return nil
	}
	units, err := strconv.Atoi(task)
	if err != nil {
		return nil //nolint:nilerr // a task size in vCPU ("1 vCPU") is left to ECS to compare
	}
	if int(c.Cpu) <= units {
		return nil
	}
	return problemAt(ArgCPU, "Container CPU Above Task CPU",
		"The migration container reserves %d CPU units but its task has %s; ECS refuses a container larger than its task. Set container.cpu to at most %s, or raise the task size (on Fargate, container.cpu and container.memory size the task).",
		c.Cpu, task, task)
}

// bundleMountedCode warns when a migration of a version that is not deployed
// would read code from the deployed bundle: /var/app/current on the
// instances holds the deployed version's source bundle, not the new one.
func bundleMountedCode(t *Target, d *Derived, version string) string {
	if version == "" || version == t.VersionLabel {
		return ""
	}
	c := d.Input.ContainerDefinitions[0]
	for _, mp := range c.MountPoints {
		for _, v := range d.Input.Volumes {
			if aws.ToString(v.Name) != aws.ToString(mp.SourceVolume) || v.Host == nil {
				continue
			}
			if src := aws.ToString(v.Host.SourcePath); src == "/var/app/current" || strings.HasPrefix(src, "/var/app/current/") {
				return fmt.Sprintf("The migration container mounts %s (volume %q) at %s. That is the deployed version's (%s) source bundle, not version %s's: if the migrations or code live there, the migration runs the deployed code. Build the code into the image, or run the migration after the deploy.",
					src, aws.ToString(v.Name), aws.ToString(mp.ContainerPath), t.VersionLabel, version)
			}
		}
	}
	return ""
}

// checkLogGroup checks the configured awslogs group the migration writes
// to. ECS documents two options that change what "missing" means (ECS
// developer guide, "Using the awslogs log driver"): awslogs-create-group
// "true" has the driver create the group (the role that writes the logs
// needs logs:CreateLogGroup), and awslogs-region names the Region the group
// is in, which may not be the provider's: the group cannot be checked, nor
// its lines read, with this Region's client.
func checkLogGroup(ctx context.Context, c Clients, t *Target, d *Derived, atPlan bool) ([]string, error) {
	if d.LogGroup == "" || d.DefaultLogGroup || c.Logs == nil {
		return nil, nil
	}
	opts := map[string]string{}
	if lc := d.Input.ContainerDefinitions[0].LogConfiguration; lc != nil {
		opts = lc.Options
	}
	if region := opts["awslogs-region"]; region != "" && c.Region != "" && region != c.Region {
		return []string{fmt.Sprintf("The migration container logs to CloudWatch Logs group %s in Region %s (awslogs-region), not the provider's Region %s: the provider neither checks that group nor shows its lines. Set logs.group to log in %s, or read the output in %s.", d.LogGroup, region, c.Region, c.Region, region)}, nil
	}
	exists, err := LogGroupExists(ctx, c.Logs, d.LogGroup)
	if err != nil || exists {
		return nil, err
	}
	if opts["awslogs-create-group"] == "true" {
		return []string{fmt.Sprintf("CloudWatch Logs group %s does not exist yet: the container's awslogs-create-group asks the awslogs driver to create it when the task starts, which needs logs:CreateLogGroup for the role that writes the logs (the task execution role, or the instance profile on EC2).", d.LogGroup)}, nil
	}
	msg := fmt.Sprintf("The migration container logs to CloudWatch Logs group %s, which does not exist: the task cannot start without it (the container's awslogs options do not set awslogs-create-group). Create it (aws_cloudwatch_log_group), set awslogs-create-group to \"true\" in the container's awslogs options, or leave logs.group unset to use %s, which the provider creates.", d.LogGroup, DefaultLogGroup(t.EnvironmentName))
	if !atPlan {
		return nil, problem("Log Group Not Found", "%s", msg)
	}
	return []string{msg}, nil
}
