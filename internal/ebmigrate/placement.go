package ebmigrate

import (
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Placement is where the migration task runs: launch type or capacity
// providers, and, for awsvpc, its network. The zero value runs it as the
// cluster's default does (EC2 for EB's clusters), in the task definition's
// network mode.
type Placement struct {
	LaunchType       string // "", "EC2" or "FARGATE"
	CapacityProvider []CapacityProvider
	PlatformVersion  string
	// Network overrides the environment's subnets and security groups.
	Network *Network
	// TaskCPU and TaskMemory are the task-level size on Fargate ("256", "512").
	TaskCPU, TaskMemory string
	// ExecuteCommand turns ECS Exec on (RunTask enableExecuteCommand);
	// Constraints and Strategy are RunTask's placement (run_options.go).
	ExecuteCommand bool
	Constraints    []PlacementConstraint
	Strategy       []PlacementStrategy
}

// CapacityProvider is one entry of a capacity provider strategy.
type CapacityProvider struct {
	Name         string
	Weight, Base int32
}

// Network is an awsvpc network configuration.
type Network struct {
	Subnets        []string
	SecurityGroups []string
	// AssignPublicIP nil follows the environment's aws:ec2:vpc
	// AssociatePublicIpAddress.
	AssignPublicIP *bool
}

// Fargate reports whether the task runs on Fargate.
func (p Placement) Fargate() bool {
	if p.LaunchType == "FARGATE" {
		return true
	}
	return slices.ContainsFunc(p.CapacityProvider, func(cp CapacityProvider) bool { return IsFargateProvider(cp.Name) })
}

// makeFargateReady turns a derived registration into one Fargate accepts, or
// says which setting of the source definition blocks it.
func makeFargateReady(in *ecs.RegisterTaskDefinitionInput, p Placement, src string) error {
	c := &in.ContainerDefinitions[0]
	// EB's awseb-logs-<container> volumes are host paths for log files: on
	// Fargate the migration does without them (its output goes to awslogs).
	c.MountPoints = slices.DeleteFunc(c.MountPoints, func(mp ecstypes.MountPoint) bool {
		return strings.HasPrefix(aws.ToString(mp.SourceVolume), "awseb-logs-")
	})
	used := map[string]bool{}
	for _, mp := range c.MountPoints {
		used[aws.ToString(mp.SourceVolume)] = true
	}
	var volumes []ecstypes.Volume
	for _, v := range in.Volumes {
		if !used[aws.ToString(v.Name)] {
			continue // only the dropped containers mounted it
		}
		if v.Host != nil && aws.ToString(v.Host.SourcePath) != "" {
			return problem("Not Possible On Fargate",
				"The migration container mounts volume %q, a host path (%s) in task definition %s, and Fargate has no host paths. Run the migration with task.launch_type = \"EC2\", or use a task definition without it (task.task_definition).",
				aws.ToString(v.Name), aws.ToString(v.Host.SourcePath), src)
		}
		if v.DockerVolumeConfiguration != nil {
			// botocore ecs Volume.dockerVolumeConfiguration: "Docker volumes
			// aren't supported by tasks run on Fargate."
			return problem("Not Possible On Fargate",
				"The migration container mounts volume %q, a Docker volume (dockerVolumeConfiguration) in task definition %s, and Fargate does not support Docker volumes. Run the migration with task.launch_type = \"EC2\", or use a task definition without it (task.task_definition).",
				aws.ToString(v.Name), src)
		}
		volumes = append(volumes, v)
	}
	in.Volumes = volumes
	if len(in.PlacementConstraints) > 0 {
		return problem("Not Possible On Fargate",
			"Task definition %s has placement constraints, which Fargate does not support. Run the migration with task.launch_type = \"EC2\", or use another task.task_definition.", src)
	}
	// botocore ecs RegisterTaskDefinitionRequest.ipcMode: "not supported for
	// ... tasks run on Fargate"; .pidMode: "On Fargate for Linux containers,
	// the only valid value is task".
	if in.IpcMode != "" || in.PidMode == ecstypes.PidModeHost {
		return problem("Not Possible On Fargate",
			"Task definition %s sets ipcMode or the host PID namespace (pidMode), which Fargate does not support. Run the migration with task.launch_type = \"EC2\", or use another task.task_definition.", src)
	}
	addFargateStreamPrefix(c)
	in.NetworkMode = ecstypes.NetworkModeAwsvpc
	in.RequiresCompatibilities = []ecstypes.Compatibility{ecstypes.CompatibilityFargate}
	in.Cpu = aws.String(orDefault(p.TaskCPU, strconv.Itoa(FargateDefaultCPU)))
	memory := p.TaskMemory
	if memory == "" {
		memory = strconv.Itoa(FargateDefaultMemory)
		if m := max(aws.ToInt32(c.Memory), aws.ToInt32(c.MemoryReservation)); m > FargateDefaultMemory {
			return problemAt(ArgMemory, "Task Size Required",
				"On Fargate the task needs a size that holds the container's %d MiB: set container.memory (and container.cpu) to one of Fargate's task sizes, for example container = { memory = 1024, cpu = 512 }.", m)
		}
	}
	in.Memory = aws.String(memory)
	if err := checkFargateSize(aws.ToString(in.Cpu), memory); err != nil {
		return err
	}
	return checkContainerMemory(in, true)
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// ResolveNetwork gives the awsvpc network of a run: the placement's, else
// the environment's own subnets and security groups (IDs: a name fails,
// unless the placement gives security groups of its own).
// It is nil when the task definition does not use awsvpc.
func ResolveNetwork(t *Target, d *Derived, p Placement) (*ecstypes.AwsVpcConfiguration, error) {
	if d.Input.NetworkMode != ecstypes.NetworkModeAwsvpc {
		if p.Network != nil {
			return nil, problemAt(ArgNetwork, "Network Configuration Not Used",
				"task.network_configuration is set, but the migration task uses the %q network mode; only awsvpc tasks (and every Fargate task) take one. Remove it, or run on Fargate.", orDefault(string(d.Input.NetworkMode), "bridge"))
		}
		return nil, nil
	}
	cfg := &ecstypes.AwsVpcConfiguration{Subnets: t.Subnets, AssignPublicIp: ecstypes.AssignPublicIpDisabled}
	if t.AssociatePublicIP {
		// The instances get public IPs: the subnets are public, likely
		// without a NAT, and a task without one could not pull its image.
		cfg.AssignPublicIp = ecstypes.AssignPublicIpEnabled
	}
	var names []string
	for _, sg := range t.SecurityGroups {
		if strings.HasPrefix(sg, "sg-") {
			cfg.SecurityGroups = append(cfg.SecurityGroups, sg)
		} else {
			names = append(names, sg)
		}
	}
	if len(names) > 0 && (p.Network == nil || len(p.Network.SecurityGroups) == 0) {
		// EB accepts security group names in aws:autoscaling:launchconfiguration
		// SecurityGroups; RunTask's awsvpcConfiguration takes only IDs
		// (botocore ecs AwsVpcConfiguration.securityGroups: "The IDs of the
		// security groups"). Dropping the names would run the migration
		// without the groups that may be what lets it reach the database.
		return nil, problem("Security Group Names",
			"Environment %q names security groups by name (%s) in aws:autoscaling:launchconfiguration SecurityGroups, and an awsvpc task takes only security group IDs (sg-…). Set task.network_configuration = { security_groups = [...] } to their IDs, or use IDs in the environment's setting.",
			t.EnvironmentName, strings.Join(names, ", "))
	}
	if n := p.Network; n != nil {
		if len(n.Subnets) > 0 {
			cfg.Subnets = n.Subnets
		}
		if len(n.SecurityGroups) > 0 {
			cfg.SecurityGroups = n.SecurityGroups
		}
		if n.AssignPublicIP != nil {
			cfg.AssignPublicIp = ecstypes.AssignPublicIpDisabled
			if *n.AssignPublicIP {
				cfg.AssignPublicIp = ecstypes.AssignPublicIpEnabled
			}
		}
	}
	if len(cfg.Subnets) == 0 {
		return nil, problem("Subnets Required",
			"The migration task uses the awsvpc network mode (Fargate always does), which needs subnets, and environment %q has none in its aws:ec2:vpc Subnets option. Set task.network_configuration = { subnets = [...] }.",
			t.EnvironmentName)
	}
	cfg.Subnets = slices.Clone(cfg.Subnets)
	return cfg, nil
}

// placeRunTask fills RunTask's launch type, capacity provider strategy,
// platform version and network.
func placeRunTask(in *ecs.RunTaskInput, t *Target, d *Derived, p Placement) error {
	network, err := ResolveNetwork(t, d, p)
	if err != nil {
		return err
	}
	if network != nil {
		in.NetworkConfiguration = &ecstypes.NetworkConfiguration{AwsvpcConfiguration: network}
	}
	if p.LaunchType != "" {
		in.LaunchType = ecstypes.LaunchType(p.LaunchType)
	}
	for _, cp := range p.CapacityProvider {
		in.CapacityProviderStrategy = append(in.CapacityProviderStrategy, ecstypes.CapacityProviderStrategyItem{
			CapacityProvider: aws.String(cp.Name), Weight: cp.Weight, Base: cp.Base,
		})
	}
	// Fargate by the arguments, or by the cluster's default strategy (the
	// derived definition was made Fargate-ready: clusterDefault).
	if p.PlatformVersion != "" && (p.Fargate() || slices.Contains(d.Input.RequiresCompatibilities, ecstypes.CompatibilityFargate)) {
		in.PlatformVersion = aws.String(p.PlatformVersion)
	}
	applyRunTaskOptions(in, p)
	return nil
}
