package actions

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// ScheduleActor attributes the runs of scheduled audits in a connection's timeline.
const ScheduleActor = "schedule"

// MinAuditEvery keeps a schedule from re-verifying faster than authentik and Anthropic would welcome.
const MinAuditEvery = time.Minute

// maxJitter bounds the jitter added to each wait of the schedule.
const maxJitter = 5 * time.Minute

// ScheduleOptions configure the scheduled audits of `serve --audit-every`.
type ScheduleOptions struct {
	Every time.Duration
	// Jitter is the most added at random to each wait, so that several servers do not audit the
	// same issuer at the same moment; 0: a tenth of Every, at most 5 minutes; <0: none.
	Jitter time.Duration
	Clock  Clock                       // nil: the service's
	Rand   func(n time.Duration) int64 // a number in [0, n); nil: math/rand/v2
	Logger *slog.Logger                // nil: discard
	// Done, when set, hears of each finished scheduled audit.
	Done func(AuditOutcome)
}

// ScheduleStatus is what the audit page shows of the schedule.
type ScheduleStatus struct {
	Every   time.Duration
	Next    time.Time // when the next audit starts; zero while one runs
	Running bool
	// Resumed names the scheduled audit a stop interrupted, when the schedule started a new one
	// at once because of it.
	Resumed string
}

// AuditSchedule is the schedule of this process; false when there is none.
func (s *Service) AuditSchedule() (ScheduleStatus, bool) {
	s.watch.mu.Lock()
	defer s.watch.mu.Unlock()
	if s.watch.schedule == nil {
		return ScheduleStatus{}, false
	}
	return *s.watch.schedule, true
}

func (s *Service) setSchedule(fn func(*ScheduleStatus)) {
	s.watch.mu.Lock()
	defer s.watch.mu.Unlock()
	fn(s.watch.schedule)
}

// StartAuditSchedule audits every connection every o.Every (plus jitter) as a job: the same
// audit as the audit page's button and `wifwiz audit`, with the connections' secret and API
// token references, its runs and progress stored as theirs. One audit at a time: the next wait
// starts when an audit ends. After a restart the schedule continues from the last scheduled
// audit; one that a stop interrupted is followed by a new audit at once.
func (s *Service) StartAuditSchedule(o ScheduleOptions) error {
	if o.Every < MinAuditEvery {
		return wif.Errorf(wif.EINVALID, "Audit every %v: give at least %v.", o.Every, MinAuditEvery)
	}
	if o.Clock == nil {
		o.Clock = s.clock
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Rand == nil {
		o.Rand = func(n time.Duration) int64 { return rand.Int64N(int64(n)) }
	}
	s.watch.mu.Lock()
	if s.watch.schedule != nil {
		s.watch.mu.Unlock()
		return wif.Errorf(wif.ECONFLICT, "The audit schedule already runs.")
	}
	s.watch.schedule = &ScheduleStatus{Every: o.Every}
	s.watch.mu.Unlock()
	return s.jobs.Go("audit schedule", func(ctx context.Context) { s.runSchedule(ctx, o) })
}

func (s *Service) runSchedule(ctx context.Context, o ScheduleOptions) {
	next := s.firstScheduled(ctx, o)
	for {
		s.setSchedule(func(st *ScheduleStatus) { st.Next, st.Running = next, false })
		if !sleepUntil(ctx, o.Clock, next, nil) {
			return
		}
		s.setSchedule(func(st *ScheduleStatus) { st.Next, st.Running = time.Time{}, true })
		s.scheduledAudit(ctx, o)
		if ctx.Err() != nil {
			return
		}
		next = o.Clock.Now().Add(o.Every + jitter(o))
	}
}

// firstScheduled continues from the last scheduled audit: due Every after it started, at once
// when that is past or when a stop interrupted it.
func (s *Service) firstScheduled(ctx context.Context, o ScheduleOptions) time.Time {
	now := o.Clock.Now()
	last, err := s.store.LatestAuditJobOf(ctx, wif.TriggerSchedule)
	switch {
	case err != nil:
		o.Logger.Warn("cannot read the last scheduled audit; auditing now", "error", err.Error())
		return now
	case last == nil:
		return now.Add(jitter(o))
	case last.State == wif.AuditInterrupted:
		o.Logger.Warn("the last scheduled audit was interrupted by a stop; a new one starts now",
			"interrupted", last.ID, "done", len(last.Results), "of", last.Total)
		s.setSchedule(func(st *ScheduleStatus) { st.Resumed = last.ID })
		return now
	}
	if due := last.StartedAt.Add(o.Every); due.After(now) {
		return due.Add(jitter(o))
	}
	return now.Add(jitter(o))
}

func (s *Service) scheduledAudit(ctx context.Context, o ScheduleOptions) {
	actx, cancel := context.WithTimeout(ctx, AuditTimeout)
	defer cancel()
	out, err := s.Audit(actx, AuditRequest{Trigger: wif.TriggerSchedule, Actor: ScheduleActor})
	if err != nil {
		o.Logger.Error("scheduled audit could not start", "error", err.Error())
		return
	}
	o.Logger.Info("scheduled audit done", "audit", out.JobID, "passed", out.Summary.Passed, "failed", out.Summary.Failed,
		"drifted", out.Summary.Drifted, "skipped", out.Summary.Skipped)
	if out.FinishError != nil {
		o.Logger.Error("scheduled audit's final state not stored", "audit", out.JobID, "error", out.FinishError.Error())
	}
	if o.Done != nil {
		o.Done(out)
	}
}

func jitter(o ScheduleOptions) time.Duration {
	j := o.Jitter
	if j == 0 {
		j = min(o.Every/10, maxJitter)
	}
	if j <= 0 {
		return 0
	}
	return time.Duration(o.Rand(j))
}
