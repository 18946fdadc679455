package main

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

type report struct{ strings.Builder }

func (r *report) line(format string, args ...any) { fmt.Fprintf(r, format, args...) }

func (r *report) header(o options, e *benchEnv) {
	r.line("# Benchmarks\n\n")
	r.line("Written by `make bench` (`go run ./cmd/bench`) on %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	r.line("- Machine: %s\n", machine())
	r.line("- Terraform: %s\n", e.tfVersion)
	cli := "not on PATH: the comparison with the CLI script is skipped"
	if e.awsCLI != "" {
		cli = e.awsCLI
	}
	r.line("- AWS CLI: %s\n", cli)
	r.line("- Everything runs against `localaws` on loopback; each figure is the median of %d runs, with min and max.\n", o.repeats)
	if o.quick {
		r.line("- **Quick mode**: shorter tasks; these figures are not the benchmark's.\n")
	}
	r.line("\nHow to read it: each figure states its target beside it and whether it is met. " +
		"Times are wall-clock on a shared machine, so they are compared as ratios measured in the same run where a comparison is made.\n")
}

// summary is median, min and max of some durations.
type summary struct{ med, min, max time.Duration }

func summarize(ds []time.Duration) summary {
	s := append([]time.Duration{}, ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s) == 0 {
		return summary{}
	}
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return summary{med: med, min: s[0], max: s[len(s)-1]}
}

func (s summary) String() string {
	return fmt.Sprintf("%s (min %s, max %s)", round(s.med), round(s.min), round(s.max))
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	default:
		return d.Round(time.Millisecond)
	}
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}
