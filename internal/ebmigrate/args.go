package ebmigrate

// Arguments a plan may not know yet, as PreviewInput.Unknown names them:
// ebmigrate_run's (and ebmigrate_migrate's) names, which diagnostics show.
const (
	ArgEnvironmentName      = "environment_name"
	ArgVersionLabel         = "version_label"
	ArgCluster              = "task.cluster"
	ArgSourceTaskDefinition = "task.task_definition"
	ArgContainerName        = "container.name"
	ArgImage                = "container.image"
	// ArgTaskRoleArn: a role the same apply creates is no missing role.
	ArgTaskRoleArn = "task.task_role_arn"
)

// ArgNames are the names of the arguments that discovery and derivation
// diagnostics tell the user to set. ebmigrate_run and ebmigrate_migrate
// nest them (the zero value: ResourceArgs); the data sources have them
// flat (FlatArgs).
type ArgNames struct {
	Container, Image, Cluster, SourceTaskDefinition string
}

// ResourceArgs are ebmigrate_run's and ebmigrate_migrate's names.
var ResourceArgs = ArgNames{Container: ArgContainerName, Image: ArgImage, Cluster: ArgCluster, SourceTaskDefinition: ArgSourceTaskDefinition}

// FlatArgs are the data sources' names.
var FlatArgs = ArgNames{Container: "container_name", Image: "image", Cluster: "cluster", SourceTaskDefinition: "source_task_definition"}

// orDefault is a, or ResourceArgs when a is the zero value.
func (a ArgNames) orDefault() ArgNames {
	if a == (ArgNames{}) {
		return ResourceArgs
	}
	return a
}
