// Command terraform-provider-ebmigrate serves the ebmigrate Terraform provider.
package main

import (
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/provider"
)

// Generate the documentation from the schema and examples/.
//go:generate go tool tfplugindocs generate --provider-name ebmigrate

// version is set by the release build (-ldflags "-X main.version=…").
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider for debuggers such as delve")
	flag.Parse()
	if !debug {
		silenceUnshownLogs(os.Getenv, os.Setenv)
	}
	tuneGCFromEnv(os.Getenv)
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	if err := tf6server.Serve("registry.terraform.io/ebmigrate/ebmigrate", provider.Server(version), opts...); err != nil {
		log.Fatal(err)
	}
}
