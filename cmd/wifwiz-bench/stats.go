package main

import (
	"fmt"
	"slices"
	"time"
)

// spread summarises a sample of durations.
type spread struct {
	N                  int
	Min, P50, P95, P99 time.Duration
	Max                time.Duration
}

// spreadOf sorts a copy of ds and reads its quantiles (nearest rank).
func spreadOf(ds []time.Duration) spread {
	if len(ds) == 0 {
		return spread{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return spread{N: len(s), Min: s[0], P50: quantile(s, 0.50), P95: quantile(s, 0.95), P99: quantile(s, 0.99), Max: s[len(s)-1]}
}

// quantile is the nearest-rank q-quantile of sorted s.
func quantile(sorted []time.Duration, q float64) time.Duration {
	rank := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(rank, len(sorted)-1))]
}

// median is the lower median of vs; 0 when empty.
func median(vs []uint64) uint64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// ms formats d in milliseconds with a precision that suits its size.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	case v >= 10:
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.2f ms", v)
}

// times is d as a multiple of unit, e.g. "2.07 × L".
func times(d, unit time.Duration) float64 { return float64(d) / float64(unit) }

// mib formats a byte count in MiB.
func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
