package localaws

import (
	"archive/zip"
	"bytes"
	"encoding/json"
)

// PaddedBundle is a source bundle as one that ships the app's code and
// assets looks: Dockerrun.aws.json (v2, one essential container with its
// image) between two stored (uncompressed) entries of half the padding
// each, so that it is found only by the zip's central directory, not at
// either end. Tests and the bench seed it into S3Objects; FixtureSeed's app
// container is "web".
func PaddedBundle(container, image string, padding int) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(padding + 4096)
	zw := zip.NewWriter(&buf)
	pad := func(name string) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			return err
		}
		_, err = w.Write(make([]byte, padding/2))
		return err
	}
	if err := pad("static/app.js"); err != nil {
		return nil, err
	}
	w, err := zw.Create("Dockerrun.aws.json")
	if err != nil {
		return nil, err
	}
	doc := map[string]any{"AWSEBDockerrunVersion": 2, "containerDefinitions": []any{
		map[string]any{"name": container, "image": image, "essential": true, "memory": 512},
	}}
	if err := json.NewEncoder(w).Encode(doc); err != nil {
		return nil, err
	}
	if err := pad("vendor/wheels.tar"); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
