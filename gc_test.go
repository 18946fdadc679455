package main

import "testing"

func TestTuneGC(t *testing.T) {
	cases := []struct {
		name      string
		env       map[string]string
		wantGC    int   // 0: not set
		wantLimit int64 // 0: not set
	}{
		{"nothing set: the provider's pace and limit", map[string]string{}, gcPercent, memoryLimit},
		{"GOGC set: the user's pace, the provider's limit", map[string]string{"GOGC": "100"}, 0, memoryLimit},
		{"GOMEMLIMIT set: the provider's pace, the user's limit", map[string]string{"GOMEMLIMIT": "1GiB"}, gcPercent, 0},
		{"both set: untouched", map[string]string{"GOGC": "off", "GOMEMLIMIT": "1GiB"}, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var gc int
			var limit int64
			tuneGC(func(k string) string { return c.env[k] },
				func(p int) int { gc = p; return 100 },
				func(l int64) int64 { limit = l; return 0 })
			if gc != c.wantGC || limit != c.wantLimit {
				t.Errorf("set GC percent %d and memory limit %d, want %d and %d", gc, limit, c.wantGC, c.wantLimit)
			}
		})
	}
}
