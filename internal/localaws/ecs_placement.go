package localaws

import (
	"encoding/json"
	"slices"
	"strconv"
)

// Placement of a task on the cluster's container instances: by free
// memory, CPU and static host ports, as ECS places EC2 tasks. A task that
// fits nowhere gets ECS's failure reason (RunTask failures[]: "RESOURCE:CPU",
// "RESOURCE:MEMORY", "RESOURCE:PORTS"; ECS API reference, API failure reasons).

// A t3.small has 2 vCPUs (2048 CPU units) and 2 GiB, of which ECS registers
// a little less for tasks (the OS and the agent keep the rest).
const (
	defaultInstanceMemoryMB = 1900
	defaultInstanceCPU      = 2048
)

func orDefaultInt(v, d int) int {
	if v <= 0 {
		return d
	}
	return v
}

func (s *Server) someInstance(c *cluster) string {
	if len(c.instances) > 0 {
		return c.instances[0]
	}
	return c.arn
}

// reservation is what a task reserves on its instance: the task-level cpu
// and memory when set, else the sum over its containers of cpu and of
// memoryReservation (the soft limit) or memory (the hard limit), with the
// RunTask overrides applied.
func reservation(td *taskDef, overrides json.RawMessage) (memory, cpu int) {
	var ov taskOverrides
	_ = json.Unmarshal(overrides, &ov)
	for _, cd := range td.containers {
		mem, res, c := cd.Memory, cd.MemoryReservation, cd.Cpu
		for _, o := range ov.ContainerOverrides {
			if o.Name != cd.Name {
				continue
			}
			if o.Memory != nil {
				mem = o.Memory
			}
			if o.MemoryReservation != nil {
				res = o.MemoryReservation
			}
			if o.Cpu != nil {
				c = *o.Cpu
			}
		}
		switch {
		case res != nil:
			memory += *res
		case mem != nil:
			memory += *mem
		}
		cpu += c
	}
	if v := taskLevel(td.body["memory"], ov.Memory); v > 0 {
		memory = v
	}
	if v := taskLevel(td.body["cpu"], ov.Cpu); v > 0 {
		cpu = v
	}
	return memory, cpu
}

// taskLevel reads a task-level cpu or memory ("1024" or 1024), an override first.
func taskLevel(v any, override string) int {
	if n, err := strconv.Atoi(override); err == nil {
		return n
	}
	switch x := v.(type) {
	case string:
		n, _ := strconv.Atoi(x)
		return n
	case float64:
		return int(x)
	}
	return 0
}

// hostPorts are the static host ports a task holds.
func hostPorts(td *taskDef) []int {
	var want []int
	if td.networkMode == "bridge" || td.networkMode == "host" {
		for _, cd := range td.containers {
			for _, p := range cd.PortMappings {
				hp := p.HostPort
				if td.networkMode == "host" && hp == 0 {
					hp = p.ContainerPort
				}
				if hp != 0 {
					want = append(want, hp)
				}
			}
		}
	}
	return want
}

// placeOnInstance picks the container instance with the fewest tasks that
// has the memory, CPU and static host ports the task needs, or "" and the
// reason none has.
func (s *Server) placeOnInstance(c *cluster, candidates []int, td *taskDef, overrides json.RawMessage) (string, string) {
	want := hostPorts(td)
	needMem, needCPU := reservation(td, overrides)
	best, bestCount := "", -1
	short := map[string]bool{}
	for _, i := range candidates {
		inst := c.instances[i]
		count, usedMem, usedCPU := 0, 0, 0
		var used []int
		for _, t := range s.taskOrder {
			// A task being stopped gives up its resources, as EB's deploys assume.
			if t.instance != inst || t.stopped() || t.desiredStatus == "STOPPED" {
				continue
			}
			count++
			m, cpu := reservation(t.td, t.overrides)
			usedMem += m
			usedCPU += cpu
			used = append(used, hostPorts(t.td)...)
		}
		switch {
		case usedMem+needMem > s.instanceMemory:
			short["RESOURCE:MEMORY"] = true
		case usedCPU+needCPU > s.instanceCPU:
			short["RESOURCE:CPU"] = true
		case slices.ContainsFunc(want, func(p int) bool { return slices.Contains(used, p) }):
			short["RESOURCE:PORTS"] = true
		case bestCount < 0 || count < bestCount:
			best, bestCount = inst, count
		}
	}
	if best != "" {
		return best, ""
	}
	for _, r := range []string{"RESOURCE:MEMORY", "RESOURCE:CPU", "RESOURCE:PORTS"} {
		if short[r] {
			return "", r
		}
	}
	return "", "RESOURCE:PORTS"
}
