package ebmigrate

// The arguments the engine's diagnostics name, as every object of the
// provider spells them (ebmigrate_run, the action ebmigrate_migrate and the
// data sources take the same nested container and task): a name the user
// reads in a message is the one they write. PreviewInput.Unknown names the
// arguments a plan does not know yet by the same names, and
// ProblemError.Arg the one argument at fault.
const (
	ArgEnvironmentName      = "environment_name"
	ArgVersionLabel         = "version_label"
	ArgCommand              = "command"
	ArgCluster              = "task.cluster"
	ArgSourceTaskDefinition = "task.task_definition"
	ArgLaunchType           = "task.launch_type"
	ArgPlatformVersion      = "task.platform_version"
	ArgCapacityProviders    = "task.capacity_provider_strategy"
	ArgNetwork              = "task.network_configuration"
	ArgSecurityGroups       = "task.network_configuration.security_groups"
	ArgSubnets              = "task.network_configuration.subnets"
	ArgPlacementConstraints = "task.placement_constraints"
	ArgPlacementStrategy    = "task.placement_strategy"
	ArgExecuteCommand       = "task.enable_execute_command"
	// ArgTaskRoleArn: a role the same apply creates is no missing role.
	ArgTaskRoleArn      = "task.task_role_arn"
	ArgExecutionRoleArn = "task.execution_role_arn"
	ArgContainerName    = "container.name"
	ArgImage            = "container.image"
	ArgCPU              = "container.cpu"
	ArgMemory           = "container.memory"
	ArgMemoryRes        = "container.memory_reservation"
	ArgLogGroup         = "logs.group"
	ArgTags             = "tags"
	ArgReviewPending    = "review.pending"
)
