package main

import "runtime/debug"

// The provider's garbage collector runs less often than Go's default
// (GOGC=100): a plan of many ebmigrate_run is the framework decoding and
// re-encoding each resource's values, short-lived garbage that made the
// collector a quarter of the provider's CPU (pprof of a plan of 50 unchanged
// ebmigrate_run; GOGC=400 took the provider's CPU from 0.77 s to 0.58 s per
// plan). The soft memory limit keeps the heap where GOGC=100 would have it
// once the live heap is large (an apply of many migrations with long logs).
const (
	gcPercent   = 400
	memoryLimit = 64 << 20 // bytes of Go memory (heap, stacks), not the binary
)

// tuneGC sets the collector's pace and the soft memory limit, each unless the
// user set it (GOGC, GOMEMLIMIT), which Go has then applied already.
func tuneGC(getenv func(string) string, setGCPercent func(int) int, setMemoryLimit func(int64) int64) {
	if getenv("GOGC") == "" {
		setGCPercent(gcPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		setMemoryLimit(memoryLimit)
	}
}

func tuneGCFromEnv(getenv func(string) string) {
	tuneGC(getenv, debug.SetGCPercent, debug.SetMemoryLimit)
}
