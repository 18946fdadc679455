package resources

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// The nested arguments of a migration, as ebmigrate_run, ebmigrate_migrate
// and ebmigrate_pending_migrations all take them (arg_spec.go): container
// (which container, image, extra environment, size), task (where and how
// the task runs) and logs (where its output goes, how much is shown).
// What differs between the objects is said per object: ebmigrate_run's
// defaults and what a change re-runs, the write-only environment of the
// resource and the action, and what a query cannot take.

const (
	reruns   = " A change re-runs the migration."
	notRerun = " A change does not re-run the migration: it applies from the next run."
)

// onRun is a per-object note for ebmigrate_run only.
func onRun(note string) map[object]string { return map[object]string{runObject: note} }

func containerSpec(o object) argSpec {
	attrs := map[string]argSpec{
		"name": {kind: argString,
			desc: "The container of the environment's task definition to run in. Defaults to its one essential container; among several, the one the others `links` to or `dependsOn`, else the one without host port mappings; when that still leaves several, the plan fails and lists them.",
			per: onRun(" The container a run used is `last_run.container`. A change re-runs the migration, unless it names the container the last run used; " +
				"removing it does not re-run the migration (the next run uses the default)."),
			str: []validator.String{notEmpty("container.name", "remove it to use the default container"), containerNameValidator()}},
		"image": {kind: argString,
			desc: "The image to run. Left unset, it is the image the environment's task definition has when `version_label` is the deployed version (or unset), " +
				"and otherwise the image the `Dockerrun.aws.json` of that application version's source bundle gives the container (so that a migration before the deploy runs the new code).",
			per: onRun(" The image a run used is `last_run.image`. A change of a set image re-runs the migration, unless it is the image the last run used; " +
				"removing it does not re-run the migration (the next run uses the default)."),
			str: []validator.String{notEmpty("container.image", "remove it to run the environment's (or the application version's) image"), imageValidator()}},
		"environment": {kind: argStringMap, sensitive: o != actionObject,
			desc: "Extra environment variables, on top of the environment's own properties (these win on equal names), passed as RunTask container overrides (never written into a task definition revision, unless they exceed ECS's 8192-character override limit, with a warning). " +
				"Names are printable ASCII without spaces or `=`; values hold no NUL byte.",
			per: map[object]string{
				runObject: " Values are kept in the Terraform state like any argument (marked sensitive); on Terraform 1.11 and later use `environment_wo`, which never reaches the plan or the state, " +
					"or keep secrets in Elastic Beanstalk properties or secrets." + reruns,
				actionObject: " An action's arguments are in the plan (a saved plan file holds them), and Terraform has no sensitive action arguments: pass secrets in `environment_wo`, " +
					"which never reaches the plan, or keep them in Elastic Beanstalk properties or secrets.",
				queryObject: " Sensitive: hidden in the plan's output, but kept in the plan and the state like any data source argument. A data source cannot take write-only values " +
					"(`environment_wo`): keep what the query needs secret in Elastic Beanstalk properties or secrets, which it gets as the migration does.",
			},
			maps: environmentValidators()},
		"cpu": {kind: argInt64,
			desc: "CPU units (1024 = one vCPU) for the container, instead of its own; on Fargate, the task's too: 256, 512, 1024, 2048, 4096, 8192 or 16384 (default 256), with a `memory` Fargate offers with it.",
			per:  onRun(" A change does not re-run the migration."),
			i64:  []validator.Int64{int64validator.Between(0, 196608)}},
		"memory": {kind: argInt64,
			desc: "Hard memory limit of the container in MiB, instead of its own; the container is killed (out of memory) above it. At least `memory_reservation`. " +
				"On Fargate, the task's memory too (default 512), one that Fargate offers with `cpu`.",
			per: onRun(" A change does not re-run the migration."),
			i64: []validator.Int64{int64validator.AtLeast(6)}},
		"memory_reservation": {kind: argInt64,
			desc: "Soft memory limit of the container in MiB, instead of its own: what ECS reserves on the instance to place it. At most `memory`.",
			per:  onRun(" A change does not re-run the migration."),
			i64:  []validator.Int64{int64validator.AtLeast(4)}},
	}
	if o != queryObject {
		wo := argSpec{kind: argStringMap, writeOnly: true, sensitive: o == runObject,
			desc: "Write-only extra environment variables: like `environment` (these win on equal names), but never stored in the plan or the state. " +
				"Give them an ephemeral value (an `ephemeral = true` variable, or an ephemeral resource's attribute).",
			per: map[object]string{
				runObject:    " Terraform 1.11 and later. Terraform cannot tell a change of them: change `environment_wo_version` to re-run the migration with new values.",
				actionObject: " Each invocation runs with the values of its own run of Terraform.",
			},
			maps: environmentValidators()}
		attrs["environment_wo"] = wo
	}
	if o == runObject {
		attrs["environment_wo_version"] = argSpec{kind: argInt64,
			desc: "A number to change when `environment_wo` changes, so that the migration re-runs with the new values. Requires `environment_wo`." + reruns}
	}
	return argSpec{kind: argObject, attrs: attrs,
		desc: "The container to run in: which container of the environment's task definition, with what image, extra environment and size (RunTask container overrides, as `aws_ecs_task_execution`'s `overrides.container_overrides`). Each left unset is the environment's own.",
		per: map[object]string{
			actionObject: " As `ebmigrate_run`'s `container`.",
			queryObject: " The same attributes and meaning as `ebmigrate_run`'s `container` (pass the same values), so that the query runs the code and settings the migration will; " +
				"write-only values (`environment_wo`) cannot reach a data source.",
		},
		obj: []validator.Object{containerMemoryValidator{}}}
}

func taskSpec(o object) argSpec {
	timeoutNames := map[object]string{runObject: "`timeouts.create` or `timeouts.update`", actionObject: "`timeouts.invoke`", queryObject: "`timeouts.read`"}
	attrs := map[string]argSpec{
		"cluster": {kind: argString,
			desc: "Name or ARN of the ECS cluster to run on. Defaults to the environment's own cluster (`awseb-<environment name>-…`).",
			per:  onRun(reruns), str: []validator.String{clusterValidator()}},
		"task_definition": {kind: argString,
			desc: "Family, `family:revision` or ARN of the task definition to derive the task from. Defaults to the one the environment's tasks run, else the latest ACTIVE revision of `awseb-<environment name>-<environment id>`.",
			per:  onRun(reruns), str: []validator.String{taskDefinitionValidator()}},
		"launch_type": {kind: argString,
			desc: "Where the task runs: `EC2` (the environment's own instances) or `FARGATE`. Defaults to the cluster's default, which for Elastic Beanstalk's clusters is EC2. " +
				"On Fargate the task definition is made Fargate-ready (awsvpc; task-level `cpu` and `memory` from `container`, default 256 and 512), or the plan says which setting of the source blocks it. " +
				"Conflicts with `capacity_provider_strategy`.",
			per: onRun(reruns), str: []validator.String{stringvalidator.OneOf("EC2", "FARGATE")}},
		"platform_version": {kind: argString,
			desc: "Fargate platform version: `LATEST` or a version such as `1.4.0`. Defaults to `LATEST`. Only on Fargate (`launch_type = \"FARGATE\"` or a Fargate capacity provider): ECS refuses a platform version on EC2. " +
				"With `enable_execute_command`, or with `container.cpu` 8192 or 16384 (8 and 16 vCPU), at least `1.4.0` (ECS Exec and those sizes need it).",
			per: onRun(reruns), str: []validator.String{notEmpty("task.platform_version", "remove it to use LATEST"), platformVersionValidator()}},
		"capacity_provider_strategy": {kind: argObjects,
			desc: "Capacity providers to run the task with, instead of a launch type: `FARGATE` and `FARGATE_SPOT`, or Auto Scaling group providers, never both kinds in one strategy; at most one with a `base`, and at least one with a `weight` above 0, even alone (`weight` defaults to 0, and ECS places no task on a provider of weight 0). " +
				"Each must be associated with the cluster, which the plan checks: Elastic Beanstalk's cluster has only its Auto Scaling group provider, so associate `FARGATE`/`FARGATE_SPOT` first (`aws ecs put-cluster-capacity-providers`) or use `launch_type = \"FARGATE\"`. Conflicts with `launch_type`.",
			per:  onRun(reruns),
			list: []validator.List{listvalidator.SizeBetween(1, 20), capacityStrategyValidator{}},
			attrs: map[string]argSpec{
				"capacity_provider": {kind: argString, required: true, desc: "Name of the capacity provider.", str: []validator.String{notEmpty("capacity_provider", "name a capacity provider")}},
				"weight":            {kind: argInt64, desc: "Relative share of tasks for this provider (0 to 1000; default 0).", i64: []validator.Int64{int64validator.Between(0, 1000)}},
				"base":              {kind: argInt64, desc: "Tasks to place on this provider first (0 to 100000; default 0).", i64: []validator.Int64{int64validator.Between(0, 100000)}},
			}},
		"network_configuration": {kind: argObject,
			desc: "The awsvpc network of the task (Fargate, or a task definition in awsvpc mode). Subnets and security groups left unset are the environment's own " +
				"(`aws:ec2:vpc` Subnets and the launch configuration's SecurityGroups that are IDs).",
			per: onRun(reruns),
			attrs: map[string]argSpec{
				"subnets": {kind: argStrings, desc: "Subnet IDs (`subnet-…`), 1 to 16 (remove it to use the environment's).",
					list: []validator.List{notEmptyList("task.network_configuration.subnets", "remove it to use the environment's subnets"), listvalidator.SizeAtMost(16), listvalidator.ValueStringsAre(subnetValidator())}},
				"security_groups": {kind: argStrings, desc: "Security group IDs (`sg-…`), 1 to 5 (remove it to use the environment's).",
					list: []validator.List{notEmptyList("task.network_configuration.security_groups", "remove it to use the environment's security groups"), listvalidator.SizeAtMost(5), listvalidator.ValueStringsAre(securityGroupValidator())}},
				"assign_public_ip": {kind: argBool, desc: "Whether the task gets a public IP (needed on Fargate in public subnets without a NAT, to pull images). Defaults to the environment's `aws:ec2:vpc` `AssociatePublicIpAddress`."},
			}},
		"placement_constraints": {kind: argObjects,
			desc: fmt.Sprintf("Placement constraints for the task (RunTask `placementConstraints`), for example to keep it off an instance Elastic Beanstalk is about to replace. "+
				"At most %d, together with the task definition's own. Not supported on Fargate (the plan fails). "+
				"When no container instance meets a `memberOf` constraint, the run fails naming it and nothing runs.", ebmigrate.MaxPlacementConstraints),
			per:  onRun(notRerun),
			list: []validator.List{listvalidator.SizeAtMost(ebmigrate.MaxPlacementConstraints)},
			obj:  []validator.Object{constraintValidator{}},
			attrs: map[string]argSpec{
				"type": {kind: argString, required: true, desc: "`distinctInstance` (each task of the group on a different instance) or `memberOf` (only the instances the expression selects).",
					str: []validator.String{stringvalidator.OneOf(ebmigrate.PlacementConstraintTypes...)}},
				"expression": {kind: argString, desc: fmt.Sprintf("A [cluster query language](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html) expression, for example `ec2InstanceId != i-0123456789abcdef0` or `attribute:ecs.instance-type == t3.large`. Required for `memberOf`, not allowed for `distinctInstance`; at most %d characters.", ebmigrate.MaxConstraintExpression),
					str: []validator.String{stringvalidator.LengthBetween(1, ebmigrate.MaxConstraintExpression)}},
			}},
		"placement_strategy": {kind: argObjects,
			desc: fmt.Sprintf("Placement strategy rules for the task (RunTask `placementStrategy`), applied in order; at most %d. Not supported on Fargate (the plan fails).", ebmigrate.MaxPlacementStrategies),
			per:  onRun(notRerun),
			list: []validator.List{listvalidator.SizeAtMost(ebmigrate.MaxPlacementStrategies)},
			obj:  []validator.Object{strategyValidator{}},
			attrs: map[string]argSpec{
				"type":  {kind: argString, required: true, desc: "`random`, `spread` or `binpack`.", str: []validator.String{stringvalidator.OneOf(ebmigrate.PlacementStrategyTypes...)}},
				"field": {kind: argString, desc: "For `binpack`, `cpu` or `memory`; for `spread`, `instanceId`, `host` or `attribute:<name>` (such as `attribute:ecs.availability-zone`); none for `random`."},
			}},
		"enable_execute_command": {kind: argBool, def: types.BoolValue(false),
			desc: "Whether to turn on ECS Exec for the task (RunTask `enableExecuteCommand`), so that you can open a shell in a long migration while it runs. Defaults to `false`. " +
				"ECS requires a task role for it: the environment's task definition's `taskRoleArn`, or `task_role_arn`, a role that `ecs-tasks.amazonaws.com` may assume and that allows " +
				"`ssmmessages:CreateControlChannel`, `ssmmessages:CreateDataChannel`, `ssmmessages:OpenControlChannel` and `ssmmessages:OpenDataChannel`; without one the plan warns and the run fails before starting anything. " +
				"On Fargate it needs platform version 1.4.0 or later: an older `platform_version` fails the plan. " +
				"The plan's warning and the provider's log (INFO) give the `aws ecs execute-command … --interactive --command /bin/sh` that opens the shell (it needs the Session Manager plugin and `ecs:ExecuteCommand`).",
			per: onRun(notRerun)},
		"task_role_arn": {kind: argString, per: onRun(reruns), str: []validator.String{roleArnValidator()},
			desc: "ARN of the task role (`taskRoleArn`), the IAM role the task's code runs with, instead of the one of the environment's task definition (Elastic Beanstalk sets none unless the `Dockerrun.aws.json` does)."},
		"execution_role_arn": {kind: argString, per: onRun(reruns), str: []validator.String{roleArnValidator()},
			desc: "ARN of the task execution role (`executionRoleArn`), which ECS uses to pull ECR images, fetch secrets and send awslogs output (required on Fargate for an ECR image or awslogs), instead of the one of the environment's task definition (Elastic Beanstalk sets none unless the `Dockerrun.aws.json` does)."},
		"keep_revisions": {kind: argInt64, def: types.Int64Value(defaultKeepRevisions),
			desc: fmt.Sprintf("How many ACTIVE revisions of the task definition family to keep (the migration's: `ebmigrate-<environment name>`, or `ebmigrate-<environment name>_<name>`; the queries': `ebmigrate-<environment name>__query`); "+
				"older ones are deregistered and deleted after a successful run. Defaults to %d.", defaultKeepRevisions),
			per: onRun(" A change does not re-run the migration."),
			i64: []validator.Int64{int64validator.AtLeast(1)}},
		"start_timeout": {kind: argString, def: types.StringValue(defaultStartTimeout),
			desc: "How long the task may take to reach `RUNNING` (image pull, placement) before it is stopped and the run fails saying so; a task that never started never ran, so stopping it is safe. " +
				"A task of an earlier run stuck before `RUNNING` longer than this is stopped instead of blocking later runs. " +
				"Either is stopped only when its container's `awslogs` stream (mode `blocking`, which the provider sets unless the configuration sets a mode) proves it never started: ECS reports starts late. One whose start cannot be checked is waited for, not stopped (see the *Never twice at once* guide). " +
				fmt.Sprintf("A duration of at least %s, such as `\"5m\"`. Defaults to `\"%s\"`.", minStartTimeout, defaultStartTimeout),
			per: onRun(" A change does not re-run the migration."),
			str: []validator.String{durationAtLeast(minStartTimeout)}},
		"stop_on_timeout": {kind: argBool, def: types.BoolValue(false),
			desc: "Whether to stop the task (ECS StopTask) when the run's timeout (" + timeoutNames[o] + ") runs out. " +
				"Defaults to `false`: the task is left running, and the next run of the same migration waits for it instead of starting another, recording its result when it is the same run. " +
				"A cancelled run (Ctrl-C) always leaves the task running.",
			per: onRun(" A change does not re-run the migration.")},
	}
	return argSpec{kind: argObject, attrs: attrs, def: defaultTask(),
		desc: "Where and how the task runs (RunTask options, named as `aws_ecs_task_execution`'s), how long it may take to start, and what a timeout does to it. Each left unset is the environment's own.",
		per: map[object]string{
			actionObject: " As `ebmigrate_run`'s `task`.",
			queryObject:  " The same attributes and meaning as `ebmigrate_run`'s `task` (pass the same values), so that the query runs where and as the migration does: a migration on Fargate queries on Fargate.",
		}}
}

func logsSpec(o object) argSpec {
	lines := map[object]string{
		runObject: fmt.Sprintf("How many of the migration's last log lines a failure shows, and a success shows (a \"Migration Output\" warning after the apply) and keeps in `output`. Defaults to %d; `0` shows and keeps none; at most %d (each line is cut at %d bytes, so state and the warning hold at most about %d MB). It applies from the next run.",
			defaultLogLines, maxLogLines, maxOutputLineBytes, maxLogLines*maxOutputLineBytes/1000000),
		actionObject: fmt.Sprintf("How many of the migration's last log lines a failure shows. Defaults to %d; at most %d. While the migration runs, its lines are also shown as progress, in batches (at most one progress event every %s, of at most %d lines).",
			defaultLogLines, maxLogLines, progressInterval, progressBatchLines),
		queryObject: fmt.Sprintf("How many of the query's last log lines a failure shows. Defaults to %d; at most %d.", defaultLogLines, maxLogLines),
	}
	return argSpec{kind: argObject, def: defaultLogs(),
		desc: "Where the output goes, and how much of it is shown.",
		per:  map[object]string{runObject: " A change does not re-run the migration."},
		attrs: map[string]argSpec{
			"group": {kind: argString,
				desc: "The CloudWatch Logs group of the output (1 to 512 letters, digits and `.-_/#`). Left unset, a container that logs with awslogs keeps its group, and one that does not (Elastic Beanstalk's stock shape) gets an awslogs configuration with " +
					"`/aws/elasticbeanstalk/<environment name>/ebmigrate`, which the provider creates when missing (retention `retention_in_days`) and Elastic Beanstalk's default instance role may write to. " +
					"Set, the container logs to this group (which must exist: the plan warns and the run fails before running anything when it does not), in the provider's region, stream prefix `ebmigrate`, mode `blocking`; " +
					"outside `/aws/elasticbeanstalk*`, the instance profile's role (the execution role on Fargate) needs `logs:CreateLogStream` and `logs:PutLogEvents` on it.",
				per: onRun(" The group a run used is `last_run.log_group`."),
				str: []validator.String{notEmpty("logs.group", "remove it to use the container's own or the default group"), logGroupValidator()}},
			"retention_in_days": {kind: argInt64, def: types.Int64Value(ebmigrate.DefaultLogRetentionDays),
				desc: fmt.Sprintf("Retention in days of the default log group `/aws/elasticbeanstalk/<environment name>/ebmigrate`, set when the provider creates it (it never changes an existing group); "+
					"`0` keeps its events forever (the group gets no retention policy, as CloudWatch Logs documents). Defaults to %d. `0` or one of CloudWatch Logs' values: %v.", ebmigrate.DefaultLogRetentionDays, retentionDays),
				i64: []validator.Int64{int64validator.OneOf(append([]int64{0}, retentionDays...)...)}},
			"lines": {kind: argInt64, def: types.Int64Value(defaultLogLines), desc: lines[o],
				i64: []validator.Int64{int64validator.Between(0, maxLogLines)}},
		}}
}

func reviewSpec() argSpec {
	return argSpec{kind: argObject, def: defaultReview(),
		desc: "The migration review: what `ebmigrate_pending_migrations` found pending, shown in the plan, and what the plan does with destructive operations.",
		attrs: map[string]argSpec{
			"pending": {kind: argStrings,
				desc: "The migrations that are pending, usually `data.ebmigrate_pending_migrations.<name>.pending`: shown in the plan's \"Migration Will Run\" warning.",
				per:  onRun(" A change of it runs the migration only while it is not empty: the list that becomes empty after a successful run is an update that runs nothing."),
				list: []validator.List{listvalidator.ValueStringsAre(notEmpty("a pending migration", "remove it"))}},
			"operations": {kind: argStringListMap,
				desc: "Each pending migration's operations in Django's words, usually `data.ebmigrate_pending_migrations.<name>.operations`: shown in the plan, and judged by `destructive_changes`.",
				per:  onRun(" A change alone does not run the migration.")},
			"reasons": {kind: argStringMap,
				desc: "Why each pending migration is in its phase, usually `data.ebmigrate_pending_migrations.<name>.phases.reasons` (a data source with `phase`): shown in the plan's \"Migration Will Run\" warning beside each migration of `pending`.",
				per:  onRun(" A change alone does not run the migration.")},
			"destructive_changes": {kind: argString, def: types.StringValue(defaultDestructiveChanges),
				desc: fmt.Sprintf("What a plan that runs destructive operations (in `operations`: a removed field, a deleted model, a renamed field, model or table, raw SQL that drops, truncates or deletes) does: "+
					"`allow` runs them, `warn` runs them and says in a warning what would be lost, `deny` fails the plan, naming each, unless its migration is listed in `allow_destructive`. "+
					"One of %s; defaults to `%s`.", quotedList(destructiveChangesValues), defaultDestructiveChanges),
				per: onRun(" A change does not re-run the migration."),
				str: []validator.String{stringvalidator.OneOf(destructiveChangesValues...)}},
			"allow_destructive": {kind: argStrings,
				desc: "Migrations (`app.migration`) whose destructive operations were reviewed and may run under `destructive_changes = \"deny\"`.",
				per:  onRun(" A change does not re-run the migration."),
				list: []validator.List{listvalidator.ValueStringsAre(notEmpty("a migration name", "remove it"))}},
		}}
}

// environmentValidators are the rules of container.environment and
// environment_wo: names a process can have (no "=" splits them, no space,
// ASCII) and values exec can pass (no NUL).
func environmentValidators() []validator.Map {
	return []validator.Map{
		mapvalidator.KeysAre(notEmpty("an environment variable name", "remove the entry"), envVarNameValidator()),
		mapvalidator.ValueStringsAre(noNULValidator("an environment variable's value")),
	}
}

// The defaults of task, logs and review: these objects are never null in
// ebmigrate_run's plan and state, so that their defaults are in them and a
// configuration that sets a default explicitly plans nothing.
func defaultTask() types.Object {
	return objectOrNull(taskAttrTypes, map[string]attr.Value{
		"enable_execute_command": types.BoolValue(false), "keep_revisions": types.Int64Value(defaultKeepRevisions),
		"start_timeout": types.StringValue(defaultStartTimeout), "stop_on_timeout": types.BoolValue(false),
	}, false)
}

func defaultLogs() types.Object {
	return objectOrNull(logsAttrTypes, map[string]attr.Value{"retention_in_days": types.Int64Value(ebmigrate.DefaultLogRetentionDays), "lines": types.Int64Value(defaultLogLines)}, false)
}

func defaultReview() types.Object {
	return objectOrNull(reviewAttrTypes, map[string]attr.Value{"destructive_changes": types.StringValue(defaultDestructiveChanges)}, false)
}
