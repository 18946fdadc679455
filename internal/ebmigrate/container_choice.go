package ebmigrate

import (
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// defaultContainer picks the migration container among several essential
// ones, as a person reading the Dockerrun would: the one the others reach
// (links, dependsOn) — in AWS's own Dockerrun v2 example the proxy links to
// the app — else the one that publishes no host port (proxies do). It
// returns "" when that still leaves more than one.
func defaultContainer(td *ecstypes.TaskDefinition, essential []string) string {
	reached := map[string]bool{}
	for _, c := range td.ContainerDefinitions {
		self := aws.ToString(c.Name)
		for _, l := range c.Links {
			if target, _, _ := strings.Cut(l, ":"); target != self {
				reached[target] = true
			}
		}
		for _, d := range c.DependsOn {
			if target := aws.ToString(d.ContainerName); target != self {
				reached[target] = true
			}
		}
	}
	if one := only(essential, func(n string) bool { return reached[n] }); one != "" {
		return one
	}
	awsvpcOrHost := td.NetworkMode == ecstypes.NetworkModeAwsvpc || td.NetworkMode == ecstypes.NetworkModeHost
	publishes := func(n string) bool {
		i := slices.IndexFunc(td.ContainerDefinitions, func(c ecstypes.ContainerDefinition) bool { return aws.ToString(c.Name) == n })
		for _, p := range td.ContainerDefinitions[i].PortMappings {
			// In awsvpc and host mode every mapped port is a host port.
			if awsvpcOrHost || aws.ToInt32(p.HostPort) != 0 {
				return true
			}
		}
		return false
	}
	return only(essential, func(n string) bool { return !publishes(n) })
}

// only is the one name that satisfies ok, or "".
func only(names []string, ok func(string) bool) string {
	found := ""
	for _, n := range names {
		if ok(n) {
			if found != "" {
				return ""
			}
			found = n
		}
	}
	return found
}
