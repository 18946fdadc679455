package localaws

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// S3 PutObject (PUT /bucket/key, path-style), so that an apply can upload an
// application version's source bundle (aws_s3_object, `aws s3 cp`).

// maxObject bounds what localaws keeps in memory; AWS's single PUT limit is
// 5 GB (S3 User Guide, "Uploading objects").
const maxObject = 64 << 20

func (s *Server) serveS3Put(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if fe, _ := s.callFault("s3:PutObject", r.Header.Get("User-Agent")); fe != nil {
		writeS3Error(w, fe.Status, fe.Code, fe.Message, key)
		return
	}
	if bucket == "" || key == "" {
		writeS3Error(w, http.StatusBadRequest, "InvalidRequest", "A PUT needs a bucket and a key (path-style: /bucket/key).", key)
		return
	}
	body, err := objectBody(r)
	if err != nil {
		writeS3Error(w, http.StatusBadRequest, "IncompleteBody", err.Error(), key)
		return
	}
	s.mu.Lock()
	s.objects[bucket+"/"+key] = body
	s.mu.Unlock()
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
