package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/authentik/emulator"
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

// TestReportVerdicts: met and missed targets are named as such, against the limit of the issuer's
// shape (one round trip for authentik's, two for any other), a missed one with its cause, and a
// section left out says so.
func TestReportVerdicts(t *testing.T) {
	ms := time.Millisecond
	res := &results{Machine: machine{Cores: 2, CPU: "Test CPU"}, Options: options{clients: 32, duration: time.Second, capacity: true},
		Checks: []checkFigure{
			{checkSetup: checkSetup{Latency: 0, Signing: emulator.RS256}, Spread: spread{N: 9, P50: 5 * ms}, Engine: spread{N: 9, P50: ms / 2}},
			{checkSetup: checkSetup{Latency: 20 * ms, Signing: emulator.RS256}, Spread: spread{N: 9, P50: 26 * ms, P95: 27 * ms}, Together: 9, MaxInFlight: 3,
				Discovered: spread{N: 9, P50: 21500 * time.Microsecond}, LastAnswer: spread{N: 9, P50: 4 * ms}, Engine: spread{N: 9, P50: ms / 2},
				PerCheck: map[string]float64{"discovery": 1, "jwks": 1, "token": 1}},
			{checkSetup: checkSetup{Latency: 50 * ms, Signing: emulator.RS256}, Spread: spread{N: 9, P50: 55 * ms, P95: 57 * ms}, Together: 9, MaxInFlight: 3},
			{checkSetup: checkSetup{Latency: 20 * ms, Signing: emulator.ES256}, Spread: spread{N: 9, P50: 21 * ms, P95: 22 * ms}, Together: 9, MaxInFlight: 3},
			{checkSetup: checkSetup{Latency: 20 * ms, Generic: true, Signing: emulator.RS256}, Spread: spread{N: 9, P50: 44 * ms, P95: 45 * ms}, MaxInFlight: 2},
			{checkSetup: checkSetup{Latency: 50 * ms, Generic: true, Signing: emulator.RS256}, Spread: spread{N: 9, P50: 118 * ms, P95: 120 * ms}, MaxInFlight: 2,
				Discovered: spread{N: 9, P50: 51 * ms}, LastAnswer: spread{N: 9, P50: 56 * ms}, Engine: spread{N: 9, P50: ms}},
		},
		Anatomy: anatomy{Discovery: spread{N: 9, P50: ms / 10}, JWKS: spread{N: 9, P50: ms / 5}, Token: spread{N: 9, P50: 4 * ms}},
		Startup: startupFigures{ToPage: spread{N: 3, P50: 50 * ms}},
	}
	var b bytes.Buffer
	renderReport(&b, res)
	doc := b.String()
	for _, want := range []string{
		"**L is the physical limit** of one check",
		"| one check at L = 20.0 ms, authentik-shaped issuer, median · p95 | ≤ 1.25 × L (limit: one round trip) | 1.30 × L · 1.35 × L | **missed** (cause below) |",
		"| one check at L = 50.0 ms, authentik-shaped issuer, median · p95 | ≤ 1.25 × L (limit: one round trip) | 1.10 × L · 1.14 × L | met |",
		"| one check at L = 20.0 ms, authentik-shaped issuer, ES256 keys, median · p95 | ≤ 1.25 × L (limit: one round trip) | 1.05 × L · 1.10 × L | met |",
		"| one check at L = 20.0 ms, other issuer (generic), median · p95 | ≤ 2.3 × L (limit: 2 round trips) | 2.20 × L · 2.25 × L | met |",
		"| one check at L = 50.0 ms, other issuer (generic), median · p95 | ≤ 2.3 × L (limit: 2 round trips) | 2.36 × L · 2.40 × L | **missed** (cause below) |",
		"| 20.0 ms | authentik (`…/application/o/<slug>/`) | RS256 | 9 |",
		"| 1 × L · ≤ 1.25 × L | L + 1.50 ms · +4.00 ms | 0.50 ms | discovery 1 · jwks 1 · token 1 | 9 of 9 (max 3) |",
		"| 2 × L · ≤ 2.3 × L |",
		"**One check at L = 20.0 ms, authentik-shaped issuer** (median 1.30 × L, p95 1.35 × L; target ≤ 1.25 × L):",
		"6.00 ms above L at the median",
		"Discovery answered after L + 1.50 ms",
		"the last answer, the token's, came 4.00 ms",
		"alone at L = 0 the token costs 4.00 ms",
		"9 of 9 checks had all three requests in flight at once.",
		"check takes 21.0 ms at the median (1.05 × L).",
		"**One check at L = 50.0 ms, other issuer (generic)** (median 2.36 × L, p95 2.40 × L; target ≤ 2.3 × L):",
		"18.0 ms above 2 × L at the median, a fixed cost that weighs more the smaller L is. Discovery answered after L + 1.00 ms",
		"came L + 6.00 ms later",
		"costs L + 4.00 ms + 0.50 ms ≈ L + 4.50 ms",
		"| start-up to the first served page (1,000 connections), median | < 200 ms | 50.0 ms | met |",
		"Test CPU, 2 cores",
		"## 3. Audit scaling",
		"Not measured in this run (`-only`).",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	for _, gone := range []string{"**2 × L is the physical limit**", "token URL recorded", "**One check at L = 50.0 ms, authentik-shaped issuer**"} {
		if strings.Contains(doc, gone) {
			t.Errorf("the report still says %q", gone)
		}
	}
}
