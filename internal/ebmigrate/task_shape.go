package ebmigrate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// What RegisterTaskDefinition or RunTask would refuse in a derived
// definition, said before anything is registered, naming the setting.

// fargateSizes are Fargate's task sizes: CPU units to the memory (MiB)
// allowed with them, from first to last in steps. Source: ECS developer
// guide, "Amazon ECS task definition parameters for Fargate", Task size
// table (and botocore ecs RegisterTaskDefinitionRequest.cpu/memory).
var fargateSizes = map[int]struct{ from, to, step int }{
	256:   {512, 2048, 512}, // 512 MiB, 1 GB or 2 GB: 1536 is not offered
	512:   {1024, 4096, 1024},
	1024:  {2048, 8192, 1024},
	2048:  {4096, 16384, 1024},
	4096:  {8192, 30720, 1024},
	8192:  {16384, 61440, 4096},
	16384: {32768, 122880, 8192},
}

// Fargate's task size when container.cpu and container.memory leave it
// unset (the smallest size).
const (
	FargateDefaultCPU    = 256
	FargateDefaultMemory = 512
)

// FargateSizeProblem says what is wrong with a Fargate task of units CPU
// units and mib MiB, and which argument (ArgCPU or ArgMemory) to change; ""
// when Fargate offers that size. The configuration alone decides it, so it
// is checked at validate as well as before registering.
func FargateSizeProblem(units, mib int) (arg, msg string) {
	size, ok := fargateSizes[units]
	if !ok {
		return ArgCPU, fmt.Sprintf("container.cpu = %d is not a Fargate task size: use 256, 512, 1024, 2048, 4096, 8192 or 16384 CPU units.", units)
	}
	if mib < size.from || mib > size.to || (mib-size.from)%size.step != 0 || (units == 256 && mib == 1536) {
		steps := fmt.Sprintf("%d to %d MiB in steps of %d", size.from, size.to, size.step)
		if units == 256 {
			steps = "512, 1024 or 2048 MiB"
		}
		return ArgMemory, fmt.Sprintf("container.memory = %d does not go with container.cpu = %d on Fargate (container.cpu defaults to %d and container.memory to %d): with %d CPU units memory is %s. Change container.memory (or container.cpu).",
			mib, units, FargateDefaultCPU, FargateDefaultMemory, units, steps)
	}
	return "", ""
}

// PlatformVersionBelow tells whether v, a Fargate platform version x.y.z,
// is below floor (major, minor, patch); LATEST, or anything else that is not
// x.y.z, is not.
func PlatformVersionBelow(v string, floor ...int) bool {
	parts := strings.Split(v, ".")
	if len(parts) != len(floor) {
		return false
	}
	for i, s := range parts {
		n, err := strconv.Atoi(s)
		if err != nil {
			return false
		}
		if n != floor[i] {
			return n < floor[i]
		}
	}
	return false
}

// TaskSizePlatformProblem says why a Fargate task of units CPU units cannot
// run on platform version v ("" when it can): the 8 and 16 vCPU sizes each
// require "Linux platform 1.4.0 or later" (botocore ecs
// RegisterTaskDefinitionRequest.memory); Elastic Beanstalk's ECS platform
// runs Linux containers.
func TaskSizePlatformProblem(units int, v string) string {
	if units != 8192 && units != 16384 || !PlatformVersionBelow(v, 1, 4, 0) {
		return ""
	}
	return fmt.Sprintf("task.platform_version = %q is too old for container.cpu = %d: Fargate offers tasks of 8 and 16 vCPU (8192 and 16384 CPU units) on Linux platform version 1.4.0 or later only. "+
		"Set task.platform_version = \"1.4.0\" or \"LATEST\" (or remove it), or a smaller container.cpu.", v, units)
}

// checkFargateSize refuses a cpu/memory pair Fargate does not offer. Sizes
// written with units ("1 vCPU", "2 GB") are left to ECS.
func checkFargateSize(cpu, memory string) error {
	units, err1 := strconv.Atoi(cpu)
	mib, err2 := strconv.Atoi(memory)
	if err1 != nil || err2 != nil {
		return nil //nolint:nilerr // a size with units ("1 vCPU", "2 GB") is left to ECS
	}
	if arg, msg := FargateSizeProblem(units, mib); msg != "" {
		return problemAt(arg, "Invalid Fargate Task Size", "%s", msg)
	}
	return nil
}

// ContainerMemoryProblem is why a container's memory (the hard limit, MiB)
// cannot go with its memoryReservation (the soft limit), "" when it can or
// either is unset (0): botocore ecs ContainerDefinition.memoryReservation:
// "If you specify both, memory must be greater than memoryReservation"
// (equal values are taken, as awsdocs/amazon-ecs-developer-guide#242
// reports). The resources
// package says it at validate when the configuration sets both.
func ContainerMemoryProblem(hard, soft int) string {
	if hard <= 0 || soft <= 0 || hard >= soft {
		return ""
	}
	return fmt.Sprintf("The migration container's memory (hard limit) of %d MiB is below its memoryReservation (soft limit) of %d MiB, and ECS refuses that; they are container.memory and container.memory_reservation, or the environment's task definition's where unset. "+
		"Set container.memory to at least %d, or container.memory_reservation lower.", hard, soft, soft)
}

// checkContainerMemory: botocore ecs ContainerDefinition.memoryReservation:
// "If you specify both, memory must be greater than memoryReservation"; and
// on Fargate the task's memory must hold the container.
func checkContainerMemory(in *ecs.RegisterTaskDefinitionInput, fargate bool) error {
	c := in.ContainerDefinitions[0]
	hard, soft := aws.ToInt32(c.Memory), aws.ToInt32(c.MemoryReservation)
	if msg := ContainerMemoryProblem(int(hard), int(soft)); msg != "" {
		return problemAt(ArgMemory, "Container Memory Below Reservation", "%s", msg)
	}
	task, err := strconv.Atoi(aws.ToString(in.Memory))
	if !fargate || err != nil {
		return nil //nolint:nilerr // a size with units is left to ECS
	}
	if m := max(hard, soft); int(m) > task {
		return problemAt(ArgMemory, "Container Memory Above Task Memory",
			"The migration container needs %d MiB (memory or memoryReservation) but its Fargate task has %d MiB. Set container.memory (the task size) to at least %d with a matching container.cpu, or give the container less.", m, task, m)
	}
	return nil
}

// checkContainerFields refuses container fields that the task's network
// mode or Fargate does not support. Sources: botocore ecs
// ContainerDefinition: hostname "The hostname parameter is not supported if
// you're using the awsvpc network mode"; extraHosts "This parameter isn't
// supported for Windows containers or tasks that use the awsvpc network
// mode"; privileged "This parameter is not supported ... for tasks run on
// Fargate"; dockerSecurityOptions "This field isn't valid for containers in
// tasks using the Fargate launch type"; links "only supported if the network
// mode of a task definition is bridge"; LinuxParameters.devices,
// sharedMemorySize, maxSwap and swappiness "If you're using tasks that use
// the Fargate launch type, the ... parameter isn't supported";
// KernelCapabilities.add "Tasks launched on Fargate only support adding the
// SYS_PTRACE kernel capability". The ECS developer guide, "Amazon ECS on AWS
// Fargate", Task definitions, adds disableNetworking, dnsSearchDomains,
// dnsServers and gpu to the parameters "not valid in Fargate tasks", and
// linuxParameters' tmpfs to those "not supported".
func checkContainerFields(in *ecs.RegisterTaskDefinitionInput, fargate bool, src string) error {
	c := in.ContainerDefinitions[0]
	awsvpc := in.NetworkMode == ecstypes.NetworkModeAwsvpc
	var refused []string
	where := "the awsvpc network mode"
	if fargate {
		where = "Fargate (awsvpc)"
	}
	if awsvpc && aws.ToString(c.Hostname) != "" {
		refused = append(refused, "hostname")
	}
	if awsvpc && len(c.ExtraHosts) > 0 {
		refused = append(refused, "extraHosts")
	}
	if in.NetworkMode != "" && in.NetworkMode != ecstypes.NetworkModeBridge && len(c.Links) > 0 {
		refused = append(refused, "links")
	}
	if fargate {
		refused = append(refused, fargateRefused(c)...)
	}
	if len(refused) == 0 {
		return nil
	}
	advice := "Remove them from the container in the Dockerrun.aws.json (or use another task.task_definition)"
	if fargate {
		advice += ", or run the migration on EC2 (task.launch_type = \"EC2\")"
	}
	return problem("Container Setting Not Supported",
		"Container %q of task definition %s sets %s, which %s does not support: ECS would refuse the migration's task definition. %s.",
		aws.ToString(c.Name), src, strings.Join(refused, ", "), where, advice)
}

// fargateRefused names the container's fields Fargate does not support
// (sources: checkContainerFields).
func fargateRefused(c ecstypes.ContainerDefinition) []string {
	var refused []string
	add := func(set bool, field string) {
		if set {
			refused = append(refused, field)
		}
	}
	add(aws.ToBool(c.Privileged), "privileged")
	add(len(c.DockerSecurityOptions) > 0, "dockerSecurityOptions")
	add(aws.ToBool(c.DisableNetworking), "disableNetworking")
	add(len(c.DnsServers) > 0, "dnsServers")
	add(len(c.DnsSearchDomains) > 0, "dnsSearchDomains")
	add(slices.ContainsFunc(c.ResourceRequirements, func(r ecstypes.ResourceRequirement) bool { return r.Type == ecstypes.ResourceTypeGpu }), "resourceRequirements (GPU)")
	if lp := c.LinuxParameters; lp != nil {
		add(len(lp.Devices) > 0, "linuxParameters.devices")
		add(lp.SharedMemorySize != nil, "linuxParameters.sharedMemorySize")
		add(lp.MaxSwap != nil, "linuxParameters.maxSwap")
		add(lp.Swappiness != nil, "linuxParameters.swappiness")
		add(len(lp.Tmpfs) > 0, "linuxParameters.tmpfs")
		if lp.Capabilities != nil {
			add(slices.ContainsFunc(lp.Capabilities.Add, func(cp string) bool { return cp != "SYS_PTRACE" }), "linuxParameters.capabilities.add (other than SYS_PTRACE)")
		}
	}
	return refused
}

// checkPlatformVersion: botocore ecs RunTaskRequest.platformVersion: "A
// platform version is only specified for tasks hosted on Fargate"; with the
// EC2 launch type RunTask answers "The platform version must be null when
// specifying an EC2 launch type".
func checkPlatformVersion(p Placement) error {
	if p.PlatformVersion == "" || p.Fargate() {
		return nil
	}
	on := "neither task.launch_type nor task.capacity_provider_strategy is set, and the cluster runs tasks on its instances"
	switch {
	case p.LaunchType != "":
		on = fmt.Sprintf("task.launch_type = %q", p.LaunchType)
	case len(p.CapacityProvider) > 0:
		on = "only Auto Scaling group capacity providers, in task.capacity_provider_strategy or the cluster's default strategy"
	}
	return problemAt(ArgPlatformVersion, "Platform Version Only On Fargate", "%s", PlatformVersionOnEC2Problem(p.PlatformVersion, on))
}

// PlatformVersionOnEC2Problem is why platform version v is refused for a
// task that runs on EC2, as on says; the resources package says it at
// validate when the configuration alone decides.
func PlatformVersionOnEC2Problem(v, on string) string {
	return fmt.Sprintf("task.platform_version = %q is set and the migration runs on EC2 (%s): ECS takes a platform version only for Fargate tasks. Remove task.platform_version, or run on Fargate (task.launch_type = \"FARGATE\").", v, on)
}

// checkReservedTags: botocore ecs Tag: "Do not use aws:, AWS:, or any upper or
// lowercase combination of such as a prefix for either keys or values as it
// is reserved for Amazon Web Services use". RegisterTaskDefinition and
// RunTask refuse them; the provider's default_tags reach here too.
func checkReservedTags(tags map[string]string) error {
	for k, v := range tags {
		if strings.HasPrefix(strings.ToLower(k), "aws:") || strings.HasPrefix(strings.ToLower(v), "aws:") {
			return problemAt(ArgTags, "Reserved Tag Prefix",
				"Tag %q (from tags or the provider's default_tags) has a key or value starting with aws:, which AWS reserves in any case: ECS would refuse the migration's task definition and task. Choose another key or value.", k)
		}
	}
	return nil
}
