package main

// unshownLogLevels are the log level variables of the plugin SDK's loggers
// (terraform-plugin-go's protocol logger, the framework's, the SDK root) and
// of the provider's own (tflog, TF_LOG_PROVIDER_<NAME>).
var unshownLogLevels = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_EBMIGRATE"}

// silenceUnshownLogs turns the provider's loggers off when Terraform will not
// show what they say. Terraform starts the provider with its own environment
// and keeps a provider's log lines only when TF_LOG or TF_LOG_PROVIDER sets a
// level; without either it parses every line the provider writes to stderr
// and throws it away. The SDK's loggers, left unset, default to TRACE: a
// JSON-encoded line per attribute per RPC, a third of the provider's CPU in
// a plan (pprof of PlanResourceChange and ValidateResourceConfig: hclog
// logJSON under fwserver.SchemaModifyPlan and AttributeValidate). A level the
// user set explicitly is kept.
func silenceUnshownLogs(getenv func(string) string, setenv func(string, string) error) {
	if getenv("TF_LOG") != "" || getenv("TF_LOG_PROVIDER") != "" {
		return
	}
	for _, v := range unshownLogLevels {
		if getenv(v) == "" {
			_ = setenv(v, "off")
		}
	}
}
