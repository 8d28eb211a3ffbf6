package actions

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// DefaultAuditConcurrency is how many connections an audit verifies at once unless told otherwise.
const DefaultAuditConcurrency = 16

// MaxAuditConcurrency keeps an audit from opening more connections than authentik would welcome.
const MaxAuditConcurrency = 256

// AuditActor attributes audit runs in a connection's timeline when no person started the audit.
const AuditActor = "audit"

// AuditTimeout bounds one audit started in the background.
const AuditTimeout = 15 * time.Minute

// AuditRequest says what to audit and how.
type AuditRequest struct {
	Connections []wif.Connection // nil: AuditTargets(ctx, nil)
	RequireIDs  bool
	Concurrency int         // <1: DefaultAuditConcurrency
	Trigger     wif.Trigger // empty: audit
	Actor       string      // empty: AuditActor
	// Progress, when set, hears of each connection as it finishes, one call at a time.
	Progress func(AuditResult)
}

// AuditResult is what an audit found for one connection, with the run it recorded.
type AuditResult struct {
	wif.AuditResult
	Connection wif.Connection
	Run        *wif.Run       // nil when none was recorded
	Report     *verify.Report // nil when the connection was not verified
}

// AuditOutcome is a finished audit.
type AuditOutcome struct {
	JobID     string
	StartedAt time.Time
	Results   []AuditResult // in the order the connections were given
	Summary   wif.AuditSummary
	// FinishError is set when the audit ran but its final state could not be stored.
	FinishError error
}

// OK is true when no connection failed (exit 1 otherwise).
func (o AuditOutcome) OK() bool { return o.Summary.Failed == 0 }

// AuditTargets are the connections named, or every connection — except the demo connections
// when the demo issuer does not run in this process, since nothing could answer for them.
func (s *Service) AuditTargets(ctx context.Context, names []string) ([]wif.Connection, error) {
	if len(names) > 0 {
		out := make([]wif.Connection, 0, len(names))
		for _, n := range names {
			c, err := s.store.GetConnectionByName(ctx, n)
			if err != nil {
				return nil, err
			}
			out = append(out, *c)
		}
		return out, nil
	}
	f := wif.ListFilter{}
	if !s.demo {
		notDemo := false
		f.Demo = &notDemo
	}
	return s.store.ListConnections(ctx, f)
}

// Audit re-verifies the connections, at most Concurrency at once, records a run for each one
// verified and keeps the audit's progress in the store as it goes, so that a page can follow it
// and a restart finds it. A cancelled ctx skips the connections not yet started.
func (s *Service) Audit(ctx context.Context, r AuditRequest) (AuditOutcome, error) {
	r, job, err := s.prepareAudit(ctx, r)
	if err != nil {
		return AuditOutcome{}, err
	}
	return s.runAuditJob(ctx, r, job.ID), nil
}

// StartAudit runs an audit as a background job and returns its ID at once; its progress is in
// the store (AuditJob). ErrBusy when the job limit is reached.
func (s *Service) StartAudit(ctx context.Context, r AuditRequest) (string, error) {
	r, job, err := s.prepareAudit(ctx, r)
	if err != nil {
		return "", err
	}
	err = s.jobs.Go("audit "+job.ID, func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, AuditTimeout)
		defer cancel()
		s.runAuditJob(ctx, r, job.ID)
	})
	if err != nil {
		_ = s.store.FinishAuditJob(ctx, job.ID, wif.AuditInterrupted)
		return "", err
	}
	return job.ID, nil
}

func (s *Service) prepareAudit(ctx context.Context, r AuditRequest) (AuditRequest, *wif.AuditJob, error) {
	if r.Connections == nil {
		conns, err := s.AuditTargets(ctx, nil)
		if err != nil {
			return r, nil, err
		}
		r.Connections = conns
	}
	job, err := s.newAuditJob(ctx, r)
	return r, job, err
}

func (s *Service) runAuditJob(ctx context.Context, r AuditRequest, jobID string) AuditOutcome {
	out := s.runAudit(ctx, r, jobID)
	state := wif.AuditDone
	if ctx.Err() != nil {
		state = wif.AuditInterrupted
	}
	// The audit's own context may be over; its final state must still be written.
	if err := s.store.FinishAuditJob(context.WithoutCancel(ctx), jobID, state); err != nil {
		out.FinishError = err
	}
	return out
}

func (s *Service) newAuditJob(ctx context.Context, r AuditRequest) (*wif.AuditJob, error) {
	b := make([]byte, 12)
	rand.Read(b) // never fails (crypto/rand)
	job := &wif.AuditJob{ID: hex.EncodeToString(b), StartedAt: s.now().UTC(), State: wif.AuditRunning,
		Trigger: cmp.Or(r.Trigger, wif.TriggerAudit), Actor: cmp.Or(r.Actor, AuditActor), Total: len(r.Connections)}
	if err := s.store.CreateAuditJob(ctx, job); err != nil {
		return nil, err
	}
	return job, nil
}

func (s *Service) runAudit(ctx context.Context, r AuditRequest, jobID string) AuditOutcome {
	out := AuditOutcome{JobID: jobID, StartedAt: s.now().UTC(), Results: make([]AuditResult, len(r.Connections))}
	batch := s.verifier.Batch()
	type done struct {
		i int
		r AuditResult
	}
	next, finished := make(chan int), make(chan done)
	var wg sync.WaitGroup
	for range min(concurrency(r.Concurrency), len(r.Connections)) {
		wg.Go(func() {
			for i := range next {
				finished <- done{i, s.auditOne(ctx, batch, r, r.Connections[i])}
			}
		})
	}
	go func() {
		for i := range r.Connections {
			next <- i
		}
		close(next)
		wg.Wait()
		close(finished)
	}()
	for d := range finished {
		out.Results[d.i] = d.r
		out.Summary.Add(d.r.Status)
		if err := s.store.AddAuditResult(context.WithoutCancel(ctx), jobID, d.r.AuditResult); err != nil {
			d.r.Reason += " (the audit's progress could not be stored: " + err.Error() + ")"
		}
		if r.Progress != nil {
			r.Progress(d.r)
		}
	}
	return out
}

func concurrency(n int) int {
	if n < 1 {
		return DefaultAuditConcurrency
	}
	return min(n, MaxAuditConcurrency)
}

// auditOne verifies one connection and records the run.
func (s *Service) auditOne(ctx context.Context, verifyOne VerifyFunc, r AuditRequest, conn wif.Connection) AuditResult {
	res := AuditResult{Connection: conn, AuditResult: wif.AuditResult{ConnectionID: conn.ID, ConnectionName: conn.Name, Status: wif.AuditSkipped}}
	if err := ctx.Err(); err != nil {
		res.Reason = "the audit was stopped before this connection: " + err.Error()
		return res
	}
	if wif.EffectiveIssuerURL(conn) == "" {
		res.Reason = "not set up yet: no issuer URL is recorded"
		return res
	}
	secret, err := s.storedSecret(conn)
	if err != nil {
		res.Reason = "secret not available: " + s.secretReason(err)
		return res
	}
	creds, err := s.credentials(conn, Credentials{})
	if err != nil {
		res.Reason = "admin API token not available: " + s.secretReason(err)
		return res
	}
	rep, err := probe(ctx, verifyOne, wif.ProbeRequest{Connection: conn, Secret: secret, RequireIDs: r.RequireIDs,
		ConsoleToken: creds.ConsoleToken, AuthentikToken: creds.AuthentikToken})
	switch {
	case err != nil && ctx.Err() != nil:
		res.Reason = "the audit was stopped while this connection was being verified"
		return res
	case err != nil:
		res.Status, res.Reason = wif.AuditFailed, "cannot be verified as recorded: "+err.Error()
		return res
	}
	res.Report = &rep
	run, err := s.RecordRun(ctx, conn, rep, cmp.Or(r.Trigger, wif.TriggerAudit), cmp.Or(r.Actor, AuditActor))
	if err != nil {
		res.Status, res.Reason = wif.AuditFailed, "verified, but the run could not be recorded: "+err.Error()
		return res
	}
	res.Run, res.RunID, res.Summary, res.Drift = run, run.ID, run.Summary, run.Drift
	res.Status = auditStatus(rep, run)
	return res
}

// secretReason is what an audit says of an unusable secret: the detail for the command line's
// operator, the generic message in the server.
func (s *Service) secretReason(err error) string {
	if s.anyRef {
		return SecretDetail(err)
	}
	return err.Error()
}

func auditStatus(rep verify.Report, run *wif.Run) wif.AuditStatus {
	switch {
	case !rep.OK:
		return wif.AuditFailed
	case len(run.Drift) > 0:
		return wif.AuditDrifted
	}
	return wif.AuditPassed
}

// AuditJob reads a stored audit with its progress.
func (s *Service) AuditJob(ctx context.Context, id string) (*wif.AuditJob, error) {
	return s.store.GetAuditJob(ctx, id)
}

// LatestAuditJob is the newest audit, nil when none was ever run.
func (s *Service) LatestAuditJob(ctx context.Context) (*wif.AuditJob, error) {
	return s.store.LatestAuditJob(ctx)
}
