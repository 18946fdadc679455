// Command terraform-provider-ebmigrate serves the ebmigrate Terraform provider.
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

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
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         "registry.terraform.io/ebmigrate/ebmigrate",
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err)
	}
}
