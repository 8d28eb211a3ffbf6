package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/webhook"
	"github.com/wifwiz/wifwiz/wif"
)

// TestAlertsPage: a webhook is added under CSRF and checked (https or loopback only), shown
// without its path; the test button sends a test alert through the deliverer, and the delivery
// log shows it delivered.
func TestAlertsPage(t *testing.T) {
	got := make(chan string, 4)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
	}))
	defer rcv.Close()
	delivered := make(chan wif.AlertDelivery, 4)
	a := newApp(t, func(s *setup) {
		s.started = func(svc *actions.Service) {
			sender, err := webhook.New(nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.StartAlertDelivery(actions.DeliveryOptions{Sender: sender,
				Observe: func(d wif.AlertDelivery) { delivered <- d }}); err != nil {
				t.Fatal(err)
			}
		}
	})
	if p := a.get("/settings/alerts"); p.status != http.StatusOK || p.doc.Find(`[data-testid="no-webhooks"]`).Length() != 1 {
		t.Fatalf("alerts page: %d", p.status)
	}
	if p := a.post("/settings/alerts/webhooks", url.Values{"url": {"https://x.example/h"}, "format": {"generic"}}, ""); p.status != http.StatusForbidden {
		t.Fatalf("adding a webhook without the CSRF token: %d", p.status)
	}
	tok := a.csrf("/settings/alerts")
	p := a.post("/settings/alerts/webhooks", url.Values{"url": {"http://alerts.example.com/hook"}, "format": {"generic"}}, tok)
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.doc.Find(`[data-testid="url-error"]`).Text(), "https://") {
		t.Fatalf("a plain-http webhook off loopback: %d %s", p.status, p.doc.Find(`[data-testid="alerts-error"]`).Text())
	}
	secretPath := "/services/T0/B0/s3cr3tPathToken"
	p = a.follow(a.post("/settings/alerts/webhooks", url.Values{"url": {rcv.URL + secretPath}, "format": {"slack"}}, tok))
	if p.status != http.StatusOK || p.doc.Find(`[data-testid="webhook"]`).Length() != 1 {
		t.Fatalf("after adding: %d", p.status)
	}
	if strings.Contains(p.body, "s3cr3tPathToken") {
		t.Fatal("the alerts page shows the webhook's path")
	}
	p = a.follow(a.post("/settings/alerts/test", url.Values{}, tok))
	if p.doc.Find(`[data-testid="alerts-notice"]`).Length() != 1 {
		t.Fatalf("after the test button: %d %s", p.status, p.doc.Find(`[data-testid="alerts-error"]`).Text())
	}
	select {
	case d := <-delivered:
		if d.State != wif.DeliveryDelivered {
			t.Fatalf("test alert delivery: %+v", d)
		}
	case <-time.After(30 * time.Second): // failsafe
		t.Fatal("the test alert was not delivered")
	}
	if body := <-got; !strings.Contains(body, `"text":":information_source: A test alert from wifwiz`) {
		t.Errorf("the receiver got %s", body)
	}
	row := a.get("/settings/alerts").doc.Find(`[data-testid="delivery"]`)
	if row.Length() != 1 || row.AttrOr("data-state", "") != "delivered" || strings.TrimSpace(row.Find(`[data-testid="delivery-attempts"]`).Text()) != "1" {
		t.Fatalf("delivery log: %d rows, state %q", row.Length(), row.AttrOr("data-state", ""))
	}
}

// TestMetricsAndProbesBehindTheAccessToken: /metrics and the health probes need the access token,
// accepted as a bearer token (as Prometheus and Kubernetes probes send it).
func TestMetricsAndProbesBehindTheAccessToken(t *testing.T) {
	a := newApp(t, func(s *setup) {
		s.web.AccessToken = "letmein"
		s.web.Metrics = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "wifwiz_up 1\n") })
	})
	req := func(auth string) page {
		r, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/metrics", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		return a.do(r)
	}
	if p := req(""); p.status != http.StatusUnauthorized {
		t.Errorf("/metrics without the token: %d", p.status)
	}
	if p := req("Bearer nope"); p.status != http.StatusUnauthorized {
		t.Errorf("/metrics with a wrong token: %d", p.status)
	}
	if p := req("Bearer letmein"); p.status != http.StatusOK || p.body != "wifwiz_up 1\n" {
		t.Errorf("/metrics with the token: %d %q", p.status, p.body)
	}
	probe := func(path string) page {
		r, _ := http.NewRequest(http.MethodGet, a.srv.URL+path, nil)
		r.Header.Set("Authorization", "Bearer letmein")
		return a.do(r)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if p := a.get(path); p.status != http.StatusUnauthorized {
			t.Errorf("%s without the token: %d", path, p.status)
		}
		if p := probe(path); p.status != http.StatusOK {
			t.Errorf("%s with the token: %d", path, p.status)
		}
	}
	a.db.Close()
	if p := probe("/readyz"); p.status != http.StatusServiceUnavailable || strings.Contains(p.body, "sql") {
		t.Errorf("/readyz with the database closed: %d %s", p.status, p.body)
	}
}
