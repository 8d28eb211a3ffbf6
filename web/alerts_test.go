package web_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

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
		s.started = startDelivery(t, delivered)
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
	if by := strings.TrimSpace(p.doc.Find(`[data-testid="webhook"] [data-testid="added-by"]`).Text()); by != "browser" {
		t.Errorf("the webhook's adder shows as %q, want browser (no sign-in)", by)
	}
	if w := p.doc.Find(`[data-testid="stored-url-warning"]`).Text(); !strings.Contains(w, "stored in wifwiz's database") {
		t.Errorf("after adding a URL with a path, the page warns %q", w)
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

// TestAlertWebhookByReference: a webhook given as env:NAME or file:/path is stored as the
// reference and delivered to the URL it gives at each delivery; the URL never reaches the
// database, its WAL, the pages or the logs. A reference that does not resolve, or that the
// server may not read, is refused with a message naming it, and the typed value is kept.
func TestAlertWebhookByReference(t *testing.T) {
	paths := make(chan string, 8)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		paths <- r.URL.Path
	}))
	defer rcv.Close()
	dir := t.TempDir()
	hookFile := filepath.Join(dir, "hook")
	fileURL := rcv.URL + "/file/F1leS3cretToken"
	if err := os.WriteFile(hookFile, []byte(fileURL+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	env := map[string]string{"WIFWIZ_SECRET_HOOK": rcv.URL + "/services/T0/B0/EnvS3cretToken",
		"WIFWIZ_SECRET_NOTURL": "plainS3cretValue", "HOME_HOOK": rcv.URL + "/home"}
	setenv := func(k, v string) { mu.Lock(); env[k] = v; mu.Unlock() }
	delivered := make(chan wif.AlertDelivery, 8)
	a := newApp(t, func(s *setup) {
		s.env = func(k string) string { mu.Lock(); defer mu.Unlock(); return env[k] }
		s.svc.Policy = wif.SecretPolicy{Dir: dir, EnvPrefix: wif.DefaultSecretEnvPrefix}
		s.started = startDelivery(t, delivered)
	})
	tok := a.csrf("/settings/alerts")
	var bodies []string
	refused := map[string]string{
		"env:WIFWIZ_SECRET_MISSING": "the environment variable is not set",
		"file:" + dir + "/missing":  "the file is missing",
		"env:WIFWIZ_SECRET_NOTURL":  "it is not an absolute URL",
		"env:HOME_HOOK":             "may read only env:WIFWIZ_SECRET_",
		"file:" + filepath.Dir(dir): "may read only",
		"env:lower case":            "give env:NAME",
	}
	for ref, want := range refused {
		p := a.post("/settings/alerts/webhooks", url.Values{"url": {ref}, "format": {"generic"}}, tok)
		bodies = append(bodies, p.body)
		msg := p.doc.Find(`[data-testid="url-error"]`).Text()
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(msg, ref) || !strings.Contains(msg, want) {
			t.Errorf("%s: %d %q; want 422 naming the reference and %q", ref, p.status, msg, want)
		}
		if v := p.doc.Find(`#url`).AttrOr("value", ""); v != ref {
			t.Errorf("%s: the field holds %q after the error, want the reference typed", ref, v)
		}
	}
	p := a.get("/settings/alerts")
	if p.doc.Find(`[data-testid="webhook"]`).Length() != 0 {
		t.Fatal("a refused reference was stored")
	}
	if !strings.Contains(p.doc.Find(`[data-testid="url-stored-hint"]`).Text(), "stored in wifwiz's database") {
		t.Error("the field does not say that a URL is stored in the database")
	}

	for _, add := range []url.Values{{"url": {"env:WIFWIZ_SECRET_HOOK"}, "format": {"slack"}}, {"url": {"file:" + hookFile}, "format": {"generic"}}} {
		resp := a.post("/settings/alerts/webhooks", add, tok)
		if resp.status != http.StatusSeeOther || resp.header.Get("Location") != "/settings/alerts?done=added" {
			t.Fatalf("adding %s: %d → %s %s", add.Get("url"), resp.status, resp.header.Get("Location"), resp.doc.Find(`[data-testid="url-error"]`).Text())
		}
		p = a.follow(resp)
		bodies = append(bodies, p.body)
		if p.doc.Find(`[data-testid="stored-url-warning"]`).Length() != 0 {
			t.Errorf("adding %s warns that a URL is stored", add.Get("url"))
		}
	}
	var labels []string
	p.doc.Find(`[data-testid="webhook"] td:first-child`).Each(func(_ int, s *goquery.Selection) { labels = append(labels, s.Text()) })
	if want := []string{"slack env:WIFWIZ_SECRET_HOOK", "file:" + hookFile}; !slices.Equal(labels, want) {
		t.Errorf("webhooks listed as %q, want the references %q", labels, want)
	}

	sendTest := func() []string {
		t.Helper()
		if p := a.follow(a.post("/settings/alerts/test", url.Values{}, tok)); p.doc.Find(`[data-testid="alerts-notice"]`).Length() != 1 {
			t.Fatalf("test alert: %d %s", p.status, p.doc.Find(`[data-testid="alerts-error"]`).Text())
		}
		var got []string
		for range 2 {
			select {
			case d := <-delivered:
				if d.State != wif.DeliveryDelivered {
					t.Fatalf("delivery %+v", d)
				}
				got = append(got, <-paths)
			case <-time.After(30 * time.Second): // failsafe
				t.Fatal("the test alert was not delivered")
			}
		}
		slices.Sort(got)
		return got
	}
	if got := sendTest(); !slices.Equal(got, []string{"/file/F1leS3cretToken", "/services/T0/B0/EnvS3cretToken"}) {
		t.Fatalf("the receiver was posted at %q", got)
	}
	setenv("WIFWIZ_SECRET_HOOK", rcv.URL+"/services/T0/B0/RotatedS3cretToken")
	if got := sendTest(); !slices.Equal(got, []string{"/file/F1leS3cretToken", "/services/T0/B0/RotatedS3cretToken"}) {
		t.Fatalf("after the variable changed, the receiver was posted at %q; want the new URL", got)
	}
	bodies = append(bodies, a.get("/settings/alerts").body)

	db, _ := os.ReadFile(a.dbPath)
	wal, _ := os.ReadFile(a.dbPath + "-wal")
	if !bytes.Contains(append(db, wal...), []byte("env:WIFWIZ_SECRET_HOOK")) {
		t.Fatal("the reference is not in the database: the check below would prove nothing")
	}
	for where, b := range map[string][]byte{"db": db, "wal": wal, "logs": []byte(a.logs.String()), "pages": []byte(strings.Join(bodies, "\n"))} {
		for _, secret := range []string{"EnvS3cretToken", "RotatedS3cretToken", "F1leS3cretToken", "plainS3cretValue"} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds %s, from a URL a reference gives", where, secret)
			}
		}
	}
}

// TestAlertWebhookURLWithAPathIsStoredWithAWarning: a literal URL with a path or query is still
// accepted, and the page then says it is stored in the database; one with no path is not warned of.
func TestAlertWebhookURLWithAPathIsStoredWithAWarning(t *testing.T) {
	a := newApp(t)
	tok := a.csrf("/settings/alerts")
	for v, warned := range map[string]bool{"https://alerts.example.com/": false, "https://alerts.example.com": false,
		"https://alerts.example.com/hook": true, "https://hooks.example.com/?token=x": true} {
		p := a.follow(a.post("/settings/alerts/webhooks", url.Values{"url": {v}, "format": {"generic"}}, tok))
		if p.status != http.StatusOK || p.doc.Find(`[data-testid="alerts-notice"]`).Length() != 1 {
			t.Fatalf("adding %s: %d %s", v, p.status, p.doc.Find(`[data-testid="alerts-error"]`).Text())
		}
		w := p.doc.Find(`[data-testid="stored-url-warning"]`)
		if (w.Length() == 1) != warned {
			t.Errorf("adding %s: warning shown %v, want %v", v, w.Length() == 1, warned)
		}
		if warned && (!strings.Contains(w.Text(), "stored in wifwiz's database") || !strings.Contains(w.Text(), "env:NAME")) {
			t.Errorf("adding %s: the warning says %q", v, w.Text())
		}
	}
}

// startDelivery starts the alert deliverer with a real webhook sender, reporting each delivery
// on delivered.
func startDelivery(t *testing.T, delivered chan<- wif.AlertDelivery) func(*actions.Service) {
	return func(svc *actions.Service) {
		sender, err := webhook.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.StartAlertDelivery(actions.DeliveryOptions{Sender: sender,
			Observe: func(d wif.AlertDelivery) { delivered <- d }}); err != nil {
			t.Fatal(err)
		}
	}
}
