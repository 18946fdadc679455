// Package tfcli runs the terraform CLI in a working directory that uses a
// locally built provider (through dev_overrides), for the tests and the
// benchmark that must see what a user sees. It imports nothing of ours.
package tfcli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Dir is a terraform working directory.
type Dir struct {
	Terraform string
	Path      string
	Env       []string
}

// New prepares dir (created if missing) to run terraform with the provider
// binary found in providerDir, offline, with static AWS credentials and no
// shared AWS configuration. terraform may be Terraform or OpenTofu.
func New(terraform, providerDir, dir string) (*Dir, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	rc := filepath.Join(dir, ".terraformrc")
	// Terraform resolves ebmigrate/ebmigrate on registry.terraform.io,
	// OpenTofu on registry.opentofu.org: each uses its own key.
	cfg := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"registry.terraform.io/ebmigrate/ebmigrate\" = %[1]q\n    \"registry.opentofu.org/ebmigrate/ebmigrate\" = %[1]q\n  }\n  direct {}\n}\n", providerDir)
	if err := os.WriteFile(rc, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_PROFILE=") {
			env = append(env, kv)
		}
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0",
		"AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=localaws", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull, "AWS_PAGER=", "AWS_DEFAULT_REGION=us-east-1")
	return &Dir{Terraform: terraform, Path: dir, Env: env}, nil
}

// Write replaces the directory's main.tf.
func (d *Dir) Write(config string) error {
	return os.WriteFile(filepath.Join(d.Path, "main.tf"), []byte(config), 0o600)
}

// Command is terraform with args, in the directory.
func (d *Dir) Command(args ...string) *exec.Cmd {
	c := exec.Command(d.Terraform, args...)
	c.Dir = d.Path
	c.Env = d.Env
	return c
}

// Run runs terraform and returns its combined output and how long it took.
func (d *Dir) Run(args ...string) (string, time.Duration, error) {
	start := time.Now()
	out, err := d.Command(args...).CombinedOutput()
	took := time.Since(start)
	if err != nil {
		return string(out), took, fmt.Errorf("terraform %s: %w", strings.Join(args, " "), err)
	}
	return string(out), took, nil
}

// ProviderConfig is a terraform block requiring the ebmigrate provider and a
// provider block that points every service at url (a localaws).
func ProviderConfig(url string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    ebmigrate = { source = "ebmigrate/ebmigrate" }
  }
}

provider "ebmigrate" {
  region = "us-east-1"
  endpoints {
    ecs              = %[1]q
    elasticbeanstalk = %[1]q
    logs             = %[1]q
    s3               = %[1]q
  }
}
`, url)
}
