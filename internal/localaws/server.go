// Package localaws is a local stand-in for the parts of AWS that the provider
// uses: Elastic Beanstalk (query protocol), ECS and CloudWatch Logs (JSON 1.1),
// served on one loopback listener, with the S3 object calls they need. It is stateful, runs ECS tasks as local
// processes, and can inject faults. It must not import any package of this
// module, so that it stays a faithful outsider.
package localaws

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Server is one local AWS world.
type Server struct {
	mu      sync.Mutex
	region  string
	account string
	images  map[string]Image
	secrets map[string]string
	timing  Timing
	// instanceMemory and instanceCPU are each container instance's capacity.
	instanceMemory, instanceCPU int
	// consistency is AWS's eventual consistency (consistency.go).
	consistency Consistency
	rng         *rand.Rand
	idSeq       int

	envs      []*environment
	clusters  map[string]*cluster
	families  map[string]*family
	tasks     map[string]*task
	taskOrder []*task
	tokens    map[string]*clientTokenRecord
	logGroups map[string]*logGroup
	faults    []*activeFault
	quotas    *quotaBook // nil when the seed turns quotas off
	calls     map[string]int
	// byApp records, for each client app id (app/<id> in the User-Agent),
	// the operations it called; ResetStats leaves it.
	byApp map[string]map[string]bool
	// authz is, for each client app id, the authorization context of its
	// resource-scoped ECS calls (authz.go); ResetStats leaves it.
	authz map[string][]AuthzRequest
	// enforced is the policy EnforcePolicy enforces, by client app id.
	enforced map[string]Authorizer
	// objects are S3 objects by "bucket/key", modified when each was
	// written; buckets the buckets that exist; uploads the conditional
	// writes in progress (s3_conditional.go).
	objects  map[string][]byte
	modified map[string]time.Time
	buckets  map[string]bool
	uploads  map[string]map[*upload]bool
	// workloads are the web tasks' workloads (workload.go).
	workloads []*workloadRun
	// versionBundles are the source bundles of versions CreateApplicationVersion made (app/label).
	versionBundles map[string]xmlSourceBundle

	closing chan struct{}
	procs   sync.WaitGroup
	ln      net.Listener
	httpSrv *http.Server

	// s3BytesServed counts GetObject body bytes, for the bench.
	s3BytesServed int64
}

// New builds the world a seed describes: environments with their clusters,
// EB's task definitions and EB's running web tasks. It does not listen yet.
func New(seed Seed) (*Server, error) {
	if err := seed.validate(); err != nil {
		return nil, err
	}
	quotas, err := newQuotaBook(seed.Quotas)
	if err != nil {
		return nil, err
	}
	s := &Server{
		quotas:         quotas,
		region:         orDefault(seed.Region, "us-east-1"),
		account:        orDefault(seed.AccountID, "123456789012"),
		images:         map[string]Image{},
		secrets:        map[string]string{},
		timing:         seed.Timing.withDefaults(),
		consistency:    seed.Consistency.withDefaults(),
		instanceMemory: orDefaultInt(seed.InstanceMemoryMB, defaultInstanceMemoryMB),
		instanceCPU:    orDefaultInt(seed.InstanceCPU, defaultInstanceCPU),
		rng:            rand.New(rand.NewSource(seed.RandomSeed + 1)),
		clusters:       map[string]*cluster{},
		families:       map[string]*family{},
		tasks:          map[string]*task{},
		tokens:         map[string]*clientTokenRecord{},
		logGroups:      map[string]*logGroup{},
		calls:          map[string]int{},
		byApp:          map[string]map[string]bool{},
		authz:          map[string][]AuthzRequest{},
		objects:        map[string][]byte{},
		modified:       map[string]time.Time{},
		buckets:        map[string]bool{},
		uploads:        map[string]map[*upload]bool{},
		closing:        make(chan struct{}),
	}
	s.mu.Lock()
	err = s.build(seed)
	s.mu.Unlock()
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) build(seed Seed) error {
	for k, v := range seed.Images {
		s.images[k] = v
	}
	for k, v := range seed.Secrets {
		s.secrets[k] = v
	}
	for _, b := range seed.S3Buckets {
		s.buckets[b] = true
	}
	for k, v := range seed.S3Objects {
		bucket, _, _ := strings.Cut(k, "/")
		s.buckets[bucket] = true
		s.storeObject(k, []byte(v))
	}
	for _, g := range seed.LogGroups {
		s.ensureLogGroup(g)
	}
	for _, c := range seed.Clusters {
		cl := s.addCluster(c.Name, c.Instances, nil)
		cl.capacityProviders, cl.defaultStrategy = c.CapacityProviders, strategyOf(c.DefaultCapacityProviderStrategy)
		if err := cl.checkDefaultStrategy(); err != nil {
			return err
		}
	}
	for _, f := range seed.Faults {
		s.faults = append(s.faults, &activeFault{Fault: f})
	}
	for i := range seed.Environments {
		if err := s.addEnvironment(seed.Environments[i]); err != nil {
			return err
		}
	}
	return nil
}

// Listen starts serving on addr, which must be a loopback address
// ("127.0.0.1:0" picks a free port).
func (s *Server) Listen(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("refusing to listen on %q: localaws listens on loopback addresses only (127.0.0.1, ::1)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.ln = ln
	s.httpSrv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.httpSrv.Serve(ln) }()
	return nil
}

// URL is the base endpoint of every service, for example http://127.0.0.1:41234.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// Close stops serving, stops every task process it started and waits for them.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.closing:
		s.mu.Unlock()
		return
	default:
		close(s.closing)
	}
	for _, t := range s.taskOrder {
		t.kill()
	}
	s.mu.Unlock()
	if s.httpSrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = s.httpSrv.Shutdown(ctx)
		cancel()
	}
	s.procs.Wait()
}

// ServeHTTP routes a request to the service it is for.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/_localaws/stats" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Stats())
	case r.URL.Path == "/_localaws/reset-stats" && r.Method == http.MethodPost:
		s.ResetStats()
		writeJSON(w, http.StatusOK, map[string]bool{"reset": true})
	case r.Method == http.MethodPost && r.Header.Get("X-Amz-Target") != "":
		s.serveJSON(w, r)
	case r.Method == http.MethodPost && isForm(r.Header.Get("Content-Type")):
		s.serveQuery(w, r)
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && !strings.HasPrefix(r.URL.Path, "/_localaws/"):
		s.serveS3Get(w, r)
	case r.Method == http.MethodPut && !strings.HasPrefix(r.URL.Path, "/_localaws/"):
		s.serveS3Put(w, r)
	case r.Method == http.MethodDelete && !strings.HasPrefix(r.URL.Path, "/_localaws/"):
		s.serveS3Delete(w, r)
	default:
		http.Error(w, "localaws: unsupported request "+r.Method+" "+r.URL.Path, http.StatusNotFound)
	}
}

// apiError is an AWS error as the wire formats carry it.
type apiError struct {
	Status  int
	Code    string
	Message string
	// Fields are the error's modelled members beside message (JSON only).
	Fields map[string]any
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func clientErr(code, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: code, Message: fmt.Sprintf(format, args...)}
}

func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	return &apiError{Status: http.StatusInternalServerError, Code: "InternalFailure", Message: err.Error()}
}

func (s *Server) nextID() int {
	s.idSeq++
	return s.idSeq
}

func (s *Server) arn(service, resource string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, s.region, s.account, resource)
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }
