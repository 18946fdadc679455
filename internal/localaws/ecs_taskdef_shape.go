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
// Fargate"), LinuxParameters.devices and .sharedMemorySize ("If you're using
// tasks that use the Fargate launch type, the ... parameter isn't supported").
func containerShapeProblem(c containerDef, awsvpc, fargate bool) string {
	switch {
	case awsvpc && c.Hostname != "":
		return "The hostname parameter is not supported when networkMode=awsvpc (container " + c.Name + ")."
	case awsvpc && hasItems(c.ExtraHosts):
		return "The extraHosts parameter is not supported when networkMode=awsvpc (container " + c.Name + ")."
	case fargate && c.Privileged:
		return "The privileged parameter is not supported on Fargate (container " + c.Name + ")."
	case fargate && c.LinuxParameters != nil && hasItems(c.LinuxParameters.Devices):
		return "The devices parameter is not supported on Fargate (container " + c.Name + ")."
	case fargate && c.LinuxParameters != nil && c.LinuxParameters.SharedMemorySize != nil:
		return "The sharedMemorySize parameter is not supported on Fargate (container " + c.Name + ")."
	}
	return ""
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
