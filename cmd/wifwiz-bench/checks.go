package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/wifwiz/wifwiz/authentik"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/verify"
)

// checkLatencies are the emulator latencies L of the check measurement (issue 7), after L = 0,
// which leaves only the work on both sides.
var checkLatencies = []time.Duration{0, 20 * time.Millisecond, 50 * time.Millisecond}

// checkFigure is the wall time of one full check (probe.Runner.Verify) at one latency.
type checkFigure struct {
	Latency     time.Duration
	First       time.Duration // the first check: new TLS connections, host lookup
	Spread      spread        // the checks after it
	Engine      spread        // from the last answer to the report: wifwiz's checks alone
	PerCheck    map[string]float64
	MaxInFlight int
	Summary     string
	report      verify.Report // a real report, reused to seed the pages' database
}

func measureChecks(ctx context.Context, o options) ([]checkFigure, error) {
	var out []checkFigure
	for _, l := range checkLatencies {
		f, err := measureCheck(ctx, l, o.samples)
		if err != nil {
			return nil, fmt.Errorf("L = %s: %w", l, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// measureCheck times one check after another against an emulator that answers after latency.
func measureCheck(ctx context.Context, latency time.Duration, samples int) (checkFigure, error) {
	f := checkFigure{Latency: latency}
	is, err := startIssuer(latency, 1)
	if err != nil {
		return f, err
	}
	defer is.close()
	conn, err := is.connection(ctx, 0, "check")
	if err != nil {
		return f, err
	}
	runner := is.runner()
	var answered latestTime
	in := probe.Input{Connection: conn, Secret: is.providers[0].ClientSecret,
		Progress: func(authentik.StepResult) { answered.latest(time.Now()) }}
	is.emu.ResetCounts()
	durations, engine := make([]time.Duration, 0, samples), make([]time.Duration, 0, samples)
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
			return f, fmt.Errorf("the check failed (%s): the harness's connection is wrong", probe.SummaryText(rep.Summary))
		}
		if i == 0 {
			f.First, f.report, f.Summary = took, rep, probe.SummaryText(rep.Summary)
			continue
		}
		durations, engine = append(durations, took), append(engine, end.Sub(answered.get()))
	}
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

// perUnit divides request counts by n.
func perUnit(counts map[string]int, n int) map[string]float64 {
	out := map[string]float64{}
	for k, v := range counts {
		out[k] = float64(v) / float64(n)
	}
	return out
}
