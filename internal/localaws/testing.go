package localaws

// TB is the part of testing.TB that Start needs; localaws does not import
// the testing package.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Start builds a server from seed, listens on a free loopback port, and
// closes it (and every task process) when the test ends. A seed without a
// consistency block gets TestConsistency, and an unset stop grace a short
// one: every AWS behaviour stays on, with times a test suite can afford.
func Start(tb TB, seed Seed) *Server {
	tb.Helper()
	if seed.Consistency == (Consistency{}) {
		seed.Consistency = TestConsistency
	}
	seed.Timing = seed.Timing.forTests()
	srv, err := New(seed)
	if err != nil {
		tb.Fatalf("localaws: %v", err)
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		srv.Close()
		tb.Fatalf("localaws: %v", err)
	}
	tb.Cleanup(srv.Close)
	return srv
}
