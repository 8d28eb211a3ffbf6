package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestSpreadOf(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	s := spreadOf(ds)
	if s.N != 100 || s.Min != time.Millisecond || s.P50 != 50*time.Millisecond || s.P95 != 95*time.Millisecond ||
		s.P99 != 99*time.Millisecond || s.Max != 100*time.Millisecond {
		t.Fatalf("spread = %+v", s)
	}
	if ds[0] != 100*time.Millisecond {
		t.Fatal("spreadOf sorted its argument")
	}
	if one := spreadOf([]time.Duration{7}); one.P50 != 7 || one.P99 != 7 {
		t.Fatalf("one sample: %+v", one)
	}
	if empty := spreadOf(nil); empty.N != 0 {
		t.Fatalf("no sample: %+v", empty)
	}
}

// TestReportVerdicts: met and missed targets are named as such, a missed one with its cause, and
// a section left out says so.
func TestReportVerdicts(t *testing.T) {
	res := &results{Machine: machine{Cores: 2, CPU: "Test CPU"}, Options: options{clients: 32, duration: time.Second, capacity: true},
		Checks: []checkFigure{
			{checkSetup: checkSetup{Latency: 20 * time.Millisecond}, Spread: spread{N: 9, P50: 48 * time.Millisecond, P95: 49 * time.Millisecond}},
			{checkSetup: checkSetup{Latency: 50 * time.Millisecond}, Spread: spread{N: 9, P50: 105 * time.Millisecond, P95: 108 * time.Millisecond}},
			{checkSetup: checkSetup{Latency: 20 * time.Millisecond, TokenURL: true}, Spread: spread{N: 9, P50: 42 * time.Millisecond, P95: 43 * time.Millisecond}},
		},
		Startup: startupFigures{ToPage: spread{N: 3, P50: 50 * time.Millisecond}},
	}
	var b bytes.Buffer
	renderReport(&b, res)
	doc := b.String()
	for _, want := range []string{
		"| one check at L = 20.0 ms, median · p95 | ≤ 2.3 × L | 2.40 × L · 2.45 × L | **missed** (cause below) |",
		"| one check at L = 50.0 ms, median · p95 | ≤ 2.3 × L | 2.10 × L · 2.16 × L | met |",
		"| one check at L = 20.0 ms, token URL recorded, median · p95 | ≤ 2.3 × L | 2.10 × L · 2.15 × L | met |",
		"**One check at L = 20.0 ms** (median 2.40 × L, p95 2.45 × L):",
		"8.00 ms above 2 × L at the median",
		"the same check takes 42.0 ms (2.10 × L) at the median",
		"| start-up to the first served page (1,000 connections), median | < 200 ms | 50.0 ms | met |",
		"Test CPU, 2 cores",
		"## 3. Audit scaling",
		"Not measured in this run (`-only`).",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}
