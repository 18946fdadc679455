package localaws

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ECS task definitions. A registered definition is kept as the JSON the
// caller sent, so that DescribeTaskDefinition gives back every field it was
// given, as ECS does; the fields localaws needs to run tasks are parsed from it.

type family struct {
	name      string
	revisions []*taskDef
}

type taskDef struct {
	family       string
	revision     int
	arn          string
	status       string // ACTIVE, INACTIVE, DELETE_IN_PROGRESS
	body         map[string]any
	containers   []containerDef
	networkMode  string
	compat       []string
	tags         []tag
	registeredAt time.Time
	// visibleAt is when RunTask and DescribeTaskDefinition learn of it.
	visibleAt      time.Time
	registeredBy   string
	deregisteredAt time.Time
}

type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type kv struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type secretRef struct {
	Name      string `json:"name"`
	ValueFrom string `json:"valueFrom"`
}

type portMapping struct {
	ContainerPort int    `json:"containerPort"`
	HostPort      int    `json:"hostPort"`
	Protocol      string `json:"protocol"`
}

type logConfig struct {
	LogDriver string            `json:"logDriver"`
	Options   map[string]string `json:"options"`
}

// containerDef is the part of an ECS container definition that localaws acts on.
type containerDef struct {
	// Fields ECS refuses with awsvpc or on Fargate (containerShapeProblem).
	Hostname              string          `json:"hostname"`
	ExtraHosts            json.RawMessage `json:"extraHosts"`
	Privileged            bool            `json:"privileged"`
	DockerSecurityOptions json.RawMessage `json:"dockerSecurityOptions"`
	DisableNetworking     bool            `json:"disableNetworking"`
	DNSServers            json.RawMessage `json:"dnsServers"`
	DNSSearchDomains      json.RawMessage `json:"dnsSearchDomains"`
	ResourceRequirements  []struct {
		Type string `json:"type"`
	} `json:"resourceRequirements"`
	LinuxParameters *struct {
		Devices          json.RawMessage `json:"devices"`
		SharedMemorySize *int            `json:"sharedMemorySize"`
		MaxSwap          *int            `json:"maxSwap"`
		Swappiness       *int            `json:"swappiness"`
		Tmpfs            json.RawMessage `json:"tmpfs"`
		Capabilities     *struct {
			Add []string `json:"add"`
		} `json:"capabilities"`
	} `json:"linuxParameters"`
	Name              string        `json:"name"`
	Image             string        `json:"image"`
	Essential         *bool         `json:"essential"`
	EntryPoint        []string      `json:"entryPoint"`
	Command           []string      `json:"command"`
	Environment       []kv          `json:"environment"`
	Secrets           []secretRef   `json:"secrets"`
	WorkingDirectory  string        `json:"workingDirectory"`
	Memory            *int          `json:"memory"`
	MemoryReservation *int          `json:"memoryReservation"`
	Cpu               int           `json:"cpu"`
	PortMappings      []portMapping `json:"portMappings"`
	Links             []string      `json:"links"`
	VolumesFrom       []struct {
		SourceContainer string `json:"sourceContainer"`
	} `json:"volumesFrom"`
	DependsOn []struct {
		ContainerName string `json:"containerName"`
	} `json:"dependsOn"`
	LogConfiguration      *logConfig `json:"logConfiguration"`
	RepositoryCredentials *struct {
		CredentialsParameter string `json:"credentialsParameter"`
	} `json:"repositoryCredentials"`
}

func (c containerDef) essential() bool { return c.Essential == nil || *c.Essential }

var nameRe = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,255}$`)

// registerTaskDefinition validates a RegisterTaskDefinition body as ECS does
// and stores it as the family's next revision.
func (s *Server) registerTaskDefinition(raw []byte, registeredBy string) (*taskDef, error) {
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, clientErr("SerializationException", "could not parse request body: %v", err)
	}
	var head struct {
		Family                  string         `json:"family"`
		ContainerDefinitions    []containerDef `json:"containerDefinitions"`
		NetworkMode             string         `json:"networkMode"`
		RequiresCompatibilities []string       `json:"requiresCompatibilities"`
		Cpu                     string         `json:"cpu"`
		Memory                  string         `json:"memory"`
		ExecutionRoleArn        string         `json:"executionRoleArn"`
		IpcMode                 string         `json:"ipcMode"`
		PidMode                 string         `json:"pidMode"`
		PlacementConstraints    []any          `json:"placementConstraints"`
		Volumes                 []struct {
			Name string `json:"name"`
			Host *struct {
				SourcePath string `json:"sourcePath"`
			} `json:"host"`
			DockerVolumeConfiguration json.RawMessage `json:"dockerVolumeConfiguration"`
		} `json:"volumes"`
		Tags []tag `json:"tags"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, clientErr("SerializationException", "could not parse request body: %v", err)
	}
	if err := validateTags(head.Tags); err != nil {
		return nil, err
	}
	if !nameRe.MatchString(head.Family) {
		return nil, clientErr("ClientException", "Family contains invalid characters or is empty: %q. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.", head.Family)
	}
	if len(head.ContainerDefinitions) == 0 {
		return nil, clientErr("ClientException", "Container list cannot be empty.")
	}
	mode := head.NetworkMode
	if mode == "" {
		mode = "bridge"
	}
	if !slices.Contains([]string{"bridge", "host", "awsvpc", "none"}, mode) {
		return nil, clientErr("ClientException", "Invalid networkMode %q.", head.NetworkMode)
	}
	fargate := slices.Contains(head.RequiresCompatibilities, "FARGATE")
	names := map[string]bool{}
	anyEssential := false
	for _, c := range head.ContainerDefinitions {
		if !nameRe.MatchString(c.Name) {
			return nil, clientErr("ClientException", "Container.name contains invalid characters or is empty: %q.", c.Name)
		}
		if names[c.Name] {
			return nil, clientErr("ClientException", "Duplicate container name %q.", c.Name)
		}
		names[c.Name] = true
		if strings.TrimSpace(c.Image) == "" {
			return nil, clientErr("ClientException", "Container.image should not be null or empty.")
		}
		anyEssential = anyEssential || c.essential()
		if c.Memory == nil && c.MemoryReservation == nil && head.Memory == "" {
			return nil, clientErr("ClientException", "Invalid setting for container '%s'. At least one of 'memory' or 'memoryReservation' must be specified.", c.Name)
		}
		// botocore ecs ContainerDefinition.memoryReservation: "If you specify
		// both, memory must be greater than memoryReservation"; equal values
		// are taken (reported in awsdocs/amazon-ecs-developer-guide#242,
		// which asked the guide to say "greater than or equal to"). The
		// message is localaws's own wording.
		if c.Memory != nil && c.MemoryReservation != nil && *c.Memory < *c.MemoryReservation {
			return nil, clientErr("ClientException", "Invalid setting for container '%s'. The 'memory' value must be greater than or equal to the 'memoryReservation' value.", c.Name)
		}
		for _, e := range c.Environment {
			if e.Name == "" {
				return nil, clientErr("ClientException", "Environment variable name in container '%s' should not be null or empty.", c.Name)
			}
		}
		for _, sec := range c.Secrets {
			if sec.Name == "" || sec.ValueFrom == "" {
				return nil, clientErr("ClientException", "Secrets in container '%s' need a name and a valueFrom.", c.Name)
			}
			if head.ExecutionRoleArn == "" {
				return nil, clientErr("ClientException", "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.")
			}
		}
		if msg := containerShapeProblem(c, mode == "awsvpc", fargate); msg != "" {
			return nil, clientErr("ClientException", "%s", msg)
		}
		if len(c.Links) > 0 && mode != "bridge" {
			return nil, clientErr("ClientException", "Links are not supported when networkMode=%s.", mode)
		}
		for _, p := range c.PortMappings {
			if mode == "awsvpc" && p.HostPort != 0 && p.HostPort != p.ContainerPort {
				return nil, clientErr("ClientException", "When networkMode=awsvpc, the host ports and container ports in port mappings must match.")
			}
		}
	}
	for _, c := range head.ContainerDefinitions {
		for _, l := range c.Links {
			target, _, _ := strings.Cut(l, ":")
			if !names[target] {
				return nil, clientErr("ClientException", "Linked container '%s' doesn't exist.", target)
			}
		}
		for _, v := range c.VolumesFrom {
			if !names[v.SourceContainer] {
				return nil, clientErr("ClientException", "Container '%s' in volumesFrom of container '%s' doesn't exist.", v.SourceContainer, c.Name)
			}
		}
		for _, d := range c.DependsOn {
			if !names[d.ContainerName] {
				return nil, clientErr("ClientException", "Container '%s' in dependsOn of container '%s' doesn't exist.", d.ContainerName, c.Name)
			}
		}
	}
	if !anyEssential {
		return nil, clientErr("ClientException", "At least one essential container is required.")
	}
	hostVolumes, dockerVolumes := false, false
	for _, v := range head.Volumes {
		hostVolumes = hostVolumes || (v.Host != nil && v.Host.SourcePath != "")
		dockerVolumes = dockerVolumes || len(v.DockerVolumeConfiguration) > 0 && string(v.DockerVolumeConfiguration) != "null"
	}
	logsProblem := fargateLogsProblem(head.ContainerDefinitions)
	taskProblem := fargateTaskProblem(head.IpcMode, head.PidMode, dockerVolumes, len(head.PlacementConstraints) > 0)
	fargateOK := mode == "awsvpc" && head.Cpu != "" && head.Memory != "" && !hostVolumes && logsProblem == "" && taskProblem == "" && fargateShapeOK(head.ContainerDefinitions)
	if fargate {
		switch {
		case taskProblem != "":
			return nil, clientErr("ClientException", "%s", taskProblem)
		case logsProblem != "":
			return nil, clientErr("ClientException", "%s", logsProblem)
		case mode != "awsvpc":
			return nil, clientErr("ClientException", "Fargate only supports network mode 'awsvpc'.")
		case head.Cpu == "" || head.Memory == "":
			return nil, clientErr("ClientException", "Fargate requires that 'cpu' be defined at the task level.")
		case hostVolumes:
			return nil, clientErr("ClientException", "Host path volumes are not supported with Fargate.")
		case !fargateSize(head.Cpu, head.Memory):
			return nil, clientErr("ClientException", "No Fargate configuration exists for given values: %s CPU, %s memory. See the Amazon ECS documentation for the valid values.", head.Cpu, head.Memory)
		}
	}
	delete(body, "tags")
	for _, c := range body["containerDefinitions"].([]any) {
		if m, ok := c.(map[string]any); ok {
			if _, ok := m["essential"]; !ok {
				m["essential"] = true
			}
		}
	}
	f := s.families[head.Family]
	if f == nil {
		f = &family{name: head.Family}
		s.families[head.Family] = f
	}
	rev := len(f.revisions) + 1
	td := &taskDef{
		family:       head.Family,
		revision:     rev,
		arn:          s.arn("ecs", fmt.Sprintf("task-definition/%s:%d", head.Family, rev)),
		status:       "ACTIVE",
		body:         body,
		containers:   head.ContainerDefinitions,
		networkMode:  mode,
		compat:       []string{"EC2"},
		tags:         head.Tags,
		registeredAt: time.Now(),
		registeredBy: registeredBy,
	}
	if fargateOK {
		td.compat = append(td.compat, "FARGATE")
	}
	f.revisions = append(f.revisions, td)
	return td, nil
}

func validateTags(tags []tag) error {
	if len(tags) > 50 {
		return clientErr("InvalidParameterException", "A resource can have at most 50 tags.")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return clientErr("InvalidParameterException", "Tag keys must be 1 to 128 characters and values at most 256 characters (key %q).", t.Key)
		}
		// botocore ecs Tag: "Do not use aws:, AWS:, or any upper or
		// lowercase combination of such as a prefix for either keys or
		// values as it is reserved for Amazon Web Services use."
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") || strings.HasPrefix(strings.ToLower(t.Value), "aws:") {
			return clientErr("InvalidParameterException", "Tag keys and values can not begin with the reserved prefix 'aws:' (key %q).", t.Key)
		}
		if seen[t.Key] {
			return clientErr("InvalidParameterException", "Tag key %q appears more than once.", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}

// resolveTaskDef finds a definition by family (latest ACTIVE), family:revision or ARN.
func (s *Server) resolveTaskDef(ref string) (*taskDef, error) {
	notFound := clientErr("ClientException", "Unable to describe task definition.")
	if i := strings.Index(ref, ":task-definition/"); strings.HasPrefix(ref, "arn:") && i >= 0 {
		ref = ref[i+len(":task-definition/"):]
	}
	name, revStr, hasRev := strings.Cut(ref, ":")
	f := s.families[name]
	if f == nil {
		return nil, notFound
	}
	if !hasRev {
		for i := len(f.revisions) - 1; i >= 0; i-- {
			if f.revisions[i].status == "ACTIVE" {
				return f.revisions[i], nil
			}
		}
		return nil, notFound
	}
	rev, err := strconv.Atoi(revStr)
	if err != nil || rev < 1 || rev > len(f.revisions) || f.revisions[rev-1].status == "DELETE_IN_PROGRESS" {
		return nil, notFound
	}
	return f.revisions[rev-1], nil
}

// describe is the definition as DescribeTaskDefinition returns it.
func (td *taskDef) describe() map[string]any {
	out := make(map[string]any, len(td.body)+8)
	for k, v := range td.body {
		out[k] = v
	}
	out["taskDefinitionArn"] = td.arn
	out["family"] = td.family
	out["revision"] = td.revision
	out["status"] = td.status
	out["networkMode"] = td.networkMode
	out["compatibilities"] = td.compat
	out["requiresAttributes"] = []map[string]string{{"name": "com.amazonaws.ecs.capability.docker-remote-api.1.21"}}
	out["registeredAt"] = epoch(td.registeredAt)
	out["registeredBy"] = td.registeredBy
	if !td.deregisteredAt.IsZero() {
		out["deregisteredAt"] = epoch(td.deregisteredAt)
	}
	return out
}
