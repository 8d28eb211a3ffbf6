package actions

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// JobLimits bound the background work of one process.
type JobLimits struct {
	MaxRunning int // jobs at once; <1: DefaultMaxJobs
}

// DefaultMaxJobs: enough for a team's live checks and an audit, few enough that a stuck issuer
// cannot pile up goroutines and sockets.
const DefaultMaxJobs = 8

// checkRetention is how long a finished live check can still be polled; maxChecks bounds how
// many are remembered.
const (
	checkRetention = 10 * time.Minute
	maxChecks      = 200
)

// Jobs runs background work with a lifecycle: every job gets a context that Shutdown cancels,
// Shutdown waits for them to end, and beyond MaxRunning a new job is refused with an EBUSY error
// instead of queueing without bound. It also keeps the progress of live checks for polling.
type Jobs struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	max    int

	mu      sync.Mutex
	running int
	closed  bool
	checks  map[string]*CheckJob
	order   []string // check IDs, oldest first
}

// NewJobs starts a job manager.
func NewJobs(l JobLimits) *Jobs {
	if l.MaxRunning < 1 {
		l.MaxRunning = DefaultMaxJobs
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Jobs{ctx: ctx, cancel: cancel, max: l.MaxRunning, checks: map[string]*CheckJob{}}
}

// Busy is the error for a job refused because MaxRunning jobs run.
func busy(n int) error {
	return wif.Errorf(wif.EBUSY, "wifwiz is already running %d background jobs (checks or audits); try again when one has finished.", n)
}

// Go runs fn in the background with a context that Shutdown cancels.
func (j *Jobs) Go(name string, fn func(ctx context.Context)) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	switch {
	case j.closed:
		return wif.Errorf(wif.EBUSY, "wifwiz is shutting down; %s was not started.", name)
	case j.running >= j.max:
		return busy(j.running)
	}
	j.running++
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		defer func() {
			j.mu.Lock()
			j.running--
			j.mu.Unlock()
		}()
		fn(j.ctx)
	}()
	return nil
}

// Running is how many jobs run now.
func (j *Jobs) Running() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.running
}

// Shutdown refuses new jobs, cancels the running ones and waits for them to end, at most until
// ctx is done. Only then may the database they write be closed.
func (j *Jobs) Shutdown(ctx context.Context) error {
	j.mu.Lock()
	j.closed = true
	j.mu.Unlock()
	j.cancel()
	done := make(chan struct{})
	go func() { j.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%d background jobs did not stop in time: %w", j.Running(), ctx.Err())
	}
}

// CheckStep is one stage of a live check as a page shows it.
type CheckStep struct {
	Name   string
	Status string // waiting | running | done | failed | skipped
	Detail string
}

// CheckJob is a live verification running in the background, whose progress a page polls. The
// secret lives only in the goroutine that runs it.
type CheckJob struct {
	ID           string
	ConnectionID int64
	Started      time.Time

	mu       sync.Mutex
	steps    []CheckStep
	done     bool
	err      error
	runID    int64
	finished chan struct{} // closed by finish
}

// Done is closed when the check has finished, so that a request can wait for a check it started
// while the check itself runs on the Jobs' context (a reload or a closed tab does not cancel it).
func (job *CheckJob) Done() <-chan struct{} { return job.finished }

// CheckProgress is a snapshot of a CheckJob.
type CheckProgress struct {
	ID           string
	ConnectionID int64
	Steps        []CheckStep
	Done         bool
	Err          error
	RunID        int64 // the recorded run, once done without error
}

func newCheckJob(connID int64, now time.Time) *CheckJob {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	return &CheckJob{ID: hex.EncodeToString(b), ConnectionID: connID, Started: now, finished: make(chan struct{}), steps: []CheckStep{
		{Name: wif.StepDiscovery, Status: "running", Detail: "reading the discovery document"},
		{Name: wif.StepJWKS, Status: "waiting", Detail: "the signing keys"},
		{Name: wif.StepToken, Status: "waiting", Detail: "client credentials token request"},
	}}
}

// observe records a finished stage; the JWKS and token stages start once discovery is done.
func (job *CheckJob) observe(r wif.ProbeStep) {
	job.mu.Lock()
	defer job.mu.Unlock()
	for i := range job.steps {
		st := &job.steps[i]
		if st.Name == r.Step {
			st.Status, st.Detail = "done", r.Detail
			if !r.OK {
				st.Status = "failed"
			}
		}
		if r.Step == wif.StepDiscovery && st.Name != wif.StepDiscovery && st.Status == "waiting" {
			st.Status = "running"
		}
	}
}

func (job *CheckJob) finish(runID int64, err error) {
	job.mu.Lock()
	defer job.mu.Unlock()
	job.done, job.err, job.runID = true, err, runID
	for i := range job.steps {
		if job.steps[i].Status == "running" || job.steps[i].Status == "waiting" {
			job.steps[i].Status, job.steps[i].Detail = "skipped", "not reached"
		}
	}
	close(job.finished)
}

// Progress is a snapshot of the job.
func (job *CheckJob) Progress() CheckProgress {
	job.mu.Lock()
	defer job.mu.Unlock()
	return CheckProgress{ID: job.ID, ConnectionID: job.ConnectionID, Steps: append([]CheckStep(nil), job.steps...),
		Done: job.done, Err: job.err, RunID: job.runID}
}

// addCheck remembers job, forgetting finished checks past their retention or beyond maxChecks.
func (j *Jobs) addCheck(job *CheckJob, now time.Time) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.checks[job.ID] = job
	j.order = append(j.order, job.ID)
	kept := j.order[:0]
	for i, id := range j.order {
		c := j.checks[id]
		expired := c.Progress().Done && (now.Sub(c.Started) > checkRetention || len(j.order)-i > maxChecks)
		if expired {
			delete(j.checks, id)
			continue
		}
		kept = append(kept, id)
	}
	j.order = kept
}

// Check is the live check with this ID, nil when unknown or forgotten.
func (j *Jobs) Check(id string) *CheckJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.checks[id]
}

// RunningCheck is the live check running for a connection, nil when none, so that a reloaded
// page shows it instead of inviting a second request.
func (j *Jobs) RunningCheck(connID int64) *CheckJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	for i := len(j.order) - 1; i >= 0; i-- {
		c := j.checks[j.order[i]]
		if c.ConnectionID == connID && !c.Progress().Done {
			return c
		}
	}
	return nil
}

// StartCheck verifies and records in the background, reporting progress through a CheckJob.
func (s *Service) StartCheck(r VerifyRequest) (*CheckJob, error) {
	job := newCheckJob(r.Connection.ID, s.now())
	r.Progress = job.observe
	err := s.jobs.Go("check", func(ctx context.Context) {
		v, err := s.VerifyAndRecord(ctx, r)
		var runID int64
		if v != nil {
			runID = v.Run.ID
		}
		job.finish(runID, err)
	})
	if err != nil {
		return nil, err
	}
	s.jobs.addCheck(job, s.now())
	return job, nil
}
