package localaws

import (
	"net/http"
	"path"
	"strings"
	"time"
)

// S3's conditional writes and deletes, as S3 documents them, racing writers
// included.
//
//   - PutObject If-None-Match: * "Uploads the object only if the object key
//     name does not already exist in the bucket specified. Otherwise, Amazon
//     S3 returns a 412 Precondition Failed error." (botocore s3
//     PutObjectRequest.IfNoneMatch)
//   - PutObject If-Match: <etag> "Uploads the object only if the ETag (entity
//     tag) value provided during the WRITE operation matches the ETag of the
//     object in S3. If the ETag values do not match, the operation returns a
//     412 Precondition Failed error." (PutObjectRequest.IfMatch) On a key
//     with no object S3 answers 404 NoSuchKey (moto's AWS-verified
//     test_put_object_if_match: "It will fail when specifying an unknown key").
//   - Racing conditional writes: "If multiple conditional writes or copies
//     occur for the same object name, the first write operation to finish
//     succeeds. Amazon S3 then fails subsequent writes with a 412
//     Precondition Failed response." (S3 User Guide, "How to prevent object
//     overwrites with conditional writes", Conditional write behavior.) A
//     conditional upload here takes Consistency.S3WriteMS, and any number
//     may be in progress on one key: the first to finish is judged on its
//     condition; every other one in progress then ends with 412.
//   - 409: "If a conflicting operation occurs during the upload S3 returns a
//     409 ConditionalRequestConflict response. On a 409 failure you should
//     retry the upload." (botocore s3 PutObjectRequest.IfNoneMatch and
//     IfMatch), and the same page: "You can also receive a 409 Conflict
//     response in the case of concurrent requests if a delete request to an
//     object succeeds before a conditional write operation on that object
//     completes." Here a delete or a plain (unconditional) write that lands
//     while a conditional upload is in progress ends that upload with 409.
//   - DeleteObject If-Match: "Deletes the object if the ETag (entity tag)
//     value provided during the delete operation matches the ETag of the
//     object in S3. If the ETag values do not match, the operation returns a
//     412 Precondition Failed error. ... If-Match does accept a string value
//     of an '*' (asterisk) character to denote a match of any ETag."
//     (botocore s3 DeleteObjectRequest.IfMatch; S3 User Guide, "How to
//     perform conditional deletes": it also needs s3:GetObject.)
//
// Reads after a write are strongly consistent (S3 User Guide, "Amazon S3
// data consistency model"): a write that returned is what the next GET sees.

// writeCond is a write's precondition.
type writeCond struct {
	ifNoneMatch bool   // If-None-Match: *
	ifMatch     string // If-Match: an ETag, or *
}

func (c writeCond) conditional() bool { return c.ifNoneMatch || c.ifMatch != "" }

// writeCondition reads a PUT's conditions; bad says why one is not what S3
// accepts ("Expects the '*' (asterisk) character" for If-None-Match).
func writeCondition(r *http.Request) (c writeCond, bad string) {
	if v := strings.TrimSpace(r.Header.Get("If-None-Match")); v != "" {
		if v != "*" {
			return c, "A header you provided implies functionality that is not implemented: If-None-Match accepts only *"
		}
		c.ifNoneMatch = true
	}
	c.ifMatch = strings.TrimSpace(r.Header.Get("If-Match"))
	return c, ""
}

// s3Failure is an S3 error answer.
type s3Failure struct {
	status        int
	code, message string
	condition     []string
}

var (
	errConditionalConflict = &s3Failure{http.StatusConflict, "ConditionalRequestConflict",
		"A conflicting conditional operation is currently in progress against this resource. Please try again.", nil}
	errNoSuchKey    = &s3Failure{http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", nil}
	errNoSuchBucket = &s3Failure{http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist", nil}
)

func preconditionFailed(header string) *s3Failure {
	return &s3Failure{http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", []string{header}}
}

// upload is a conditional write in progress. conflicted is set by a plain
// write or a delete of the same key that lands before it completes (409);
// superseded by another conditional write of the key that finished first
// (412).
type upload struct{ conflicted, superseded bool }

// endUploads ends every conditional upload of full in progress: conflicted
// (409) or superseded (412). The caller holds s.mu.
func (s *Server) endUploads(full string, conflicted bool) {
	for u := range s.uploads[full] {
		if conflicted {
			u.conflicted = true
		} else {
			u.superseded = true
		}
	}
}

// storeObject keeps an object. The caller holds s.mu.
func (s *Server) storeObject(full string, body []byte) {
	s.objects[full] = body
	s.modified[full] = time.Now()
}

// conditionalWrite stores an object through commit when cond holds. A
// plain write commits at once; a conditional one takes S3WriteMS, and its
// precondition is judged when it completes.
func (s *Server) conditionalWrite(bucket, key string, cond writeCond, commit func()) *s3Failure {
	full := bucket + "/" + key
	s.mu.Lock()
	if !s.buckets[bucket] {
		s.mu.Unlock()
		return errNoSuchBucket
	}
	if !cond.conditional() {
		s.endUploads(full, true)
		commit()
		s.mu.Unlock()
		return nil
	}
	u := &upload{}
	if s.uploads[full] == nil {
		s.uploads[full] = map[*upload]bool{}
	}
	s.uploads[full][u] = true
	s.mu.Unlock()
	time.Sleep(ms(s.consistency.S3WriteMS))
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.uploads[full], u)
	if len(s.uploads[full]) == 0 {
		delete(s.uploads, full)
	}
	header := "If-Match"
	if cond.ifNoneMatch {
		header = "If-None-Match"
	}
	obj, exists := s.objects[full]
	switch {
	case u.conflicted:
		return errConditionalConflict
	case u.superseded:
		return preconditionFailed(header)
	case cond.ifNoneMatch && exists:
		return preconditionFailed("If-None-Match")
	case cond.ifMatch != "" && !exists:
		return errNoSuchKey
	case cond.ifMatch != "" && !etagMatches(cond.ifMatch, obj):
		return preconditionFailed("If-Match")
	}
	s.endUploads(full, false)
	commit()
	return nil
}

// serveS3Delete is DeleteObject (DELETE /bucket/key): 204, whether the key
// had an object or not, unless an If-Match does not hold.
func (s *Server) serveS3Delete(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	w, finish, stop := s.s3Fault(w, r, "s3:DeleteObject", key)
	if stop {
		return
	}
	defer finish()
	if te := s.throttle("s3:DeleteObject", bucket+"/"+path.Dir(key)); te != nil {
		writeS3Error(w, r, te.Status, te.Code, te.Message, key)
		return
	}
	match := strings.TrimSpace(r.Header.Get("If-Match"))
	denied := s.s3Denied(r, "s3:DeleteObject", bucket, key)
	if denied == nil && match != "" {
		denied = s.s3Denied(r, "s3:GetObject", bucket, key)
	}
	if denied != nil {
		writeS3Error(w, r, denied.Status, denied.Code, denied.Message, key)
		return
	}
	if fail := s.deleteObject(bucket, key, match); fail != nil {
		writeS3Error(w, r, fail.status, fail.code, fail.message, key, fail.condition...)
		return
	}
	s.recordS3Authz(r, "s3:DeleteObject", bucket, key)
	if match != "" {
		s.recordS3Authz(r, "s3:GetObject", bucket, key)
	}
	w.Header().Set("x-amz-request-id", requestID())
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteObject(bucket, key, match string) *s3Failure {
	full := bucket + "/" + key
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.buckets[bucket] {
		return errNoSuchBucket
	}
	obj, exists := s.objects[full]
	if match != "" {
		// "use the HTTP If-Match header with the precondition value * to
		// check if object exists" (S3 User Guide, conditional deletes).
		if !exists {
			return errNoSuchKey
		}
		if !etagMatches(match, obj) {
			return preconditionFailed("If-Match")
		}
	}
	s.endUploads(full, true)
	delete(s.objects, full)
	delete(s.modified, full)
	return nil
}

// Object is an S3 object as localaws holds it, for tests that read what a
// client wrote (the lock's record) without an S3 client of their own.
func (s *Server) Object(bucket, key string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	obj, ok := s.objects[bucket+"/"+key]
	return append([]byte(nil), obj...), ok
}
