// Package audit re-verifies stored connections: many at once with bounded concurrency, sharing
// one authentik.IssuerCache per audit so that each issuer's discovery document and JWKS are
// fetched once. Each connection's secret comes from its stored reference at the moment it is
// needed and is never kept. It also assembles a connection's hand-off checklist from its history.
package audit

import (
	"context"
	"sync"
	"time"

	"github.com/wifwiz/wifwiz/authentik"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/secretref"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// DefaultConcurrency is how many connections an audit verifies at once unless told otherwise.
const DefaultConcurrency = 16

// Actor is how audit runs are attributed in a connection's timeline.
const Actor = "audit"

// Status is what an audit found for one connection.
type Status string

const (
	Passed  Status = "passed"  // no check failed and nothing drifted since the last passing run
	Drifted Status = "drifted" // no check failed, but something changed since the last passing run
	Failed  Status = "failed"  // a check failed, or the connection cannot be verified as recorded
	Skipped Status = "skipped" // not verified: no secret available, or not set up yet
)

// Verifier runs one verification; *probe.Runner is one.
type Verifier interface {
	Verify(ctx context.Context, in probe.Input) (verify.Report, error)
}

// Auditor re-verifies connections and records each run with its drift.
type Auditor struct {
	Store       probe.RunStore
	Verifier    Verifier
	Getenv      func(string) string // resolves env: secret references
	Concurrency int                 // <1: DefaultConcurrency
	RequireIDs  bool                // missing Console IDs fail instead of skip
	Now         func() time.Time    // nil: time.Now
}

// Result is what the audit found for one connection.
type Result struct {
	Connection wif.Connection
	Status     Status
	Run        *wif.Run       // the recorded run, with its drift; nil when none was recorded
	Report     *verify.Report // nil when the connection was not verified
	Reason     string         // why it was skipped, or why it could not be verified
}

// Drift is the run's drift from the last passing run; nil without a run.
func (r Result) Drift() []wif.Drift {
	if r.Run == nil {
		return nil
	}
	return r.Run.Drift
}

// Summary counts the connections by status.
type Summary struct {
	Total   int `json:"total"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Drifted int `json:"drifted"`
	Skipped int `json:"skipped"`
}

func (s *Summary) add(st Status) {
	s.Total++
	switch st {
	case Passed:
		s.Passed++
	case Failed:
		s.Failed++
	case Drifted:
		s.Drifted++
	case Skipped:
		s.Skipped++
	}
}

// Outcome is a finished audit.
type Outcome struct {
	StartedAt time.Time
	Results   []Result // in the order the connections were given
	Summary   Summary
}

// OK is true when no connection failed (checks.md: exit 1 otherwise).
func (o Outcome) OK() bool { return o.Summary.Failed == 0 }

// Run verifies conns, at most Concurrency at once, and records a run for each one verified.
// progress, when given, is called once per connection as it finishes, from one goroutine at a
// time. A cancelled ctx skips the connections not yet started.
func (a *Auditor) Run(ctx context.Context, conns []wif.Connection, progress func(Result)) Outcome {
	out := Outcome{StartedAt: a.now().UTC(), Results: make([]Result, len(conns))}
	cache := &authentik.IssuerCache{}
	type done struct {
		i int
		r Result
	}
	next, finished := make(chan int), make(chan done)
	var wg sync.WaitGroup
	for range min(a.concurrency(), len(conns)) {
		wg.Go(func() {
			for i := range next {
				finished <- done{i, a.audit(ctx, cache, conns[i])}
			}
		})
	}
	go func() {
		for i := range conns {
			next <- i
		}
		close(next)
		wg.Wait()
		close(finished)
	}()
	for d := range finished {
		out.Results[d.i] = d.r
		out.Summary.add(d.r.Status)
		if progress != nil {
			progress(d.r)
		}
	}
	return out
}

func (a *Auditor) concurrency() int {
	if a.Concurrency < 1 {
		return DefaultConcurrency
	}
	return a.Concurrency
}

func (a *Auditor) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// audit verifies one connection and records the run.
func (a *Auditor) audit(ctx context.Context, cache *authentik.IssuerCache, conn wif.Connection) Result {
	res := Result{Connection: conn, Status: Skipped}
	if err := ctx.Err(); err != nil {
		res.Reason = "the audit was stopped before this connection: " + err.Error()
		return res
	}
	if !configured(conn) {
		res.Reason = "not set up yet: no issuer URL is recorded"
		return res
	}
	secret, err := secretref.Resolve(conn.SecretRef, a.Getenv)
	if err != nil {
		res.Reason = "secret not available: " + err.Error()
		return res
	}
	rep, err := a.Verifier.Verify(ctx, probe.Input{Connection: conn, Secret: secret, RequireIDs: a.RequireIDs, Cache: cache})
	if err != nil {
		res.Status, res.Reason = Failed, "cannot be verified as recorded: "+err.Error()
		return res
	}
	res.Report = &rep
	run, err := probe.Record(ctx, a.Store, conn, rep, wif.TriggerAudit, Actor)
	if err != nil {
		res.Status, res.Reason = Failed, "verified, but the run could not be recorded: "+err.Error()
		return res
	}
	res.Run = run
	res.Status = statusOf(rep, run)
	return res
}

func configured(c wif.Connection) bool {
	return c.IssuerURL != "" || c.AuthentikURL != "" && c.AppSlug != ""
}

func statusOf(rep verify.Report, run *wif.Run) Status {
	switch {
	case !rep.OK:
		return Failed
	case len(run.Drift) > 0:
		return Drifted
	}
	return Passed
}
