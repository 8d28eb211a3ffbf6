package main

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/wif"
)

// checkSetup is one configuration of the check measurement: the emulator latency L, the
// issuer's shape and the providers' signing keys.
type checkSetup struct {
	Latency time.Duration
	Generic bool   // the emulator's generic issuer mode (Dex's shapes) instead of authentik's
	Signing string // emulator.RS256 (authentik's default certificate) or emulator.ES256
}

// checkSetups: L = 0 leaves only the work on both sides; 20 and 50 ms are issue 7's latencies.
// No row records a token URL: the wizard takes it from discovery. An authentik-shaped issuer
// (…/application/o/<slug>/) is checked in one round trip, any other issuer in two; ES256 keys
// show what the emulator's RS256 signing adds to the one.
var checkSetups = []checkSetup{
	{0, false, emulator.RS256}, {20 * time.Millisecond, false, emulator.RS256}, {50 * time.Millisecond, false, emulator.RS256},
	{20 * time.Millisecond, false, emulator.ES256},
	{20 * time.Millisecond, true, emulator.RS256}, {50 * time.Millisecond, true, emulator.RS256},
}

// roundTrips is the physical limit of one check in round trips: authentik's conventional URLs
// let discovery, the JWKS and the token request start together; any other issuer's JWKS and
// token endpoint come from discovery.
func (s checkSetup) roundTrips() int {
	if s.Generic {
		return 2
	}
	return 1
}

// target is the most a check may take, in multiples of L.
func (s checkSetup) target() float64 {
	if s.Generic {
		return 2.3
	}
	return 1.25
}

// checkFigure is the wall time of one full check (probe.Runner.Verify) at one latency.
type checkFigure struct {
	checkSetup
	First       time.Duration // the first check: new TLS connections, host lookup
	Spread      spread        // the checks after it
	Discovered  spread        // from the start to discovery's answer: one round trip as the check sees it
	LastAnswer  spread        // from discovery's answer to the last answer
	Engine      spread        // from the last answer to the report: wifwiz's checks alone
	PerCheck    map[string]float64
	MaxInFlight int // the most requests the emulator answered at once during one check
	Together    int // checks during which discovery, JWKS and token were in flight at once
	Summary     string
	OtherCores  float64 // cores other processes kept busy meanwhile
	GCs         uint32  // collections in the harness (emulator and wifwiz) meanwhile
}

// met reports whether median and p95 are within the target.
func (c checkFigure) met() bool {
	return times(c.Spread.P50, c.Latency) <= c.target() && times(c.Spread.P95, c.Latency) <= c.target()
}

func measureChecks(ctx context.Context, o options) ([]checkFigure, error) {
	var out []checkFigure
	for _, setup := range checkSetups {
		f, err := measureCheck(ctx, setup, o.samples)
		if err != nil {
			return nil, fmt.Errorf("check at latency L = %s%s: %w", setup.Latency, setup.note(), err)
		}
		out = append(out, f)
	}
	return out, nil
}

// measureCheck times one check after another against an emulator that answers after L.
func measureCheck(ctx context.Context, setup checkSetup, samples int) (checkFigure, error) {
	f := checkFigure{checkSetup: setup}
	var opts []emulator.Option
	if setup.Generic {
		opts = append(opts, emulator.WithGenericIssuer())
	}
	is, err := startSigningIssuer(setup.Latency, 1, setup.Signing, opts...)
	if err != nil {
		return f, err
	}
	defer is.close()
	conn, err := is.connection(ctx, 0, "check")
	if err != nil {
		return f, err
	}
	if setup.Generic {
		if conn, err = is.observedSubject(ctx, conn); err != nil {
			return f, err
		}
	}
	runner := is.runner()
	var answered, discovered latestTime
	in := wif.ProbeRequest{Connection: conn, Secret: is.providers[0].ClientSecret,
		Progress: func(s wif.ProbeStep) {
			now := time.Now()
			answered.latest(now)
			if s.Step == wif.StepDiscovery {
				discovered.latest(now)
			}
		}}
	counts := map[string]int{}
	var durations, toDiscovery, lastAnswer, engine []time.Duration
	others, gcs := startOtherLoad(), numGC()
	for i := 0; i <= samples; i++ {
		answered.reset()
		discovered.reset()
		is.emu.ResetCounts()
		start := time.Now()
		rep, err := runner.Verify(ctx, in)
		end := time.Now()
		took := end.Sub(start)
		if err != nil {
			return f, err
		}
		if !rep.OK {
			return f, fmt.Errorf("the check failed (%s): the harness's connection is wrong", actions.SummaryText(rep.Summary))
		}
		for k, v := range is.emu.Counts() {
			counts[k] += v
		}
		inFlight := is.emu.MaxInFlight()
		f.MaxInFlight = max(f.MaxInFlight, inFlight)
		if i == 0 {
			f.First, f.Summary = took, actions.SummaryText(rep.Summary)
			continue
		}
		if inFlight >= 3 {
			f.Together++
		}
		durations, engine = append(durations, took), append(engine, end.Sub(answered.get()))
		toDiscovery, lastAnswer = append(toDiscovery, discovered.get().Sub(start)), append(lastAnswer, answered.get().Sub(discovered.get()))
	}
	f.OtherCores, f.GCs = others.cores(0), numGC()-gcs
	f.Spread, f.Engine = spreadOf(durations), spreadOf(engine)
	f.Discovered, f.LastAnswer = spreadOf(toDiscovery), spreadOf(lastAnswer)
	f.PerCheck = perUnit(counts, samples+1)
	if setup.Latency > 0 && !setup.Generic && f.Together == 0 {
		return f, fmt.Errorf("discovery, JWKS and token were never in flight together (at most %d at once, requests per check %s): the check did not take the one-round-trip path",
			f.MaxInFlight, countsText(f.PerCheck))
	}
	return f, nil
}

// observedSubject records the sub the issuer puts in its tokens as the Console's subject, as the
// wizard pre-fills it from the sample token: a generic issuer's sub is its own (Dex's is opaque).
func (is *issuer) observedSubject(ctx context.Context, conn wif.Connection) (wif.Connection, error) {
	rep, err := is.runner().Verify(ctx, wif.ProbeRequest{Connection: conn, Secret: is.providers[0].ClientSecret})
	if err != nil {
		return conn, err
	}
	var sub string
	if rep.Token != nil {
		sub, _ = rep.Token.Claims["sub"].(string)
	}
	if sub == "" {
		return conn, fmt.Errorf("the issuer's token has no sub (%s)", actions.SummaryText(rep.Summary))
	}
	conn.SubjectPrefix = sub
	return conn, nil
}

// latestTime keeps the latest of the times it is told, from concurrent callers.
type latestTime struct {
	mu sync.Mutex
	t  time.Time
}

func (a *latestTime) latest(t time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if t.After(a.t) {
		a.t = t
	}
}

func (a *latestTime) get() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.t
}

func (a *latestTime) reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.t = time.Time{}
}

func numGC() uint32 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.NumGC
}

// perUnit divides request counts by n.
func perUnit(counts map[string]int, n int) map[string]float64 {
	out := map[string]float64{}
	for k, v := range counts {
		out[k] = float64(v) / float64(n)
	}
	return out
}
