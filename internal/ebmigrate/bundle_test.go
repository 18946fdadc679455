package ebmigrate_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

const bundleKey = "elasticbeanstalk-us-east-1-123456789012/myapp/v2.zip"

// bundleZip is localaws.PaddedBundle (padding stored, not compressed,
// around Dockerrun.aws.json), as a string for S3Objects.
func bundleZip(t *testing.T, container, image string, padding int) string {
	t.Helper()
	b, err := localaws.PaddedBundle(container, image, padding)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// defaultContainer is the container the engine migrates in by default.
func defaultContainer(t *testing.T, c ebmigrate.Clients) (*ebmigrate.Target, string) {
	t.Helper()
	target, err := ebmigrate.Discover(testCtx(t), c, ebmigrate.DiscoverInput{EnvironmentName: localaws.FixtureEnv})
	if err != nil {
		t.Fatal(err)
	}
	cd, err := ebmigrate.SelectContainer(target.SourceTaskDefinition, "")
	if err != nil {
		t.Fatal(err)
	}
	return target, aws.ToString(cd.Name)
}

// A version's bundle is read with ranged GETs: its directory and the one
// entry, not its 20 MB; and a provider process reads it once.
func TestResolveImageReadsOnlyTheBundleDirectory(t *testing.T) {
	const size = 20 << 20
	probeSrv, probe := fixture(t)
	_, container := defaultContainer(t, probe)
	probeSrv.Close()

	srv, c := fixture(t, func(s *localaws.Seed) {
		s.S3Objects = map[string]string{bundleKey: bundleZip(t, container, "example/app:v2-from-bundle", size)}
	})
	c.Bundles = ebmigrate.NewBundleCache()
	target, _ := defaultContainer(t, c)
	before := srv.S3BytesServed()
	spec, source, err := ebmigrate.ResolveImage(testCtx(t), c, target, ebmigrate.DeriveSpec{}, "v2")
	if err != nil {
		t.Fatal(err)
	}
	if spec.Image != "example/app:v2-from-bundle" || !strings.Contains(source, "s3://"+bundleKey) {
		t.Fatalf("image %q from %q", spec.Image, source)
	}
	read := srv.S3BytesServed() - before
	if read <= 0 || read > 256<<10 {
		t.Fatalf("read %d bytes of a %d-byte bundle; want the directory and one entry (at most 256 KiB)", read, size)
	}
	gets := srv.Calls("s3:GetObject")
	if _, _, err := ebmigrate.ResolveImage(testCtx(t), c, target, ebmigrate.DeriveSpec{}, "v2"); err != nil {
		t.Fatal(err)
	}
	if again := srv.Calls("s3:GetObject") - gets; again != 0 {
		t.Errorf("the second resolution in one process made %d GetObject calls, want 0 (cached)", again)
	}
	t.Logf("read %d bytes of a %d-byte bundle in %d GetObject calls", read, size, gets)
}

func TestResolveImageBundleShapes(t *testing.T) {
	probeSrv, probe := fixture(t)
	_, container := defaultContainer(t, probe)
	probeSrv.Close()
	bare, _ := json.Marshal(map[string]any{"AWSEBDockerrunVersion": 2, "containerDefinitions": []any{map[string]any{"name": container, "image": "example/app:bare"}}})
	var noDockerrun bytes.Buffer
	zw := zip.NewWriter(&noDockerrun)
	if _, err := zw.Create("app/manage.py"); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, object, image, problem string
	}{
		{"a bare Dockerrun.aws.json", string(bare), "example/app:bare", ""},
		{"a small zip", bundleZip(t, container, "example/app:small", 100), "example/app:small", ""},
		{"a zip without Dockerrun.aws.json", noDockerrun.String(), "", "Dockerrun.aws.json Not Found"},
		{"neither", "not a zip", "", "Dockerrun.aws.json Not Found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c := fixture(t, func(s *localaws.Seed) { s.S3Objects = map[string]string{bundleKey: tc.object} })
			target, _ := defaultContainer(t, c)
			spec, _, err := ebmigrate.ResolveImage(testCtx(t), c, target, ebmigrate.DeriveSpec{}, "v2")
			if tc.problem == "" {
				if err != nil || spec.Image != tc.image {
					t.Fatalf("image %q, err %v; want %q", spec.Image, err, tc.image)
				}
				return
			}
			var p *ebmigrate.ProblemError
			if !errors.As(err, &p) || p.Summary != tc.problem {
				t.Fatalf("err %v; want problem %q", err, tc.problem)
			}
		})
	}
}
