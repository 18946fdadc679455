package main

import "runtime/debug"

// The provider's garbage collector runs less often than Go's default
// (GOGC=100): a plan of many ebmigrate_run is the framework decoding and
// re-encoding each resource's values, short-lived garbage that made the
// collector a quarter of the provider's CPU (pprof of a plan of 50 unchanged
// ebmigrate_run; GOGC=400 took the provider's CPU from 0.77 s to 0.58 s per
// plan). The soft memory limit bounds what that costs in memory: the
// collector runs at it once five times the live heap would pass it. 48 MiB
// costs a plan no more CPU than 64 MiB did, and an apply of ten migrations
// printing 20,000 lines each peaked at 75 MB resident (bench, memory; 55 MB
// at GOGC=100, 84 MB with 64 MiB, 60 MB but half the gain with 32 MiB).
const (
	gcPercent   = 400
	memoryLimit = 48 << 20 // bytes of Go memory (heap, stacks), not the binary
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
