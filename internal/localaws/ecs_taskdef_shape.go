package localaws

import (
	"encoding/json"
	"strconv"
)

// containerShapeProblem is what RegisterTaskDefinition answers a container
// field that the network mode or Fargate does not support. Sources: botocore
// ecs ContainerDefinition.hostname ("not supported if you're using the awsvpc
// network mode"), .extraHosts ("isn't supported for ... tasks that use the
// awsvpc network mode"), .privileged ("not supported ... for tasks run on
// Fargate"), .dockerSecurityOptions ("This field isn't valid for containers
// in tasks using the Fargate launch type"), LinuxParameters.devices,
// .sharedMemorySize, .maxSwap and .swappiness ("If you're using tasks that
// use the Fargate launch type, the ... parameter isn't supported"),
// KernelCapabilities.add ("Tasks launched on Fargate only support adding the
// SYS_PTRACE kernel capability"); and the ECS developer guide, "Amazon ECS on
// AWS Fargate", Task definitions: "The following task definition parameters
// are not valid in Fargate tasks: disableNetworking, dnsSearchDomains,
// dnsServers, dockerSecurityOptions, extraHosts, gpu, ipcMode, links, pidMode,
// placementConstraints, privileged, ... maxSwap, swappiness", and for
// linuxParameters "The devices, sharedMemorySize, and tmpfs parameters are
// not supported". The messages are localaws's own wording.
func containerShapeProblem(c containerDef, awsvpc, fargate bool) string {
	notOnFargate := func(field string) string {
		return "The " + field + " parameter is not supported on Fargate (container " + c.Name + ")."
	}
	switch {
	case awsvpc && c.Hostname != "":
		return "The hostname parameter is not supported when networkMode=awsvpc (container " + c.Name + ")."
	case awsvpc && hasItems(c.ExtraHosts):
		return "The extraHosts parameter is not supported when networkMode=awsvpc (container " + c.Name + ")."
	case !fargate:
		return ""
	case c.Privileged:
		return notOnFargate("privileged")
	case hasItems(c.DockerSecurityOptions):
		return notOnFargate("dockerSecurityOptions")
	case c.DisableNetworking:
		return notOnFargate("disableNetworking")
	case hasItems(c.DNSServers):
		return notOnFargate("dnsServers")
	case hasItems(c.DNSSearchDomains):
		return notOnFargate("dnsSearchDomains")
	}
	for _, r := range c.ResourceRequirements {
		if r.Type == "GPU" {
			return notOnFargate("GPU resourceRequirements")
		}
	}
	lp := c.LinuxParameters
	switch {
	case lp == nil:
		return ""
	case hasItems(lp.Devices):
		return notOnFargate("devices")
	case lp.SharedMemorySize != nil:
		return notOnFargate("sharedMemorySize")
	case lp.MaxSwap != nil:
		return notOnFargate("maxSwap")
	case lp.Swappiness != nil:
		return notOnFargate("swappiness")
	case hasItems(lp.Tmpfs):
		return notOnFargate("tmpfs")
	}
	if lp.Capabilities != nil {
		for _, cp := range lp.Capabilities.Add {
			if cp != "SYS_PTRACE" {
				return "Tasks launched on Fargate only support adding the SYS_PTRACE kernel capability, not " + cp + " (container " + c.Name + ")."
			}
		}
	}
	return ""
}

// fargateTaskProblem is what RegisterTaskDefinition answers a task-level
// field Fargate refuses: botocore ecs RegisterTaskDefinitionRequest.ipcMode
// ("not supported for ... tasks run on Fargate"), .pidMode ("On Fargate for
// Linux containers, the only valid value is task"),
// Volume.dockerVolumeConfiguration ("Docker volumes aren't supported by
// tasks run on Fargate"), TaskDefinitionPlacementConstraint ("Task placement
// constraints are not supported for tasks run on Fargate"). The messages are
// localaws's own wording.
func fargateTaskProblem(ipcMode, pidMode string, dockerVolumes, constraints bool) string {
	switch {
	case constraints:
		return "Task placement constraints are not supported for tasks run on Fargate (placementConstraints)."
	case ipcMode != "":
		return "The ipcMode parameter is not supported on Fargate."
	case pidMode == "host":
		return "On Fargate for Linux containers, the only valid pidMode is task."
	case dockerVolumes:
		return "Docker volumes (dockerVolumeConfiguration) are not supported on Fargate."
	}
	return ""
}

// fargateShapeOK: a definition registered without requiresCompatibilities
// is FARGATE-compatible only when no container sets what Fargate refuses.
func fargateShapeOK(containers []containerDef) bool {
	for _, c := range containers {
		if containerShapeProblem(c, true, true) != "" {
			return false
		}
	}
	return true
}

func hasItems(raw json.RawMessage) bool {
	var items []any
	return json.Unmarshal(raw, &items) == nil && len(items) > 0
}

// fargateSize tells whether cpu/memory is one of Fargate's task sizes (ECS
// developer guide, "Amazon ECS task definition parameters for Fargate",
// Task size). Sizes with units ("1 vCPU", "2 GB") are accepted unchecked.
func fargateSize(cpu, memory string) bool {
	units, err1 := strconv.Atoi(cpu)
	mib, err2 := strconv.Atoi(memory)
	if err1 != nil || err2 != nil {
		return true
	}
	inSteps := func(from, to, step int) bool { return mib >= from && mib <= to && (mib-from)%step == 0 }
	switch units {
	case 256:
		return mib == 512 || mib == 1024 || mib == 2048
	case 512:
		return inSteps(1024, 4096, 1024)
	case 1024:
		return inSteps(2048, 8192, 1024)
	case 2048:
		return inSteps(4096, 16384, 1024)
	case 4096:
		return inSteps(8192, 30720, 1024)
	case 8192:
		return inSteps(16384, 61440, 4096)
	case 16384:
		return inSteps(32768, 122880, 8192)
	}
	return false
}
