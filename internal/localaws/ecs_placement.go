package localaws

import (
	"slices"
)

// Placement of a task on the cluster's container instances.

func (s *Server) someInstance(c *cluster) string {
	if len(c.instances) > 0 {
		return c.instances[0]
	}
	return c.arn
}

// placeOnInstance picks the container instance with the fewest tasks whose
// static host ports are free, or "" when there is none.
func (s *Server) placeOnInstance(c *cluster, td *taskDef) string {
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
	best, bestCount := "", -1
	for _, inst := range c.instances {
		count, clash := 0, false
		for _, t := range s.taskOrder {
			// A task being stopped gives up its ports, as EB's deploys assume.
			if t.instance != inst || t.stopped() || t.desiredStatus == "STOPPED" {
				continue
			}
			count++
			for _, cd := range t.td.containers {
				for _, p := range cd.PortMappings {
					if (p.HostPort != 0 && slices.Contains(want, p.HostPort)) ||
						(t.td.networkMode == "host" && slices.Contains(want, p.ContainerPort)) {
						clash = true
					}
				}
			}
		}
		if !clash && (bestCount < 0 || count < bestCount) {
			best, bestCount = inst, count
		}
	}
	return best
}
