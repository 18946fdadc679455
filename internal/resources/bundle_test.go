package resources_test

import (
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/provider"
)

// bundleGets counts the provider's GetObject calls of source bundles (not
// of the migration lock, whose reads are small and apart).
func bundleGets(srv *localaws.Server) int {
	n := 0
	for _, r := range srv.AuthzRequests(provider.AppID) {
		if r.Action == "s3:GetObject" && !strings.Contains(r.Resource, "/ebmigrate/locks/") {
			n++
		}
	}
	return n
}

// TestAccCLI_bundleReadWithRangedGets: a version that is not deployed yet
// takes its image from its source bundle's Dockerrun.aws.json. Terraform runs
// one provider process for the plan and another for the apply; each reads
// the zip's directory and the one entry with ranged GETs (S3 serves Range as
// RFC 9110 says), never the bundle's 40 MB, and reads it once.
func TestAccCLI_bundleReadWithRangedGets(t *testing.T) {
	t.Parallel()
	const padding = 40 << 20
	bundle := paddedBundle(t, "web", "example/app:v3-bundled", padding)
	w := newWorld(t, func(s *localaws.Seed) {
		s.S3Objects = map[string]string{"elasticbeanstalk-us-east-1-123456789012/myapp/v3.zip": string(bundle)}
		s.Images["example/app:v3-bundled"] = s.Images["example/app:v3"]
	})
	c := newCLI(t)
	c.write(w.run("v3", okCommand))
	type reads struct {
		bytes int64
		gets  int
	}
	measure := func(args ...string) reads {
		t.Helper()
		b0, g0 := w.srv.S3BytesServed(), bundleGets(w.srv)
		if out, err := c.run(args...); err != nil {
			t.Fatalf("terraform %s: %v\n%s", args[0], err, out)
		}
		return reads{w.srv.S3BytesServed() - b0, bundleGets(w.srv) - g0}
	}
	plan := measure("plan", "-input=false", "-no-color")
	apply := measure("apply", "-auto-approve", "-input=false", "-no-color")
	// One read is at most two ranged GETs (the tail with the directory, then
	// the entry), a few hundred KiB whatever the bundle's size.
	if plan.gets < 1 || plan.gets > 2 || plan.bytes > 256<<10 {
		t.Errorf("terraform plan read %d bytes in %d GetObject calls of a %d-byte bundle; want one read of the directory and the entry", plan.bytes, plan.gets, len(bundle))
	}
	if apply.gets < 2 || apply.gets > 4 || apply.bytes > 512<<10 {
		t.Errorf("terraform apply read %d bytes in %d GetObject calls; want one read at its plan and one at the apply", apply.bytes, apply.gets)
	}
	if images := w.migratedImages(); len(images) != 1 || images[0] != "example/app:v3-bundled" {
		t.Errorf("the migration ran %v; want the bundle's example/app:v3-bundled", images)
	}
	t.Logf("plan: %d bytes in %d GETs; apply: %d bytes in %d GETs; bundle %d bytes", plan.bytes, plan.gets, apply.bytes, apply.gets, len(bundle))
}

// paddedBundle is localaws.PaddedBundle, failing the test on error.
func paddedBundle(t *testing.T, container, image string, padding int) []byte {
	t.Helper()
	b, err := localaws.PaddedBundle(container, image, padding)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
