package actions

import (
	"context"
	"sync"
	"time"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// WatchStore is what watching connections needs from persistence: their history for the
// metrics, the audits of the schedule, the alert outbox and its deliveries, and a readiness probe.
type WatchStore interface {
	WatchConnections(ctx context.Context, f wif.ListFilter) ([]wif.ConnectionWatch, error)
	LatestFinishedAudits(ctx context.Context) ([]wif.AuditJob, error)
	LatestAuditJobOf(ctx context.Context, trigger wif.Trigger) (*wif.AuditJob, error)
	CountAudits(ctx context.Context) ([]wif.AuditCount, error)
	Probe(ctx context.Context) error

	AddAlertWebhook(ctx context.Context, t *wif.AlertTarget) error
	DeleteAlertWebhook(ctx context.Context, id int64) error
	ListAlertWebhooks(ctx context.Context) ([]wif.AlertTarget, error)
	AddAlert(ctx context.Context, a *wif.Alert) error
	GetAlert(ctx context.Context, id int64) (*wif.Alert, error)
	DispatchAlerts(ctx context.Context, targets []wif.AlertTarget, at time.Time) (int, error)
	DueDeliveries(ctx context.Context, now time.Time, limit int) ([]wif.AlertDelivery, error)
	NextDeliveryAt(ctx context.Context) (time.Time, error)
	RecentDeliveries(ctx context.Context, limit int) ([]wif.AlertDelivery, error)
	UpdateDelivery(ctx context.Context, d wif.AlertDelivery) error
	CountDeliveries(ctx context.Context) (map[string]int, error)
}

// watchState is what the service keeps of its schedule and alert deliveries.
type watchState struct {
	record sync.Mutex    // one run recorded at a time, so that each state change alerts once
	wake   chan struct{} // tells the deliverer that an alert was recorded

	mu       sync.Mutex
	schedule *ScheduleStatus  // nil: no schedule in this process
	delivery *DeliveryOptions // nil: no deliveries from this process
}

func newWatchState() *watchState { return &watchState{wake: make(chan struct{}, 1)} }

func (w *watchState) notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// ConnectionState is one connection as the metrics show it.
type ConnectionState struct {
	wif.ConnectionWatch
	Report *verify.Report // the newest run's report; nil when never verified
}

// ConnectionStates reads every connection the audits cover (the demo ones only while the demo
// runs) with its newest run and report, its last success, its drift and its signing key's age.
func (s *Service) ConnectionStates(ctx context.Context) ([]ConnectionState, error) {
	f := wif.ListFilter{}
	if !s.demo {
		notDemo := false
		f.Demo = &notDemo
	}
	ws, err := s.store.WatchConnections(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]ConnectionState, len(ws))
	for i, w := range ws {
		out[i].ConnectionWatch = w
		if w.Last != nil {
			rep, err := DecodeReport(*w.Last)
			if err != nil {
				return nil, err
			}
			out[i].Report = &rep
		}
	}
	return out, nil
}

// LatestFinishedAudits is the newest finished audit of each trigger, with its results.
func (s *Service) LatestFinishedAudits(ctx context.Context) ([]wif.AuditJob, error) {
	return s.store.LatestFinishedAudits(ctx)
}

// CountAudits counts the finished audits by trigger and final state.
func (s *Service) CountAudits(ctx context.Context) ([]wif.AuditCount, error) {
	return s.store.CountAudits(ctx)
}

// Ready says whether the server can do its work: the database takes a write and has no
// migration pending.
func (s *Service) Ready(ctx context.Context) error { return s.store.Probe(ctx) }

// IdentityTokenLifetime is exp − iat of a report's token; false when the report has none.
func IdentityTokenLifetime(rep verify.Report) (time.Duration, bool) {
	if rep.Token == nil {
		return 0, false
	}
	exp, ok1 := numericClaim(rep.Token.Claims["exp"])
	iat, ok2 := numericClaim(rep.Token.Claims["iat"])
	if !ok1 || !ok2 || exp <= iat {
		return 0, false
	}
	return time.Duration(exp-iat) * time.Second, true
}

// MintedLifetime is the lifetime Anthropic mints when exchanging a fresh token like the report's:
// the rule's token lifetime (the Console default when none is recorded) bounded by twice the
// token's validity.
func MintedLifetime(c wif.Connection, rep verify.Report) (time.Duration, bool) {
	life, ok := IdentityTokenLifetime(rep)
	if !ok {
		return 0, false
	}
	rule := c.TokenLifetime
	if rule == 0 {
		rule = wif.DefaultLifetime
	}
	return wif.MintedLifetime(rule, life), true
}

func numericClaim(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		return int64(n), true
	case int64:
		return n, true
	case int:
		return int64(n), true
	}
	return 0, false
}
