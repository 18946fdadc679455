package localaws

import (
	"archive/zip"
	"bytes"
	"crypto/md5"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// S3, just GetObject with path-style addressing (GET /bucket/key), for
// Elastic Beanstalk's source bundles.

// bundleBucket is the bucket EB keeps application versions in.
func (s *Server) bundleBucket() string {
	return "elasticbeanstalk-" + s.region + "-" + s.account
}

// bundleBucketOf is the bucket an environment's versions name: the seed's
// bundle_bucket, else EB's own.
func (s *Server) bundleBucketOf(e *environment) string {
	return orDefault(e.bundleBucket, s.bundleBucket())
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
		doc := map[string]any{"AWSEBDockerrunVersion": 2, "containerDefinitions": containers}
		if a := e.authentication; a != nil {
			doc["authentication"] = map[string]string{"bucket": a.Bucket, "key": a.Key}
		}
		dockerrun, err := json.MarshalIndent(doc, "", "  ")
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
		key := s.bundleBucketOf(e) + "/" + e.app + "/" + label + ".zip"
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
	// botocore s3 GetObjectRequest.IfMatch: "Return the object only if its
	// entity tag (ETag) is the same as the one specified in this header;
	// otherwise, return a 412 Precondition Failed error."
	if m := r.Header.Get("If-Match"); m != "" && m != "*" && strings.Trim(m, "\"") != strings.Trim(objectETag(obj), "\"") {
		writeS3Error(w, http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", key)
		return
	}
	body, status, contentRange, ok := byteRange(obj, r.Header.Get("Range"))
	if !ok {
		writeS3Error(w, http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable", key)
		return
	}
	s.mu.Lock()
	s.s3BytesServed += int64(len(body))
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.Header().Set("Accept-Ranges", "bytes")
	if contentRange != "" {
		w.Header().Set("Content-Range", contentRange)
	}
	w.Header().Set("ETag", objectETag(obj))
	w.Header().Set("x-amz-request-id", requestID())
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// byteRange applies a GetObject Range header. S3 documents it as the HTTP
// Range header of RFC 9110 (botocore s3 service-2.json, GetObjectRequest.Range)
// with one range only ("Amazon S3 doesn't support retrieving multiple ranges
// of data per GET request": a multi-range header gets the whole object). A
// satisfiable range is 206 with Content-Range "bytes first-last/size"; one
// past the end is 416 InvalidRange.
func byteRange(obj []byte, header string) (body []byte, status int, contentRange string, ok bool) {
	spec, isBytes := strings.CutPrefix(strings.TrimSpace(header), "bytes=")
	if header == "" || !isBytes || strings.Contains(spec, ",") {
		return obj, http.StatusOK, "", true
	}
	size := int64(len(obj))
	first, last, found := strings.Cut(spec, "-")
	if !found {
		return obj, http.StatusOK, "", true
	}
	var from, to int64
	switch first {
	case "":
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n <= 0 {
			return obj, http.StatusOK, "", true
		}
		from, to = max(size-n, 0), size-1
	default:
		f, err := strconv.ParseInt(first, 10, 64)
		if err != nil {
			return obj, http.StatusOK, "", true
		}
		from, to = f, size-1
		if last != "" {
			l, err := strconv.ParseInt(last, 10, 64)
			if err != nil || l < f {
				return obj, http.StatusOK, "", true
			}
			to = min(l, size-1)
		}
	}
	if from >= size {
		return nil, 0, "", false
	}
	return obj[from : to+1], http.StatusPartialContent, fmt.Sprintf("bytes %d-%d/%d", from, to, size), true
}

// S3BytesServed is how many object bytes GetObject has sent since the start.
func (s *Server) S3BytesServed() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.s3BytesServed
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

// objectETag is an object's entity tag: for an object uploaded in one PUT
// without SSE-KMS, "the ETag is an MD5 digest of the object data" (S3 API
// reference, Object, ETag), quoted as S3 sends it. Any change of the bytes
// changes it, which is what If-Match relies on.
func objectETag(obj []byte) string {
	return fmt.Sprintf("\"%x\"", md5.Sum(obj))
}
