package resources_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// badInput is one class of configuration mistake that the configuration
// alone decides: it must fail `terraform validate` (or, when a value is
// known only then, `terraform plan`) at the argument at fault, naming it,
// with nothing registered or run.
type badInput struct {
	name string
	// object is "run" (ebmigrate_run) or "query" (ebmigrate_pending_migrations).
	object string
	// body is the block's arguments besides environment_name and
	// version_label (which it may set itself).
	body string
	// at is what the line the diagnostic points at holds: the argument at
	// fault.
	at string
	// says are words the diagnostic's summary and detail hold (the
	// argument's name as the schema spells it first).
	says []string
}

var longCommand = `command = ["sh", "-c", "` + strings.Repeat("x", 70000) + `"]`

// badInputs are the classes of issue 32's review (67 bad inputs) as far as
// they could be reconstructed, and those of the schema's every rule.
var badInputs = []badInput{
	// Top-level arguments.
	{"environment_name with a space", "run", `environment_name = "my app"`, "environment_name =", []string{"environment_name", "4 to 40 letters"}},
	{"environment_name with =", "run", `environment_name = "a=bcd"`, "environment_name =", []string{"environment_name", "4 to 40 letters"}},
	{"environment_name not ASCII", "run", `environment_name = "appé-prod"`, "environment_name =", []string{"environment_name", "4 to 40 letters"}},
	{"environment_name too short", "run", `environment_name = "ab"`, "environment_name =", []string{"environment_name", "4 to 40 letters"}},
	{"name with a space", "run", `name = "cache table"`, "name =", []string{"name", "1 to 64 letters"}},
	{"name empty", "run", `name = ""`, "name =", []string{"name", "1 to 64 letters"}},
	{"version_label empty", "run", `version_label = ""`, "version_label =", []string{"version_label", "length must be between 1 and 100"}},
	{"version_label too long", "run", `version_label = "` + strings.Repeat("v", 101) + `"`, "version_label =", []string{"version_label", "length must be between 1 and 100"}},
	{"command empty", "run", `command = []`, "command =", []string{"command", "at least 1"}},
	{"command word empty", "run", `command = ["./manage.py", ""]`, "command =", []string{"command[1]: an empty string", "command word"}},
	{"command word with NUL", "run", `command = ["./manage.py", "migrate\u0000"]`, "command =", []string{"command[1]", "NUL byte"}},
	{"command too large", "run", longCommand, "command =", []string{"command", "bytes"}},
	{"triggers key empty", "run", `triggers = { "" = "x" }`, "triggers =", []string{"triggers", "length must be at least 1"}},
	{"tags key aws:", "run", `tags = { "aws:team" = "x" }`, "tags =", []string{"tags", "aws:"}},
	{"tags key ebmigrate:", "run", `tags = { "ebmigrate:run" = "x" }`, "tags =", []string{"tags", "ebmigrate:"}},
	{"tags value too long", "run", `tags = { team = "` + strings.Repeat("t", 257) + `" }`, "tags =", []string{"tags", "256"}},
	// phase and code_operations (issue 33).
	{"phase unknown", "run", `phase = "during_deploy"`, "phase =", []string{"phase", `"before_deploy" "after_deploy"`}},
	{"code_operations without phase", "run", `code_operations = "before_deploy"`, "code_operations =", []string{"code_operations", "phase is not set"}},
	{"code_operations unknown", "run", "phase = \"before_deploy\"\n  code_operations = \"always\"", "code_operations =", []string{"code_operations", `"before_deploy" "after_deploy"`}},
	{"phase with a command that is not migrate", "run", "phase = \"before_deploy\"\n  command = [\"sh\", \"-c\", \"./manage.py migrate\"]", "command =", []string{"Command Not Django's migrate", "command has no word migrate"}},
	{"phase with an app label", "run", "phase = \"after_deploy\"\n  command = [\"./manage.py\", \"migrate\", \"shop\"]", "command =", []string{"command[2] is an app label", "migrate without phase"}},
	{"phase with --database", "run", "phase = \"after_deploy\"\n  command = [\"./manage.py\", \"migrate\", \"--database=replica\"]", "command =", []string{"command[2] is an option"}},
	// container.
	{"container.name empty", "run", "container = {\n    name = \"\"\n  }", "name =", []string{"container.name", "remove it to use the default container"}},
	{"container.name with a space", "run", "container = {\n    name = \"web app\"\n  }", "name =", []string{"container.name", "container name"}},
	{"container.image empty", "run", "container = {\n    image = \"\"\n  }", "image =", []string{"container.image", "remove it to run"}},
	{"container.image with a space", "run", "container = {\n    image = \"example/app v2\"\n  }", "image =", []string{"container.image", "image reference"}},
	{"container.environment name empty", "run", "container = {\n    environment = { \"\" = \"x\" }\n  }", "environment =", []string{"container.environment", "environment variable name"}},
	{"container.environment name with =", "run", "container = {\n    environment = { \"A=B\" = \"x\" }\n  }", "environment =", []string{"container.environment", `without spaces or "="`}},
	{"container.environment name with a space", "run", "container = {\n    environment = { \"A B\" = \"x\" }\n  }", "environment =", []string{"container.environment", `without spaces or "="`}},
	{"container.environment name not ASCII", "run", "container = {\n    environment = { \"CAFÉ\" = \"x\" }\n  }", "environment =", []string{"container.environment", "printable ASCII"}},
	{"container.environment value with NUL", "run", "container = {\n    environment = { A = \"x\\u0000y\" }\n  }", "environment =", []string{"container.environment", "NUL byte"}},
	{"container.environment_wo_version without environment_wo", "run", "container = {\n    environment_wo_version = 1\n  }", "environment_wo_version =", []string{"container.environment_wo_version", "container.environment_wo is not set"}},
	{"container.cpu negative", "run", "container = {\n    cpu = -1\n  }", "cpu =", []string{"container.cpu", "between 0 and 196608"}},
	{"container.memory too small", "run", "container = {\n    memory = 5\n  }", "memory =", []string{"container.memory", "at least 6"}},
	{"container.memory_reservation too small", "run", "container = {\n    memory_reservation = 3\n  }", "memory_reservation =", []string{"container.memory_reservation", "at least 4"}},
	{"container.memory below memory_reservation", "run", "container = {\n    memory_reservation = 512\n    memory = 256\n  }", "memory = 256", []string{"Container Memory Below Reservation", "memory (hard limit) of 256 MiB", "memoryReservation (soft limit) of 512 MiB"}},
	// task.
	{"task.cluster not a name", "run", "task = {\n    cluster = \"my cluster\"\n  }", "cluster =", []string{"task.cluster", "ECS cluster name"}},
	{"task.task_definition not a family", "run", "task = {\n    task_definition = \"app/web\"\n  }", "task_definition =", []string{"task.task_definition", "task definition family"}},
	{"task.launch_type unknown", "run", "task = {\n    launch_type = \"SPOT\"\n  }", "launch_type =", []string{"task.launch_type", `"EC2" "FARGATE"`}},
	{"task.launch_type with capacity_provider_strategy", "run", "task = {\n    launch_type = \"FARGATE\"\n    capacity_provider_strategy = [{ capacity_provider = \"FARGATE\", weight = 1 }]\n  }", "capacity_provider_strategy =", []string{"task.launch_type and task.capacity_provider_strategy", "Remove one"}},
	{"task.platform_version empty", "run", "task = {\n    platform_version = \"\"\n  }", "platform_version =", []string{"task.platform_version", "remove it to use LATEST"}},
	{"task.platform_version banana", "run", "task = {\n    launch_type = \"FARGATE\"\n    platform_version = \"banana\"\n  }", "platform_version =", []string{"task.platform_version", "LATEST or a Fargate platform version"}},
	{"task.platform_version on EC2", "run", "task = {\n    launch_type = \"EC2\"\n    platform_version = \"1.4.0\"\n  }", "platform_version =", []string{"task.platform_version", "only for Fargate tasks"}},
	{"task.platform_version with Auto Scaling providers", "run", "task = {\n    capacity_provider_strategy = [{ capacity_provider = \"asg\", weight = 1 }]\n    platform_version = \"1.4.0\"\n  }", "platform_version =", []string{"task.platform_version", "only for Fargate tasks"}},
	{"Fargate cpu not a size", "run", "task = { launch_type = \"FARGATE\" }\n  container = {\n    cpu = 300\n    memory = 1024\n  }", "cpu =", []string{"container.cpu = 300", "not a Fargate task size"}},
	{"Fargate memory not with cpu", "run", "task = { launch_type = \"FARGATE\" }\n  container = {\n    cpu = 1024\n    memory = 512\n  }", "memory =", []string{"container.memory = 512", "does not go with container.cpu = 1024"}},
	{"Fargate cpu without memory", "run", "task = { capacity_provider_strategy = [{ capacity_provider = \"FARGATE_SPOT\", weight = 1 }] }\n  container = {\n    cpu = 2048\n  }", "cpu = 2048", []string{"container.memory is unset", "container.cpu = 2048"}},
	{"Fargate memory without cpu", "run", "task = { launch_type = \"FARGATE\" }\n  container = {\n    memory = 4096\n  }", "memory =", []string{"container.memory = 4096", "container.cpu = 256"}},
	{"task.capacity_provider_strategy empty", "run", "task = {\n    capacity_provider_strategy = []\n  }", "capacity_provider_strategy =", []string{"task.capacity_provider_strategy", "at least 1 elements"}},
	{"capacity provider name empty", "run", "task = {\n    capacity_provider_strategy = [{ capacity_provider = \"\", weight = 1 }]\n  }", "capacity_provider_strategy =", []string{"capacity_provider", "name a capacity provider"}},
	{"capacity provider weight above 1000", "run", "task = {\n    capacity_provider_strategy = [{ capacity_provider = \"FARGATE\", weight = 1001 }]\n  }", "capacity_provider_strategy =", []string{"weight", "between 0 and 1000"}},
	{"capacity provider base above 100000", "run", "task = {\n    capacity_provider_strategy = [{ capacity_provider = \"FARGATE\", weight = 1, base = 100001 }]\n  }", "capacity_provider_strategy =", []string{"base", "between 0 and 100000"}},
	{"capacity providers of two kinds", "run", "task = {\n    capacity_provider_strategy = [{ capacity_provider = \"FARGATE\", weight = 1 }, { capacity_provider = \"asg\", weight = 1 }]\n  }", "capacity_provider_strategy =", []string{"Capacity Provider Strategy Of Two Kinds", "task.capacity_provider_strategy names FARGATE (Fargate) and asg (Auto Scaling group)", "Keep providers of one kind"}},
	{"capacity providers with two bases", "run", "task = {\n    capacity_provider_strategy = [{ capacity_provider = \"FARGATE\", base = 1, weight = 1 }, { capacity_provider = \"FARGATE_SPOT\", base = 2 }]\n  }", "capacity_provider_strategy =", []string{"Capacity Provider Strategy With Several Bases", "task.capacity_provider_strategy", "Keep base on one provider"}},
	{"capacity providers without a weight", "run", "task = {\n    capacity_provider_strategy = [{ capacity_provider = \"FARGATE\" }, { capacity_provider = \"FARGATE_SPOT\" }]\n  }", "capacity_provider_strategy =", []string{"Capacity Provider Strategy Without Weight", "task.capacity_provider_strategy", "weight above 0"}},
	{"one capacity provider without a weight", "run", "task = {\n    capacity_provider_strategy = [{ capacity_provider = \"FARGATE_SPOT\" }]\n  }", "capacity_provider_strategy =", []string{"Capacity Provider Strategy Without Weight", "task.capacity_provider_strategy gives none of its capacity providers (FARGATE_SPOT)", "weight = 1"}},
	{"subnets empty", "run", "task = {\n    network_configuration = {\n      subnets = []\n    }\n  }", "subnets =", []string{"task.network_configuration.subnets", "remove it to use the environment's subnets"}},
	{"security_groups empty", "run", "task = {\n    network_configuration = {\n      security_groups = []\n    }\n  }", "security_groups =", []string{"task.network_configuration.security_groups", "remove it to use the environment's security groups"}},
	{"subnets not IDs", "run", "task = {\n    network_configuration = {\n      subnets = [\"banana\"]\n    }\n  }", "subnets =", []string{"task.network_configuration.subnets[0]", "subnet ID"}},
	{"security_groups not IDs", "run", "task = {\n    network_configuration = {\n      security_groups = [\"banana\"]\n    }\n  }", "security_groups =", []string{"task.network_configuration.security_groups[0]", "security group ID"}},
	{"more than 16 subnets", "run", "task = {\n    network_configuration = {\n      subnets = [" + strings.TrimSuffix(strings.Repeat(`"subnet-0aaa1111", `, 17), ", ") + "]\n    }\n  }", "subnets =", []string{"task.network_configuration.subnets", "at most 16"}},
	{"more than 5 security groups", "run", "task = {\n    network_configuration = {\n      security_groups = [" + strings.TrimSuffix(strings.Repeat(`"sg-0ccc3333", `, 6), ", ") + "]\n    }\n  }", "security_groups =", []string{"task.network_configuration.security_groups", "at most 5"}},
	{"placement_constraints on Fargate", "run", "task = {\n    launch_type = \"FARGATE\"\n    placement_constraints = [{ type = \"distinctInstance\" }]\n  }", "placement_constraints =", []string{"task.placement_constraints", "Fargate"}},
	{"placement_strategy on Fargate", "run", "task = {\n    launch_type = \"FARGATE\"\n    placement_strategy = [{ type = \"random\" }]\n  }", "placement_strategy =", []string{"task.placement_strategy", "Fargate"}},
	{"memberOf without expression", "run", "task = {\n    placement_constraints = [{ type = \"memberOf\" }]\n  }", "placement_constraints =", []string{"task.placement_constraints[0]", "expression"}},
	{"distinctInstance with expression", "run", "task = {\n    placement_constraints = [{ type = \"distinctInstance\", expression = \"ec2InstanceId != i-1\" }]\n  }", "placement_constraints =", []string{"task.placement_constraints[0]", "expression"}},
	{"placement constraint type unknown", "run", "task = {\n    placement_constraints = [{ type = \"sameInstance\" }]\n  }", "placement_constraints =", []string{"task.placement_constraints[0].type", "distinctInstance"}},
	{"placement strategy field wrong", "run", "task = {\n    placement_strategy = [{ type = \"binpack\", field = \"banana\" }]\n  }", "placement_strategy =", []string{"task.placement_strategy[0]", "binpack"}},
	{"more than 10 placement constraints", "run", "task = {\n    placement_constraints = [" + strings.TrimSuffix(strings.Repeat(`{ type = "distinctInstance" }, `, 11), ", ") + "]\n  }", "placement_constraints =", []string{"task.placement_constraints", "at most 10"}},
	{"more than 5 placement strategies", "run", "task = {\n    placement_strategy = [" + strings.TrimSuffix(strings.Repeat(`{ type = "random" }, `, 6), ", ") + "]\n  }", "placement_strategy =", []string{"task.placement_strategy", "at most 5"}},
	{"8 vCPU on Fargate below 1.4.0", "run", "task = {\n    launch_type = \"FARGATE\"\n    platform_version = \"1.3.0\"\n  }\n  container = {\n    cpu = 8192\n    memory = 16384\n  }", "platform_version =", []string{"Platform Version Too Old", `task.platform_version = "1.3.0"`, "container.cpu = 8192", "1.4.0 or later"}},
	{"ECS Exec on Fargate below 1.4.0", "run", "task = {\n    launch_type = \"FARGATE\"\n    enable_execute_command = true\n    platform_version = \"1.3.0\"\n  }", "platform_version =", []string{"task.platform_version", "1.4.0"}},
	{"task.task_role_arn not a role", "run", "task = {\n    task_role_arn = \"banana\"\n  }", "task_role_arn =", []string{"task.task_role_arn", "IAM role ARN"}},
	{"task.execution_role_arn not a role", "run", "task = {\n    execution_role_arn = \"arn:aws:iam::123456789012:user/x\"\n  }", "execution_role_arn =", []string{"task.execution_role_arn", "IAM role ARN"}},
	{"task.keep_revisions 0", "run", "task = {\n    keep_revisions = 0\n  }", "keep_revisions =", []string{"task.keep_revisions", "at least 1"}},
	{"task.start_timeout 1ns", "run", "task = {\n    start_timeout = \"1ns\"\n  }", "start_timeout =", []string{"task.start_timeout", "shorter than 30s"}},
	{"task.start_timeout not a duration", "run", "task = {\n    start_timeout = \"ten minutes\"\n  }", "start_timeout =", []string{"task.start_timeout", "not a duration"}},
	// logs.
	{"logs.group empty", "run", "logs = {\n    group = \"\"\n  }", "group =", []string{"logs.group", "remove it to use"}},
	{"logs.group with spaces", "run", "logs = {\n    group = \"my logs\"\n  }", "group =", []string{"logs.group", "CloudWatch Logs group name"}},
	{"logs.retention_in_days not CloudWatch's", "run", "logs = {\n    retention_in_days = 2\n  }", "retention_in_days =", []string{"logs.retention_in_days", "value must be one of"}},
	{"logs.lines negative", "run", "logs = {\n    lines = -1\n  }", "lines =", []string{"logs.lines", "between 0 and 1000"}},
	{"logs.lines above 1000", "run", "logs = {\n    lines = 100000\n  }", "lines =", []string{"logs.lines", "between 0 and 1000"}},
	// review.
	{"review.destructive_changes unknown", "run", "review = {\n    destructive_changes = \"maybe\"\n  }", "destructive_changes =", []string{"review.destructive_changes", `"allow" "warn" "deny"`}},
	{"review.pending element empty", "run", "review = {\n    pending = [\"\"]\n  }", "pending =", []string{"review.pending[0]", "pending migration"}},
	{"review.allow_destructive element empty", "run", "review = {\n    allow_destructive = [\"\"]\n  }", "allow_destructive =", []string{"review.allow_destructive[0]", "migration name"}},
	// timeouts.
	{"timeouts.create not a duration", "run", "timeouts = {\n    create = \"banana\"\n  }", "create =", []string{"timeouts.create", "duration"}},
	{"timeouts.create 1ns", "run", "timeouts = {\n    create = \"1ns\"\n  }", "create =", []string{"timeouts.create", "shorter than 1s"}},
	{"timeouts.update negative", "run", "timeouts = {\n    update = \"-5m\"\n  }", "update =", []string{"timeouts.update", "shorter than 1s"}},
	// ebmigrate_pending_migrations: the same arguments, the same rules.
	{"query task.platform_version banana", "query", "task = {\n    launch_type = \"FARGATE\"\n    platform_version = \"banana\"\n  }", "platform_version =", []string{"task.platform_version", "LATEST or a Fargate platform version"}},
	{"query task.platform_version on EC2", "query", "task = {\n    launch_type = \"EC2\"\n    platform_version = \"1.4.0\"\n  }", "platform_version =", []string{"task.platform_version", "only for Fargate tasks"}},
	{"query security_groups not IDs", "query", "task = {\n    network_configuration = {\n      security_groups = [\"banana\"]\n    }\n  }", "security_groups =", []string{"task.network_configuration.security_groups[0]", "security group ID"}},
	{"query container.environment name with =", "query", "container = {\n    environment = { \"A=B\" = \"x\" }\n  }", "environment =", []string{"container.environment", `without spaces or "="`}},
	{"query container.memory below memory_reservation", "query", "container = {\n    memory_reservation = 512\n    memory = 256\n  }", "memory = 256", []string{"memory (hard limit) of 256 MiB"}},
	{"query logs.group with spaces", "query", "logs = {\n    group = \"my logs\"\n  }", "group =", []string{"logs.group", "CloudWatch Logs group name"}},
	{"query command word with NUL", "query", `command = ["./manage.py", "migrate", "--plan\u0000"]`, "command =", []string{"command[2]", "NUL byte"}},
	{"query timeouts.read 0s", "query", "timeouts = {\n    read = \"0s\"\n  }", "read =", []string{"timeouts.read", "shorter than 1s"}},
	{"query version_label empty", "query", `version_label = ""`, "version_label =", []string{"version_label", "length must be between 1 and 100"}},
	{"query phase with --fake", "query", "phase = \"before_deploy\"\n  command = [\"./manage.py\", \"migrate\", \"--fake\"]", "command =", []string{"command[2] is an option", "(and --plan)"}},
	{"query code_operations without phase", "query", `code_operations = "after_deploy"`, "code_operations =", []string{"code_operations", "phase is not set"}},
}

// badInputsConfig writes one block per class, and where each class's
// diagnostic must point: the line of its at within its block, for a
// top-level argument; the block's first line, for a nested one.
func badInputsConfig(w *world, classes []badInput) (string, map[int]int) {
	var b strings.Builder
	b.WriteString("terraform {\n  required_providers {\n    ebmigrate = { source = \"ebmigrate/ebmigrate\" }\n  }\n}\n")
	b.WriteString(w.providerConfig())
	atLine := map[int]int{}
	for i, c := range classes {
		head := fmt.Sprintf("resource \"ebmigrate_run\" \"c%d\" {\n", i)
		if c.object == "query" {
			head = fmt.Sprintf("data \"ebmigrate_pending_migrations\" \"c%d\" {\n", i)
		}
		block := head
		if !strings.Contains(c.body, "environment_name =") {
			block += fmt.Sprintf("  environment_name = %q\n", localaws.FixtureEnv)
		}
		if c.object == "run" && !strings.Contains(c.body, "version_label =") {
			block += "  version_label = \"v1\"\n"
		}
		block += "  " + c.body + "\n}\n"
		start := strings.Count(b.String(), "\n") + 1
		for j, line := range strings.Split(block, "\n") {
			if atLine[i] == 0 && strings.HasPrefix(strings.TrimSpace(line), c.at) {
				atLine[i] = start + j
				if !strings.HasPrefix(line, "  "+c.at) {
					// Terraform places a diagnostic by its attribute path
					// through blocks and top-level attributes only
					// (internal/tfdiags/contextual.go, traversePathSteps), so
					// a nested attribute's is shown at the block's first line;
					// its message names the argument.
					atLine[i] = start
				}
			}
		}
		b.WriteString(block)
	}
	return b.String(), atLine
}

type validateOutput struct {
	Valid       bool `json:"valid"`
	Diagnostics []struct {
		Severity string `json:"severity"`
		Summary  string `json:"summary"`
		Detail   string `json:"detail"`
		Range    *struct {
			Start struct {
				Line int `json:"line"`
			} `json:"start"`
		} `json:"range"`
	} `json:"diagnostics"`
}

// TestAccCLI_badInputs: each class of mistake fails terraform validate at
// its argument, naming it, one subtest per class, all from one terraform
// validate of a configuration with a block per class (a few seconds for
// them all), and makes no AWS call.
func TestAccCLI_badInputs(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	config, atLine := badInputsConfig(w, badInputs)
	if err := c.Write(config); err != nil {
		t.Fatal(err)
	}
	raw, _ := c.Command("validate", "-json", "-no-color").Output()
	var out validateOutput
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("validate -json: %v\n%s", err, raw)
	}
	matched := map[int]bool{}
	for i, class := range badInputs {
		t.Run(class.name, func(t *testing.T) {
			var near []string
			for j, d := range out.Diagnostics {
				if d.Range == nil || d.Range.Start.Line != atLine[i] {
					continue
				}
				text := d.Summary + ": " + strings.Join(strings.Fields(d.Detail), " ")
				near = append(near, text)
				if d.Severity != "error" {
					continue
				}
				missing := false
				for _, w := range class.says {
					missing = missing || !strings.Contains(text, w)
				}
				if !missing {
					matched[j] = true
					return
				}
			}
			t.Errorf("no error at line %d (%q) saying %q; there: %q", atLine[i], class.at, class.says, near)
		})
	}
	for j, d := range out.Diagnostics {
		if d.Severity == "error" && !matched[j] {
			line := 0
			if d.Range != nil {
				line = d.Range.Start.Line
			}
			t.Errorf("an error no class expects, at line %d: %s: %s", line, d.Summary, d.Detail)
		}
	}
	if n := len(w.srv.Stats().Calls); n != 0 {
		t.Errorf("validate made %d AWS calls", n)
	}
	t.Logf("%d classes of bad input, each failing terraform validate at its argument", len(badInputs))
}

// TestAccCLI_duplicateMigrations: two ebmigrate_run of one environment with
// the same name (set, or both left to "migrate" or to the same phase, or the
// instances of a count) fail the plan at the second, naming its id and telling the first
// apart by what it runs, with nothing registered or run; a resource that
// Terraform plans twice because it replaces it (a new name, or -replace) is
// no duplicate of itself.
func TestAccCLI_duplicateMigrations(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	two := func(a, b string) string {
		return w.providerConfig() + fmt.Sprintf(`
resource "ebmigrate_run" "one" {
  environment_name = %[1]q
  version_label    = "v1"
  command          = ["sh", "-c", "echo one"]
  %[2]s
}

resource "ebmigrate_run" "two" {
  environment_name = %[1]q
  version_label    = "v1"
  command          = ["sh", "-c", "echo two"]
  %[3]s
}
`, localaws.FixtureEnv, a, b)
	}
	phased := func(a, b string) string {
		return w.providerConfig() + fmt.Sprintf(`
resource "ebmigrate_run" "one" {
  environment_name = %[1]q
  version_label    = "v1"
  phase            = %[2]q
}

resource "ebmigrate_run" "two" {
  environment_name = %[1]q
  version_label    = "v1"
  phase            = %[3]q
}
`, localaws.FixtureEnv, a, b)
	}
	counted := w.providerConfig() + fmt.Sprintf(`
resource "ebmigrate_run" "each" {
  count            = 2
  environment_name = %q
  version_label    = "v1"
}
`, localaws.FixtureEnv)
	for _, tc := range []struct{ what, config, id string }{
		{"both unnamed", two("", ""), localaws.FixtureEnv},
		{"the same name", two(`name = "cache"`, `name = "cache"`), localaws.FixtureEnv + "/cache"},
		{"unnamed and migrate", two("", `name = "migrate"`), localaws.FixtureEnv},
		{"count", counted, localaws.FixtureEnv},
		{"the same phase", phased("before_deploy", "before_deploy"), localaws.FixtureEnv + "/before_deploy"},
	} {
		c.write(tc.config)
		out, err := c.run("plan", "-input=false", "-no-color")
		if err == nil {
			t.Errorf("%s: the plan succeeded:\n%s", tc.what, out)
			continue
		}
		for _, part := range []string{"Duplicate Migration", fmt.Sprintf("have the id %q", tc.id), "Terraform planned first", "Give each"} {
			if !strings.Contains(strings.Join(strings.Fields(out), " "), part) {
				t.Errorf("%s: the plan's error does not say %q:\n%s", tc.what, part, out)
			}
		}
		if n := strings.Count(out, "Error: Duplicate Migration"); n != 1 {
			t.Errorf("%s: %d duplicate errors, want 1 (the second resource planned)", tc.what, n)
		}
	}
	if calls := w.srv.Stats().Calls; calls["ecs:RegisterTaskDefinition"]+calls["ecs:RunTask"] != 0 {
		t.Fatalf("the failed plans registered or ran: %v", calls)
	}
	// The two phases of a release have their own names, so their own ids.
	c.write(phased("before_deploy", "after_deploy"))
	if out, err := c.run("plan", "-input=false", "-no-color"); err != nil {
		t.Errorf("the plan of both phases: %v\n%s", err, out)
	}
	// A resource Terraform plans twice (its replacement) is not a duplicate.
	c.write(two(`name = "a"`, `name = "b"`))
	c.apply("two named migrations")
	c.write(two(`name = "c"`, `name = "b"`))
	c.apply("one renamed: replaced")
	if out, err := c.run("plan", "-input=false", "-no-color", "-replace=ebmigrate_run.one"); err != nil {
		t.Errorf("plan -replace: %v\n%s", err, out)
	}
}

// TestAccCLI_badInputKnownAtPlan: a mistake in a value that terraform
// validate does not know (a variable) fails the plan instead, naming the
// argument, before anything is registered or run.
func TestAccCLI_badInputKnownAtPlan(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := newCLI(t)
	c.write(`variable "platform_version" {
  default = "banana"
}
` + w.run("v1", okCommand, taskArgs(`launch_type = "FARGATE"`, "platform_version = var.platform_version")))
	if out, err := c.run("validate", "-no-color"); err != nil {
		t.Fatalf("validate (the value is not known then): %v\n%s", err, out)
	}
	out, err := c.run("plan", "-input=false", "-no-color")
	if err == nil || !strings.Contains(strings.Join(strings.Fields(out), " "), "Attribute task.platform_version must be LATEST or a Fargate platform version") {
		t.Fatalf("the plan did not fail naming task.platform_version: %v\n%s", err, out)
	}
	if calls := w.srv.Stats().Calls; calls["ecs:RegisterTaskDefinition"]+calls["ecs:RunTask"] != 0 {
		t.Errorf("the failed plan registered or ran: %v", calls)
	}
}
