package localaws

import "net/http"

// s3Fault applies an S3 operation's faults (faults.go). An error fault
// answers at once, the call not carried out: stop. An after fault lets the
// call be carried out (a PUT lands, a DELETE deletes) and replaces its
// response with the error, as when S3's answer is lost on the way back (a
// dropped connection, a 500 InternalError after the write: "We encountered
// an internal error. Please try again.", S3 API Reference, Error
// responses); the SDK's standard retryer then sends the call again
// (aws-sdk-go-v2 retry: 5xx and connection errors are retryable), and a
// conditional write's retry meets its own first attempt (412). The handler
// writes to out, and calls finish once done.
func (s *Server) s3Fault(w http.ResponseWriter, r *http.Request, op, key string) (out http.ResponseWriter, finish func(), stop bool) {
	fe, after := s.callFault(op, r.Header.Get("User-Agent"))
	switch {
	case fe == nil:
		return w, func() {}, false
	case !after:
		writeS3Error(w, r, fe.Status, fe.Code, fe.Message, key)
		return w, nil, true
	}
	return lostResponse{header: http.Header{}}, func() { writeS3Error(w, r, fe.Status, fe.Code, fe.Message, key) }, false
}

// lostResponse is a response that never reaches the client.
type lostResponse struct{ header http.Header }

func (l lostResponse) Header() http.Header       { return l.header }
func (lostResponse) Write(b []byte) (int, error) { return len(b), nil }
func (lostResponse) WriteHeader(int)             {}
