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

// S3 with path-style addressing (/bucket/key): GetObject and HeadObject
// here, for Elastic Beanstalk's source bundles and the provider's lock
// objects; PutObject and DeleteObject, with their conditions, in
// s3_conditional.go. Buckets exist when a seed names them, when an
// environment's versions are in them, or once CreateStorageLocation made
// Elastic Beanstalk's; any other bucket is NoSuchBucket, as on S3.

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
		s.buckets[s.bundleBucketOf(e)] = true
		key := s.bundleBucketOf(e) + "/" + e.app + "/" + label + ".zip"
		if _, seeded := s.objects[key]; !seeded {
			s.storeObject(key, buf.Bytes())
		}
	}
	return nil
}

// serveS3Get is GetObject and HeadObject (GET and HEAD /bucket/key).
func (s *Server) serveS3Get(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	op := "s3:GetObject"
	if r.Method == http.MethodHead {
		op = "s3:HeadObject"
	}
	w, finish, stop := s.s3Fault(w, r, op, key)
	if stop {
		return
	}
	defer finish()
	if te := s.throttle(op, bucket+"/"+path.Dir(key)); te != nil {
		writeS3Error(w, r, te.Status, te.Code, te.Message, key)
		return
	}
	s.mu.Lock()
	obj, ok := s.objects[bucket+"/"+key]
	modified := s.modified[bucket+"/"+key]
	bucketKnown := s.buckets[bucket]
	s.mu.Unlock()
	if !bucketKnown {
		writeS3Error(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist", key)
		return
	}
	// GetObject is authorized as s3:GetObject, HeadObject too (S3 API
	// Reference, HeadObject: "you must have the s3:GetObject permission").
	if denied := s.s3Denied(r, "s3:GetObject", bucket, key); denied != nil {
		writeS3Error(w, r, denied.Status, denied.Code, denied.Message, key)
		return
	}
	if !ok {
		// botocore s3 GetObject (HeadObject the same): "If the object that
		// you request doesn't exist, the error that Amazon S3 returns
		// depends on whether you also have the s3:ListBucket permission. If
		// you have the s3:ListBucket permission on the bucket, Amazon S3
		// returns an HTTP status code 404 Not Found error. If you don't have
		// the s3:ListBucket permission, Amazon S3 returns an HTTP status
		// code 403 Access Denied error." Judged for a client under an
		// enforced policy; any other client has every permission.
		if denied := s.s3BucketDenied(r, "s3:ListBucket", bucket); denied != nil {
			writeS3Error(w, r, denied.Status, denied.Code, denied.Message, key)
			return
		}
		writeS3Error(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", key)
		return
	}
	s.recordS3Authz(r, "s3:GetObject", bucket, key)
	// botocore s3 GetObjectRequest.IfMatch: "Return the object only if its
	// entity tag (ETag) is the same as the one specified in this header;
	// otherwise, return a 412 Precondition Failed error." (HeadObject the same.)
	if m := r.Header.Get("If-Match"); m != "" && !etagMatches(m, obj) {
		writeS3Error(w, r, http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", key, "If-Match")
		return
	}
	// GetObjectRequest.IfNoneMatch: "Return the object only if its entity
	// tag (ETag) is different from the one specified in this header;
	// otherwise, return a 304 Not Modified".
	if m := r.Header.Get("If-None-Match"); m != "" && etagMatches(m, obj) {
		w.Header().Set("ETag", objectETag(obj))
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body, status, contentRange, ok := byteRange(obj, r.Header.Get("Range"))
	if !ok {
		writeS3Error(w, r, http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable", key)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.Header().Set("Accept-Ranges", "bytes")
	if contentRange != "" {
		w.Header().Set("Content-Range", contentRange)
	}
	w.Header().Set("ETag", objectETag(obj))
	if !modified.IsZero() {
		w.Header().Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	w.Header().Set("x-amz-request-id", requestID())
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	s.mu.Lock()
	s.s3BytesServed += int64(len(body))
	s.mu.Unlock()
	_, _ = w.Write(body)
}

// etagMatches compares an If-Match or If-None-Match value with an object's
// ETag: "*" matches any object, and S3 accepts an ETag with or without its
// quotes (moto's AWS-verified test_put_object_if_match: "S3 is flexible - it
// will accept ETags without quotes").
func etagMatches(header string, obj []byte) bool {
	h := strings.TrimSpace(header)
	return h == "*" || strings.Trim(h, "\"") == strings.Trim(objectETag(obj), "\"")
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

// writeS3Error writes S3's XML error (S3 API Reference, "Error
// responses"); a failed precondition names it in <Condition>. A HEAD
// response has no body: the SDK tells errors apart by status alone.
func writeS3Error(w http.ResponseWriter, r *http.Request, status int, code, message, key string, condition ...string) {
	w.Header().Set("x-amz-request-id", requestID())
	if r != nil && r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	var msg, k bytes.Buffer
	_ = xml.EscapeText(&msg, []byte(message))
	_ = xml.EscapeText(&k, []byte(key))
	extra := ""
	if len(condition) > 0 {
		extra = "<Condition>" + condition[0] + "</Condition>"
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><Key>%s</Key>%s<RequestId>%s</RequestId></Error>`,
		code, msg.String(), k.String(), extra, requestID())
}

// objectETag is an object's entity tag: for an object uploaded in one PUT
// without SSE-KMS, "the ETag is an MD5 digest of the object data" (S3 API
// reference, Object, ETag), quoted as S3 sends it. Any change of the bytes
// changes it, which is what If-Match relies on.
func objectETag(obj []byte) string {
	return fmt.Sprintf("\"%x\"", md5.Sum(obj))
}
