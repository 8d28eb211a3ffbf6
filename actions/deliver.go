package actions

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/wifwiz/wifwiz/alert"
	"github.com/wifwiz/wifwiz/wif"
)

// AlertSender posts one alert body to a webhook (the webhook package's Sender): the receiver's
// status, or an error when none answered. The error must not quote the URL.
type AlertSender interface {
	Send(ctx context.Context, url string, body []byte) (status int, err error)
}

// Defaults of DeliveryOptions.
const (
	DefaultAlertPoll        = 30 * time.Second
	DefaultAlertAttempts    = 6
	DefaultAlertBackoff     = 10 * time.Second
	maxAlertBackoff         = 10 * time.Minute
	alertSendTimeout        = 15 * time.Second
	deliveriesPerRound      = 50
	deliveryErrorMaxLength  = 300
	alertTargetGoneMessage  = "the webhook is no longer configured"
	alertPayloadLostMessage = "the alert could not be read"
)

// DeliveryOptions configure the alert deliverer of `wifwiz serve`.
type DeliveryOptions struct {
	Sender    AlertSender
	Targets   []wif.AlertTarget // from serve --alert-webhook, besides the stored ones
	PublicURL string            // the server's public URL, for the link to the report; "" when unknown
	Clock     Clock             // nil: the service's
	// Poll is how often the outbox is read for alerts recorded by other processes (wifwiz audit,
	// check --save); alerts of this process are sent at once.
	Poll        time.Duration
	MaxAttempts int           // attempts per delivery before it is marked failed
	Backoff     time.Duration // the wait after the first failure; it doubles, up to 10 minutes
	Logger      *slog.Logger
	// Observe, when set, hears of each attempt once it is recorded.
	Observe func(wif.AlertDelivery)
}

func (s *Service) alertDelivery() (DeliveryOptions, bool) {
	s.watch.mu.Lock()
	defer s.watch.mu.Unlock()
	if s.watch.delivery == nil {
		return DeliveryOptions{}, false
	}
	return *s.watch.delivery, true
}

// StartAlertDelivery delivers the recorded alerts to every webhook as a job: each alert once to
// each webhook, retried with backoff, every attempt recorded.
func (s *Service) StartAlertDelivery(o DeliveryOptions) error {
	if o.Sender == nil {
		return fmt.Errorf("alert delivery: no sender")
	}
	for _, t := range o.Targets {
		if _, err := s.webhookURL(t, true); err != nil {
			return err
		}
	}
	o.Clock = orClock(o.Clock, s.clock)
	o.Poll = orDuration(o.Poll, DefaultAlertPoll)
	o.Backoff = orDuration(o.Backoff, DefaultAlertBackoff)
	if o.MaxAttempts < 1 {
		o.MaxAttempts = DefaultAlertAttempts
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s.watch.mu.Lock()
	if s.watch.delivery != nil {
		s.watch.mu.Unlock()
		return wif.Errorf(wif.ECONFLICT, "The alert deliverer already runs.")
	}
	s.watch.delivery = &o
	s.watch.mu.Unlock()
	return s.jobs.Go("alert delivery", func(ctx context.Context) { s.runDelivery(ctx, o) })
}

func (s *Service) runDelivery(ctx context.Context, o DeliveryOptions) {
	for ctx.Err() == nil {
		next := s.deliverRound(ctx, o)
		sleepUntil(ctx, o.Clock, next, s.watch.wake)
	}
}

// deliverRound dispatches new alerts, attempts the due deliveries and says when to look again.
func (s *Service) deliverRound(ctx context.Context, o DeliveryOptions) time.Time {
	now := o.Clock.Now()
	next := now.Add(o.Poll)
	targets, err := s.AlertTargets(ctx)
	if err != nil {
		o.Logger.Error("alert webhooks could not be read", "error", err.Error())
		return next
	}
	if _, err := s.store.DispatchAlerts(ctx, targets, now); err != nil {
		o.Logger.Error("alerts could not be dispatched", "error", err.Error())
		return next
	}
	byKey := map[string]wif.AlertTarget{}
	for _, t := range targets {
		byKey[t.Key()] = t
	}
	due, err := s.store.DueDeliveries(ctx, now, deliveriesPerRound)
	if err != nil {
		o.Logger.Error("alert deliveries could not be read", "error", err.Error())
		return next
	}
	for _, d := range due {
		if ctx.Err() != nil {
			return next
		}
		s.attempt(ctx, o, d, byKey)
	}
	if len(due) == deliveriesPerRound {
		return now
	}
	if at, err := s.store.NextDeliveryAt(ctx); err == nil && !at.IsZero() && at.Before(next) {
		return at
	}
	return next
}

// attempt sends one delivery and records the outcome: delivered on a 2xx answer; otherwise
// retried after a backoff that doubles, until MaxAttempts.
func (s *Service) attempt(ctx context.Context, o DeliveryOptions, d wif.AlertDelivery, targets map[string]wif.AlertTarget) {
	t, ok := targets[d.Target]
	if !ok {
		d.State, d.LastError = wif.DeliveryFailed, alertTargetGoneMessage
	} else if body, err := s.alertBody(ctx, d, t, o.PublicURL); err != nil {
		d.State, d.LastError = wif.DeliveryFailed, alertPayloadLostMessage+": "+err.Error()
	} else if url, err := s.webhookURL(t, t.ID == 0); err != nil { // ID 0: given to serve
		d = outcome(o, d, 0, err) // a reference that does not resolve now may later: retried
	} else {
		sctx, cancel := context.WithTimeout(ctx, alertSendTimeout)
		status, serr := o.Sender.Send(sctx, url, body)
		cancel()
		d = outcome(o, d, status, serr)
	}
	if err := s.store.UpdateDelivery(context.WithoutCancel(ctx), d); err != nil {
		o.Logger.Error("alert delivery not recorded", "delivery", d.ID, "error", err.Error())
		return
	}
	o.Logger.Info("alert delivery", "alert", d.AlertID, "kind", string(d.AlertKind), "webhook", d.Label,
		"state", d.State, "attempts", d.Attempts, "status", d.LastStatus, "error", d.LastError)
	if o.Observe != nil {
		o.Observe(d)
	}
}

func outcome(o DeliveryOptions, d wif.AlertDelivery, status int, err error) wif.AlertDelivery {
	d.Attempts++
	d.LastStatus, d.LastError = status, ""
	switch {
	case err != nil:
		d.LastError = truncate(err.Error(), deliveryErrorMaxLength)
	case status < 200 || status > 299:
		d.LastError = fmt.Sprintf("the webhook answered HTTP %d", status)
	default:
		d.State = wif.DeliveryDelivered
		return d
	}
	if d.Attempts >= o.MaxAttempts {
		d.State = wif.DeliveryFailed
		return d
	}
	d.NextAt = o.Clock.Now().Add(backoff(o.Backoff, d.Attempts))
	return d
}

// backoff is the wait after the n-th failed attempt: base, then doubling, at most 10 minutes.
func backoff(base time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < maxAlertBackoff; i++ {
		d *= 2
	}
	return min(d, maxAlertBackoff)
}

func (s *Service) alertBody(ctx context.Context, d wif.AlertDelivery, t wif.AlertTarget, publicURL string) ([]byte, error) {
	a, err := s.store.GetAlert(ctx, d.AlertID)
	if err != nil {
		return nil, err
	}
	p, err := alert.Decode(a.Payload)
	if err != nil {
		return nil, err
	}
	return p.Body(t.Format, publicURL)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func orClock(c, def Clock) Clock {
	if c == nil {
		return def
	}
	return c
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
