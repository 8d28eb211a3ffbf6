package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

func runWithKid(connID int64, at time.Time, ok bool, kid string, drift ...wif.Drift) *wif.Run {
	report := `{"token":null,"checks":[]}`
	if kid != "" {
		report = fmt.Sprintf(`{"token":{"field":"id_token","header":{"alg":"RS256","kid":%q},"claims":{}},"checks":[]}`, kid)
	}
	return &wif.Run{ConnectionID: connID, At: at, Trigger: wif.TriggerSchedule, OK: ok, Summary: "s", ReportJSON: []byte(report), Drift: drift}
}

// TestWatchConnections reads the newest run, the last success, the drift by kind and the time
// the current kid was first seen after the last key change.
func TestWatchConnections(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t, tempPath(t))
	a, b := sample("a"), sample("b")
	for _, c := range []*wif.Connection{a, b, sample("never")} {
		if err := db.CreateConnection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	kidDrift := wif.Drift{Kind: "kid", Before: "k1", After: "k2"}
	runs := []*wif.Run{
		runWithKid(a.ID, t0, true, "k1"),
		runWithKid(a.ID, t0.Add(time.Hour), true, "k1"),
		runWithKid(a.ID, t0.Add(2*time.Hour), false, "k2", kidDrift),
		runWithKid(a.ID, t0.Add(3*time.Hour), false, ""), // no token: keeps k2
		runWithKid(a.ID, t0.Add(4*time.Hour), false, "k2", kidDrift, wif.Drift{Kind: "sub"}),
		runWithKid(b.ID, t0.Add(time.Hour), true, "kb"),
		runWithKid(b.ID, t0.Add(2*time.Hour), true, "kb"),
	}
	for _, r := range runs {
		if err := db.AddRun(ctx, r, "t"); err != nil {
			t.Fatal(err)
		}
	}
	ws, err := db.WatchConnections(ctx, wif.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]wif.ConnectionWatch{}
	for _, w := range ws {
		got[w.Connection.Name] = w
	}
	wa, wb, wn := got["a"], got["b"], got["never"]
	if wa.Last == nil || wa.Last.ID != runs[4].ID || wa.Last.OK || len(wa.Last.ReportJSON) == 0 {
		t.Errorf("a's newest run = %+v, want run %d with its report", wa.Last, runs[4].ID)
	}
	if !wa.LastSuccess.Equal(t0.Add(time.Hour)) || !wb.LastSuccess.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("last success a=%v b=%v", wa.LastSuccess, wb.LastSuccess)
	}
	if wa.Kid != "k2" || !wa.KidChanged || !wa.KidSince.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("a: kid %q changed %v since %v, want k2 changed since %v", wa.Kid, wa.KidChanged, wa.KidSince, t0.Add(2*time.Hour))
	}
	if wb.Kid != "kb" || wb.KidChanged || !wb.KidSince.Equal(t0.Add(time.Hour)) {
		t.Errorf("b: kid %q changed %v since %v", wb.Kid, wb.KidChanged, wb.KidSince)
	}
	if wa.Drift["kid"] != 2 || wa.Drift["sub"] != 1 || len(wb.Drift) != 0 {
		t.Errorf("drift a=%v b=%v", wa.Drift, wb.Drift)
	}
	if wn.Last != nil || !wn.LastSuccess.IsZero() || wn.Kid != "" {
		t.Errorf("a connection never verified: %+v", wn)
	}
}

func TestProbeWrites(t *testing.T) {
	db := MustOpen(t, tempPath(t))
	if err := db.Probe(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := db.Probe(context.Background()); err == nil {
		t.Fatal("a closed database passed the probe")
	}
}

// TestAlertOutbox: an alert is dispatched once to each target, and its deliveries come due.
func TestAlertOutbox(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t, tempPath(t))
	hook := wif.AlertTarget{URL: "https://hooks.example/services/SECRET", Format: wif.WebhookSlack, AddedBy: "Ada Admin <ak-sub-1>"}
	if err := db.AddAlertWebhook(ctx, &hook); err != nil {
		t.Fatal(err)
	}
	if err := db.AddAlertWebhook(ctx, &wif.AlertTarget{URL: hook.URL, Format: wif.WebhookGeneric}); wif.ErrorCode(err) != wif.ECONFLICT {
		t.Fatalf("the same URL twice: %v", err)
	}
	ref := wif.AlertTarget{Ref: "env:WIFWIZ_SECRET_HOOK", Format: wif.WebhookSlack}
	if err := db.AddAlertWebhook(ctx, &ref); err != nil {
		t.Fatal(err)
	}
	if err := db.AddAlertWebhook(ctx, &wif.AlertTarget{Ref: ref.Ref, Format: wif.WebhookGeneric}); wif.ErrorCode(err) != wif.ECONFLICT {
		t.Fatalf("the same reference twice: %v", err)
	}
	if err := db.AddAlertWebhook(ctx, &wif.AlertTarget{URL: "https://x.example/", Ref: "env:X", Format: wif.WebhookGeneric}); err == nil {
		t.Fatal("stored a webhook with both a URL and a reference")
	}
	stored, err := db.ListAlertWebhooks(ctx)
	if err != nil || !slices.Equal(stored, []wif.AlertTarget{hook, ref}) {
		t.Fatalf("stored webhooks %+v %v; want %+v", stored, err, []wif.AlertTarget{hook, ref})
	}
	flag := wif.AlertTarget{URL: "http://127.0.0.1:9/x", Format: wif.WebhookGeneric}
	a := &wif.Alert{At: time.Now(), Kind: wif.AlertTest, Payload: []byte(`{}`)}
	if err := db.AddAlert(ctx, a); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{3, 0} {
		n, err := db.DispatchAlerts(ctx, []wif.AlertTarget{hook, ref, flag}, time.Now())
		if err != nil || n != want {
			t.Fatalf("dispatch %d: %d deliveries, %v; want %d", i, n, err, want)
		}
	}
	due, err := db.DueDeliveries(ctx, time.Now().Add(time.Minute), 10)
	if err != nil || len(due) != 3 {
		t.Fatalf("due: %v %v", due, err)
	}
	for _, d := range due {
		if d.Label == "" || d.AlertKind != wif.AlertTest || d.State != wif.DeliveryPending {
			t.Errorf("delivery %+v", d)
		}
		if d.Target == hook.Key() && d.Label != "slack https://hooks.example/…" {
			t.Errorf("label %q shows more than the origin", d.Label)
		}
		if d.Target == ref.Key() && d.Label != "slack env:WIFWIZ_SECRET_HOOK" {
			t.Errorf("label %q, want the reference", d.Label)
		}
	}
	d := due[0]
	d.State, d.Attempts, d.LastStatus, d.LastError = wif.DeliveryFailed, 3, 500, "boom"
	if err := db.UpdateDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	counts, err := db.CountDeliveries(ctx)
	if err != nil || counts[wif.DeliveryFailed] != 1 || counts[wif.DeliveryPending] != 2 {
		t.Fatalf("counts %v %v", counts, err)
	}
}
