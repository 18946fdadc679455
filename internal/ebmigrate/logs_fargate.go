package ebmigrate

import (
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// addFargateStreamPrefix gives an awslogs configuration without a stream
// prefix the migration's own (LogStreamPrefix): on Fargate ECS requires one
// (botocore ecs LogConfiguration options, awslogs-stream-prefix: "Required:
// Yes, when using Fargate"; RegisterTaskDefinition answers ClientException
// "Fargate requires log configuration options to include
// awslogs-stream-prefix to support log driver awslogs."). It reports whether
// it added one.
func addFargateStreamPrefix(c *ecstypes.ContainerDefinition) bool {
	lc := c.LogConfiguration
	if lc == nil || lc.LogDriver != ecstypes.LogDriverAwslogs || lc.Options["awslogs-stream-prefix"] != "" {
		return false
	}
	copied := *lc
	copied.Options = maps.Clone(lc.Options)
	if copied.Options == nil {
		copied.Options = map[string]string{}
	}
	copied.Options["awslogs-stream-prefix"] = LogStreamPrefix
	c.LogConfiguration = &copied
	return true
}

// fargatePrefixNote is the plan's note that the migration's definition
// adds a stream prefix the source's awslogs configuration lacks, because
// the migration runs on Fargate; "" when it does not.
func fargatePrefixNote(t *Target, d *Derived, spec DeriveSpec) string {
	if !spec.Placement.Fargate() || t.SourceTaskDefinition == nil {
		return ""
	}
	for _, c := range t.SourceTaskDefinition.ContainerDefinitions {
		if aws.ToString(c.Name) != d.Container {
			continue
		}
		if lc := c.LogConfiguration; lc == nil || lc.LogDriver != ecstypes.LogDriverAwslogs || lc.Options["awslogs-stream-prefix"] != "" || spec.LogGroup != "" {
			return ""
		}
		return fmt.Sprintf("Container %q of task definition %s logs with awslogs without awslogs-stream-prefix, which ECS requires on Fargate: the migration's task definition adds awslogs-stream-prefix = %q, so its log stream is %s/%s/<task id> in group %s.",
			d.Container, aws.ToString(t.SourceTaskDefinition.TaskDefinitionArn), LogStreamPrefix, LogStreamPrefix, d.Container, d.LogGroup)
	}
	return ""
}
