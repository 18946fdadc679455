package localaws

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// S3 PutObject (PUT /bucket/key, path-style), so that an apply can upload an
// application version's source bundle (aws_s3_object, `aws s3 cp`) and the
// provider can write its lock objects with conditions (s3_conditional.go).

// maxObject bounds what localaws keeps in memory; AWS's single PUT limit is
// 5 GB (S3 User Guide, "Uploading objects").
const maxObject = 64 << 20

func (s *Server) serveS3Put(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	w, finish, stop := s.s3Fault(w, r, "s3:PutObject", key)
	if stop {
		return
	}
	defer finish()
	if bucket == "" || key == "" {
		writeS3Error(w, r, http.StatusBadRequest, "InvalidRequest", "A PUT needs a bucket and a key (path-style: /bucket/key).", key)
		return
	}
	if te := s.throttle("s3:PutObject", bucket+"/"+path.Dir(key)); te != nil {
		writeS3Error(w, r, te.Status, te.Code, te.Message, key)
		return
	}
	body, err := objectBody(r)
	if err != nil {
		writeS3Error(w, r, http.StatusBadRequest, "IncompleteBody", err.Error(), key)
		return
	}
	cond, bad := writeCondition(r)
	if bad != "" {
		writeS3Error(w, r, http.StatusNotImplemented, "NotImplemented", bad, key)
		return
	}
	denied := s.s3Denied(r, "s3:PutObject", bucket, key)
	if denied == nil && cond.ifMatch != "" {
		// An If-Match write compares the object's ETag, so it needs
		// s3:GetObject on the object as well as s3:PutObject (S3 User
		// Guide, "How to prevent object overwrites with conditional
		// writes", section "How to prevent overwrites if the object has
		// changed"; paraphrased: the page could not be quoted from here),
		// as a conditional delete does (s3_conditional.go).
		denied = s.s3Denied(r, "s3:GetObject", bucket, key)
	}
	if denied != nil {
		writeS3Error(w, r, denied.Status, denied.Code, denied.Message, key)
		return
	}
	if fail := s.conditionalWrite(bucket, key, cond, func() { s.storeObject(bucket+"/"+key, body) }); fail != nil {
		writeS3Error(w, r, fail.status, fail.code, fail.message, key, fail.condition...)
		return
	}
	s.recordS3Authz(r, "s3:PutObject", bucket, key)
	if cond.ifMatch != "" {
		s.recordS3Authz(r, "s3:GetObject", bucket, key)
	}
	w.Header().Set("ETag", objectETag(body))
	w.Header().Set("x-amz-request-id", requestID())
	w.WriteHeader(http.StatusOK)
}

// objectBody is the object a PUT carries. SDKs that compute a checksum send
// it as a trailer after an aws-chunked body (Content-Encoding aws-chunked,
// x-amz-content-sha256 STREAMING-…, x-amz-decoded-content-length), as the S3
// API Reference's "Signature Calculations for the Authorization Header:
// Transferring Payload in Multiple Chunks" describes: chunks of
// "<hex size>[;chunk-signature=…]\r\n<data>\r\n", ending with a 0-size chunk
// and optional trailers.
func objectBody(r *http.Request) ([]byte, error) {
	body := io.LimitReader(r.Body, maxObject+1)
	chunked := strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") ||
		strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-")
	if !chunked {
		raw, err := io.ReadAll(body)
		if err == nil && len(raw) > maxObject {
			err = errors.New("localaws keeps objects up to 64 MiB")
		}
		return raw, err
	}
	br := bufio.NewReader(body)
	var out []byte
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("aws-chunked body: %v", err)
		}
		sizeHex, _, _ := strings.Cut(strings.TrimSpace(line), ";")
		size, err := strconv.ParseInt(sizeHex, 16, 64)
		if err != nil || size < 0 || int64(len(out))+size > maxObject {
			return nil, fmt.Errorf("aws-chunked body: bad chunk size %q", sizeHex)
		}
		if size == 0 {
			break // trailers (the checksum) follow; they are not kept
		}
		chunk := make([]byte, size)
		if _, err := io.ReadFull(br, chunk); err != nil {
			return nil, fmt.Errorf("aws-chunked body: %v", err)
		}
		out = append(out, chunk...)
		if _, err := br.ReadString('\n'); err != nil {
			return nil, fmt.Errorf("aws-chunked body: %v", err)
		}
	}
	if n := r.Header.Get("X-Amz-Decoded-Content-Length"); n != "" && n != strconv.Itoa(len(out)) {
		return nil, fmt.Errorf("aws-chunked body: %d bytes, x-amz-decoded-content-length says %s", len(out), n)
	}
	return out, nil
}
