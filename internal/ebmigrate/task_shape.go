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

// checkContainerMemory: botocore ecs ContainerDefinition.memoryReservation:
// "If you specify both, memory must be greater than memoryReservation"; and
// on Fargate the task's memory must hold the container.
func checkContainerMemory(in *ecs.RegisterTaskDefinitionInput, fargate bool) error {
	c := in.ContainerDefinitions[0]
	hard, soft := aws.ToInt32(c.Memory), aws.ToInt32(c.MemoryReservation)
	if hard > 0 && soft > 0 && hard < soft {
		return problemAt(ArgMemory, "Container Memory Below Reservation",
			"The migration container's memory (%d MiB) is below its memoryReservation (%d MiB, from the environment's task definition unless container.memory_reservation is set); ECS refuses that. Set container.memory to at least %d, or set container.memory_reservation lower.",
			hard, soft, soft)
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
	on := "EC2 (the environment's cluster runs tasks on its instances)"
	if p.LaunchType != "" {
		on = fmt.Sprintf("task.launch_type = %q", p.LaunchType)
	}
	return problemAt(ArgPlatformVersion, "Platform Version Only On Fargate",
		"task.platform_version = %q is set but the migration runs on %s: ECS takes a platform version only for Fargate tasks. Remove task.platform_version, or run on Fargate (task.launch_type = \"FARGATE\").",
		p.PlatformVersion, on)
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
