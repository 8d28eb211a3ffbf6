package main

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/wif"
)

// checkSetup is one configuration of the check measurement: the emulator latency L, and whether
// the connection records authentik's token URL (then the token request need not wait for
// discovery).
type checkSetup struct {
	Latency  time.Duration
	TokenURL bool
}

// checkSetups: L = 0 leaves only the work on both sides; 20 and 50 ms are issue 7's latencies,
// as the wizard sets connections up (token URL from discovery) and with --token-url.
var checkSetups = []checkSetup{{0, false}, {20 * time.Millisecond, false}, {50 * time.Millisecond, false},
	{20 * time.Millisecond, true}, {50 * time.Millisecond, true}}

// checkFigure is the wall time of one full check (probe.Runner.Verify) at one latency.
type checkFigure struct {
	checkSetup
	First       time.Duration // the first check: new TLS connections, host lookup
	Spread      spread        // the checks after it
	Engine      spread        // from the last answer to the report: wifwiz's checks alone
	PerCheck    map[string]float64
	MaxInFlight int
	Summary     string
	OtherCores  float64 // cores other processes kept busy meanwhile
	GCs         uint32  // collections in the harness (emulator and wifwiz) meanwhile
}

func measureChecks(ctx context.Context, o options) ([]checkFigure, error) {
	var out []checkFigure
	for _, setup := range checkSetups {
		f, err := measureCheck(ctx, setup, o.samples)
		if err != nil {
			return nil, fmt.Errorf("check at latency L = %s: %w", setup.Latency, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// measureCheck times one check after another against an emulator that answers after L.
func measureCheck(ctx context.Context, setup checkSetup, samples int) (checkFigure, error) {
	f := checkFigure{checkSetup: setup}
	is, err := startIssuer(setup.Latency, 1)
	if err != nil {
		return f, err
	}
	defer is.close()
	conn, err := is.connection(ctx, 0, "check")
	if err != nil {
		return f, err
	}
	if setup.TokenURL {
		conn.TokenURL = is.emu.URL() + "/application/o/token/"
	}
	runner := is.runner()
	var answered latestTime
	in := wif.ProbeRequest{Connection: conn, Secret: is.providers[0].ClientSecret,
		Progress: func(wif.ProbeStep) { answered.latest(time.Now()) }}
	is.emu.ResetCounts()
	durations, engine := make([]time.Duration, 0, samples), make([]time.Duration, 0, samples)
	others, gcs := startOtherLoad(), numGC()
	for i := 0; i <= samples; i++ {
		answered.reset()
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
		if i == 0 {
			f.First, f.Summary = took, actions.SummaryText(rep.Summary)
			continue
		}
		durations, engine = append(durations, took), append(engine, end.Sub(answered.get()))
	}
	f.OtherCores, f.GCs = others.cores(0), numGC()-gcs
	f.Spread, f.Engine = spreadOf(durations), spreadOf(engine)
	f.PerCheck = perUnit(is.emu.Counts(), samples+1)
	f.MaxInFlight = is.emu.MaxInFlight()
	return f, nil
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
