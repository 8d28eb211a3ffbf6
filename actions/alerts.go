package actions

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/wifwiz/wifwiz/alert"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// alertKind is the state change run makes after prev: failing (pass → fail), recovered
// (fail → pass), or drift (a drift the previous run did not have); "" when none. A run that
// both fails and drifts raises one alert, failing, which carries its drift.
func alertKind(prev, run wif.Run) wif.AlertKind {
	switch {
	case prev.OK && !run.OK:
		return wif.AlertFailing
	case !prev.OK && run.OK:
		return wif.AlertRecovered
	}
	for _, d := range run.Drift {
		if !slices.ContainsFunc(prev.Drift, func(p wif.Drift) bool { return sameDrift(p, d) }) {
			return wif.AlertDrift
		}
	}
	return ""
}

func sameDrift(a, b wif.Drift) bool {
	return a.Kind == b.Kind && a.Before == b.Before && a.After == b.After
}

// alertOnChange records an alert in the outbox when run changes conn's state; the deliveries
// follow from the server's deliverer (StartAlertDelivery), whichever process recorded the run.
func (s *Service) alertOnChange(ctx context.Context, conn wif.Connection, prev, run wif.Run, rep verify.Report) error {
	kind := alertKind(prev, run)
	if kind == "" {
		return nil
	}
	prevOK := prev.OK
	body, err := json.Marshal(alert.New(kind, conn, run, rep, &prevOK))
	if err != nil {
		return fmt.Errorf("encode the %s alert of %q: %w", kind, conn.Name, err)
	}
	a := &wif.Alert{At: run.At, Kind: kind, ConnectionID: conn.ID, ConnectionName: conn.Name, RunID: run.ID, Payload: body}
	if err := s.store.AddAlert(ctx, a); err != nil {
		return fmt.Errorf("the run of %q was recorded, but its %s alert was not: %w", conn.Name, kind, err)
	}
	s.watch.notify()
	return nil
}

// SendTestAlert records a test alert for every webhook; the deliverer sends it at once.
func (s *Service) SendTestAlert(ctx context.Context) error {
	if _, ok := s.alertDelivery(); !ok {
		return wif.Errorf(wif.EINVALID, "Alerts are delivered by wifwiz serve; this process does not deliver them.")
	}
	targets, err := s.AlertTargets(ctx)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		return wif.Errorf(wif.EINVALID, "There is no webhook to send a test alert to: add one first.")
	}
	body, err := json.Marshal(alert.Test(s.now()))
	if err != nil {
		return err
	}
	if err := s.store.AddAlert(ctx, &wif.Alert{At: s.now().UTC(), Kind: wif.AlertTest, Payload: body}); err != nil {
		return err
	}
	s.watch.notify()
	return nil
}

// AlertTargets are the webhooks alerts go to: those given to serve (ID 0, not stored), then the
// stored ones.
func (s *Service) AlertTargets(ctx context.Context) ([]wif.AlertTarget, error) {
	stored, err := s.store.ListAlertWebhooks(ctx)
	if err != nil {
		return nil, err
	}
	var out []wif.AlertTarget
	if o, ok := s.alertDelivery(); ok {
		out = append(out, o.Targets...)
	}
	return append(out, stored...), nil
}

// AddAlertWebhook stores a webhook (format generic or slack) given as a URL or as a reference
// (env:NAME or file:/path) to one, after checking it: a reference must be one the server may
// read (wif.SecretPolicy) and give a URL that passes the same checks; the reference is stored,
// never that URL — with who added it (actor).
func (s *Service) AddAlertWebhook(ctx context.Context, value, format, actor string) (wif.AlertTarget, error) {
	t, err := wif.NewAlertTarget(value, format)
	if err != nil {
		return t, err
	}
	t.AddedBy = actor
	if t.Ref != "" {
		if !s.anyRef && !s.policy.Allows(t.Ref) {
			return t, webhookRefError(t.Ref, "this server may read only "+s.policy.Describe()+". Ask its operator, or enter the URL.")
		}
		if _, err := s.webhookURL(t, false); err != nil {
			return t, err
		}
	}
	return t, s.store.AddAlertWebhook(ctx, &t)
}

// webhookURL is where alerts to t go: its URL, or the URL its reference gives now. A reference
// from the web must (still) be one the server may read; one the operator gave to serve is
// theirs, and its errors carry the resolver's detail. Errors name the reference, never what it
// gives.
func (s *Service) webhookURL(t wif.AlertTarget, operator bool) (string, error) {
	if t.Ref == "" {
		return t.URL, wif.ValidateWebhookURL(t.URL)
	}
	if !operator && !s.anyRef && !s.policy.Allows(t.Ref) {
		return "", webhookRefError(t.Ref, "this server no longer may read it (it reads only "+s.policy.Describe()+").")
	}
	v, err := s.secrets.Resolve(t.Ref)
	if err != nil {
		if operator {
			return "", webhookRefError(t.Ref, err.Error()+".")
		}
		why := "this server cannot read it: the environment variable is not set or is empty."
		if strings.HasPrefix(t.Ref, "file:") {
			why = "this server cannot read it: the file is missing, unreadable or empty."
		}
		return "", webhookRefError(t.Ref, why)
	}
	return v, wif.ValidateResolvedWebhookURL(t.Ref, v)
}

func webhookRefError(ref, why string) error {
	msg := "Webhook " + ref + ": " + why
	return &wif.Error{Code: wif.EINVALID, Message: msg, Fields: map[string]string{"url": msg}}
}

// DeleteAlertWebhook removes a stored webhook; its pending deliveries then fail.
func (s *Service) DeleteAlertWebhook(ctx context.Context, id int64) error {
	return s.store.DeleteAlertWebhook(ctx, id)
}

// AlertDeliveries are the newest deliveries, newest first.
func (s *Service) AlertDeliveries(ctx context.Context, limit int) ([]wif.AlertDelivery, error) {
	return s.store.RecentDeliveries(ctx, limit)
}

// CountDeliveries counts the deliveries by state.
func (s *Service) CountDeliveries(ctx context.Context) (map[string]int, error) {
	return s.store.CountDeliveries(ctx)
}
