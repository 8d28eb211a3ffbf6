package actions_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/wif"
)

// lockedEnv is an environment a test changes while the deliverer reads it.
type lockedEnv struct {
	mu   sync.Mutex
	vars map[string]string
}

func (e *lockedEnv) get(k string) string { e.mu.Lock(); defer e.mu.Unlock(); return e.vars[k] }
func (e *lockedEnv) set(k, v string)     { e.mu.Lock(); defer e.mu.Unlock(); e.vars[k] = v }

// TestWebhookReferencesResolvedAtEachDelivery: a reference given to serve may name any variable
// (the operator's own) and is delivered to the URL it gives; a stored reference that stops
// resolving records an attempt that names it, is retried, and is delivered once it resolves.
func TestWebhookReferencesResolvedAtEachDelivery(t *testing.T) {
	db, _ := testenv.OpenStore(t)
	clock := clockwork.NewFakeClock()
	rcv := newReceiver(t, nil)
	env := &lockedEnv{vars: map[string]string{"SLACK_HOOK": rcv.URL + "/slack/S3cret", "WIFWIZ_SECRET_HOOK": rcv.URL + "/stored/S3cret"}}
	svc := testenv.Service(t, db, &probe.Runner{}, testenv.ServiceOptions{Clock: clock, Getenv: env.get})
	ctx := context.Background()
	if _, err := svc.AddAlertWebhook(ctx, "env:SLACK_HOOK", wif.WebhookGeneric, "browser"); wif.ErrorCode(err) != wif.EINVALID ||
		!strings.Contains(err.Error(), "may read only env:WIFWIZ_SECRET_") {
		t.Fatalf("a reference outside the policy from the alerts page: %v", err)
	}
	stored, err := svc.AddAlertWebhook(ctx, "env:WIFWIZ_SECRET_HOOK", wif.WebhookGeneric, "browser")
	if err != nil || stored.Ref != "env:WIFWIZ_SECRET_HOOK" || stored.URL != "" {
		t.Fatalf("adding a reference: %+v %v", stored, err)
	}
	flag, err := wif.ParseAlertTarget("slack:env:SLACK_HOOK")
	if err != nil || flag.Ref != "env:SLACK_HOOK" || flag.Format != wif.WebhookSlack {
		t.Fatalf("--alert-webhook slack:env:SLACK_HOOK: %+v %v", flag, err)
	}
	seen := make(attempts, 8)
	err = svc.StartAlertDelivery(actions.DeliveryOptions{Sender: sender(t), MaxAttempts: 3, Backoff: 10 * time.Second,
		Targets: []wif.AlertTarget{flag}, Observe: func(d wif.AlertDelivery) { seen <- d }})
	if err != nil {
		t.Fatal(err)
	}
	env.set("WIFWIZ_SECRET_HOOK", "")
	if err := svc.SendTestAlert(ctx); err != nil {
		t.Fatal(err)
	}
	byLabel := map[string]wif.AlertDelivery{}
	for range 2 {
		d := seen.next(t)
		byLabel[d.Label] = d
	}
	if d := byLabel["slack env:SLACK_HOOK"]; d.State != wif.DeliveryDelivered || len(rcv.got("/slack/S3cret")) != 1 ||
		!strings.Contains(string(rcv.got("/slack/S3cret")[0]), `"text"`) {
		t.Fatalf("the serve reference: %+v, %d posts", d, len(rcv.got("/slack/S3cret")))
	}
	d := byLabel["env:WIFWIZ_SECRET_HOOK"]
	if d.State != wif.DeliveryPending || d.Attempts != 1 || !strings.Contains(d.LastError, "env:WIFWIZ_SECRET_HOOK") ||
		!strings.Contains(d.LastError, "not set") {
		t.Fatalf("a stored reference that does not resolve: %+v", d)
	}
	env.set("WIFWIZ_SECRET_HOOK", rcv.URL+"/stored/S3cret")
	if err := clock.BlockUntilContext(testContext(t), 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(10 * time.Second)
	if d := seen.next(t); d.State != wif.DeliveryDelivered || d.Attempts != 2 || len(rcv.got("/stored/S3cret")) != 1 {
		t.Fatalf("once the reference resolves: %+v", d)
	}
	if n := len(rcv.got("/slack/S3cret")); n != 1 {
		t.Errorf("the serve webhook got %d posts, want 1", n)
	}
}

// TestServeWebhookReferenceCheckedAtStart: a reference given to serve that does not resolve, or
// gives no usable URL, stops the deliverer from starting with a message naming the reference and
// never the value.
func TestServeWebhookReferenceCheckedAtStart(t *testing.T) {
	for name, tc := range map[string]struct{ value, want string }{
		"unset":      {"", "not set"},
		"not a URL":  {"s3cretValue", "not an absolute URL"},
		"plain http": {"http://alerts.example.com/s3cretValue", "https://"},
	} {
		t.Run(name, func(t *testing.T) {
			db, _ := testenv.OpenStore(t)
			env := &lockedEnv{vars: map[string]string{"HOOK": tc.value}}
			svc := testenv.Service(t, db, &probe.Runner{}, testenv.ServiceOptions{Getenv: env.get})
			err := svc.StartAlertDelivery(actions.DeliveryOptions{Sender: sender(t), Targets: []wif.AlertTarget{{Ref: "env:HOOK", Format: wif.WebhookGeneric}}})
			if err == nil || !strings.Contains(err.Error(), "env:HOOK") || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cretValue") {
				t.Fatalf("error %v; want one naming env:HOOK and %q, without the value", err, tc.want)
			}
		})
	}
}
