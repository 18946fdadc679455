package localaws

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"path"
	"strings"
)

// S3, just GetObject with path-style addressing (GET /bucket/key), for
// Elastic Beanstalk's source bundles.

// bundleBucket is the bucket EB keeps application versions in.
func (s *Server) bundleBucket() string {
	return "elasticbeanstalk-" + s.region + "-" + s.account
}

// addBundles stores a source bundle for each version of an environment: a
// zip holding Dockerrun.aws.json (v2) with the version's images.
func (s *Server) addBundles(e *environment) error {
	for label, images := range e.versions {
		var containers []map[string]any
		for _, raw := range e.containers {
			var c map[string]any
			if err := json.Unmarshal(raw, &c); err != nil {
				return err
			}
			if img, ok := images[fmt.Sprint(c["name"])]; ok {
				c["image"] = img
			}
			containers = append(containers, c)
		}
		dockerrun, err := json.MarshalIndent(map[string]any{"AWSEBDockerrunVersion": 2, "containerDefinitions": containers}, "", "  ")
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		f, err := zw.Create("Dockerrun.aws.json")
		if err != nil {
			return err
		}
		if _, err := f.Write(dockerrun); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		key := s.bundleBucket() + "/" + e.app + "/" + label + ".zip"
		if _, seeded := s.objects[key]; !seeded {
			s.objects[key] = buf.Bytes()
		}
	}
	return nil
}

func (s *Server) serveS3(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if fe, _ := s.callFault("s3:GetObject", r.Header.Get("User-Agent")); fe != nil {
		writeS3Error(w, fe.Status, fe.Code, fe.Message, key)
		return
	}
	if te := s.throttle("s3:GetObject", bucket+"/"+path.Dir(key)); te != nil {
		writeS3Error(w, te.Status, te.Code, te.Message, key)
		return
	}
	s.mu.Lock()
	obj, ok := s.objects[bucket+"/"+key]
	s.mu.Unlock()
	if !ok {
		writeS3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", key)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", fmt.Sprint(len(obj)))
	w.Header().Set("ETag", fmt.Sprintf("\"%x\"", len(obj)))
	w.Header().Set("x-amz-request-id", requestID())
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(obj)
}

func writeS3Error(w http.ResponseWriter, status int, code, message, key string) {
	var msg, k bytes.Buffer
	_ = xml.EscapeText(&msg, []byte(message))
	_ = xml.EscapeText(&k, []byte(key))
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><Key>%s</Key><RequestId>%s</RequestId></Error>`,
		code, msg.String(), k.String(), requestID())
}
