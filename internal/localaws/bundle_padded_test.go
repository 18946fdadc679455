package localaws_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// TestPaddedBundle: Dockerrun.aws.json with the container's image sits
// between two stored entries of half the padding each.
func TestPaddedBundle(t *testing.T) {
	const padding = 1 << 20
	b, err := localaws.PaddedBundle("web", "example/app:v9", padding)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name != "Dockerrun.aws.json" && (f.Method != zip.Store || f.UncompressedSize64 != padding/2) {
			t.Errorf("%s: method %d, %d bytes", f.Name, f.Method, f.UncompressedSize64)
		}
	}
	if len(names) != 3 || names[1] != "Dockerrun.aws.json" || len(b) < padding {
		t.Fatalf("entries %q in %d bytes", names, len(b))
	}
	rc, err := zr.File[1].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var doc struct {
		Containers []struct{ Name, Image string } `json:"containerDefinitions"`
	}
	if err := json.NewDecoder(rc).Decode(&doc); err != nil || len(doc.Containers) != 1 || doc.Containers[0].Name != "web" || doc.Containers[0].Image != "example/app:v9" {
		t.Errorf("Dockerrun.aws.json: %+v, %v", doc, err)
	}
}
