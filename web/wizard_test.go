package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/wifwiz/wifwiz/demo"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/wif"
)

// newDemoApp is a server with the built-in demo issuer, as `wifwiz serve --demo` runs it.
func newDemoApp(t testing.TB) (*app, *demo.Demo) {
	t.Helper()
	return newDemoAppWith(t)
}

func newDemoAppWith(t testing.TB, mutate ...func(*setup)) (*app, *demo.Demo) {
	t.Helper()
	d, err := demo.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	a := newApp(t, func(c *setup) {
		c.web.Demo = d
		c.env = d.Getenv(func(string) string { return "" })
		c.runner = &probe.Runner{ExtraCA: d.CAPEM()}
		for _, m := range mutate {
			m(c)
		}
	})
	return a, d
}

// newRecordedDemoApp is a demo server whose demo connections record no admin API token
// references: their reports judge the recorded values, as for someone who gave no Console or
// authentik API token, instead of reading the demo's Console and provider.
func newRecordedDemoApp(t testing.TB) (*app, *demo.Demo) {
	t.Helper()
	return newDemoAppWith(t, func(c *setup) { c.web.Demo = recordedOnly{c.web.Demo.(*demo.Demo)} })
}

type recordedOnly struct{ *demo.Demo }

func (r recordedOnly) Connection() wif.Connection {
	c := r.Demo.Connection()
	c.ConsoleTokenRef, c.ConsoleTokenRefOrigin, c.AuthentikTokenRef, c.AuthentikTokenRefOrigin = "", "", "", ""
	return c
}

// startDemoConnection creates the demo connection and returns the path of its step 1.
func startDemoConnection(t testing.TB, a *app) string {
	t.Helper()
	tok := a.csrf("/connections/new")
	p := a.post("/connections/demo", url.Values{}, tok)
	if p.status != http.StatusSeeOther || !strings.HasSuffix(p.header.Get("Location"), "/wizard/1") {
		t.Fatalf("demo create: %d %q", p.status, p.header.Get("Location"))
	}
	return strings.TrimSuffix(p.header.Get("Location"), "1")
}

// submit loads a step, takes its form's values, applies changes and posts it, like a browser
// without JavaScript.
func (a *app) submit(path string, changes url.Values) page {
	a.t.Helper()
	p := a.get(path)
	form := url.Values{}
	sel := `form[action="` + path + `"]`
	p.doc.Find(sel + ` input, ` + sel + ` select, ` + sel + ` textarea`).Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		if name == "" {
			return
		}
		typ, _ := s.Attr("type")
		switch {
		case typ == "radio" || typ == "checkbox":
			if _, checked := s.Attr("checked"); checked {
				v, _ := s.Attr("value")
				form.Set(name, v)
			}
		case goquery.NodeName(s) == "select":
			v, _ := s.Find("option[selected]").Attr("value")
			form.Set(name, v)
		case goquery.NodeName(s) == "textarea":
			form.Set(name, s.Text())
		default:
			v, _ := s.Attr("value")
			form.Set(name, v)
		}
	})
	for k, v := range changes {
		form[k] = v
	}
	return a.post(path, form, "")
}

func TestWizardWithoutJavaScript(t *testing.T) {
	a, _ := newDemoApp(t)
	base := startDemoConnection(t, a)

	for step, changes := range map[string]url.Values{"1": {}, "2": {}} {
		p := a.submit(base+step, changes)
		if p.status != http.StatusSeeOther {
			t.Fatalf("step %s: %d %s", step, p.status, p.text(`[data-testid="form-errors"]`)+p.body[:min(len(p.body), 300)])
		}
	}
	// Step 3 without a typed secret uses the demo's secret reference.
	p := a.submit(base+"3", url.Values{})
	if p.status != http.StatusSeeOther {
		t.Fatalf("step 3: %d %s", p.status, p.text(`[data-testid="sample-error"]`)+p.text(`.error`))
	}
	sample := a.get(base + "3")
	sub := sample.text(`[data-testid="sample-sub"]`)
	if sub != "ak-"+demo.ProviderName+"-client_credentials" {
		t.Fatalf("sample sub = %q; page: %s", sub, sample.text(`[data-testid="sample-result"]`))
	}
	if !strings.Contains(sample.text(`[data-claim="exp"]`), "UTC · in ") {
		t.Fatalf("exp not shown readably: %q", sample.text(`[data-claim="exp"]`))
	}

	console := a.get(base + "4")
	if v, _ := console.doc.Find(`input[name="subject_prefix"]`).Attr("value"); v != sub {
		t.Fatalf("subject prefix not pre-filled from the sample: %q", v)
	}
	if console.doc.Find(`[data-testid="not-public"]`).Length() == 0 || !strings.Contains(console.text(`textarea#inline_jwks`), `"keys"`) {
		t.Fatal("loopback issuer: no inline JWKS offered")
	}
	if n := console.doc.Find(`textarea`).FilterFunction(func(_ int, s *goquery.Selection) bool { return strings.Contains(s.Text(), `"keys"`) }).Length(); n != 1 {
		t.Errorf("%d text areas hold the JWKS, want one", n)
	}
	p = a.submit(base+"4", url.Values{})
	if p.status != http.StatusSeeOther {
		t.Fatalf("step 4: %d %v", p.status, p.text(`.error`))
	}
	report := a.get(base + "5")
	if got := report.doc.Find(`[data-check="claim.sub"]`).AttrOr("data-status", ""); got != "pass" {
		t.Fatalf("claim.sub after the Console step = %q: %s", got, report.text(`[data-testid="report"]`))
	}
	if report.doc.Find(`[data-status="fail"]`).Length() != 0 {
		t.Fatalf("demo report has failures: %s", report.text(`[data-testid="report"]`))
	}
	if report.doc.Find(`[data-testid="lifetimes"] li`).Length() != 4 {
		t.Fatal("lifetime picture lacks its four bars")
	}

	// The live exchange against the demo's Anthropic emulator.
	p = a.post(base+"5", url.Values{"exchange": {"1"}}, report.doc.Find(`input[name="_csrf"]`).AttrOr("value", ""))
	if p.status != http.StatusSeeOther {
		t.Fatalf("rerun with exchange: %d", p.status)
	}
	report = a.get(base + "5")
	if got := report.doc.Find(`[data-check="exchange"]`).AttrOr("data-status", ""); got != "pass" {
		t.Fatalf("exchange = %q: %s", got, report.text(`[data-check="exchange"]`))
	}

	work := a.get(base + "6")
	shell := work.text(`[data-testid="env-shell"]`)
	for _, want := range []string{"ANTHROPIC_FEDERATION_RULE_ID", demo.FederationRuleID, demo.OrganizationID, demo.ServiceAccountID, "ANTHROPIC_IDENTITY_TOKEN_FILE"} {
		if !strings.Contains(shell, want) {
			t.Errorf("shell block lacks %q:\n%s", want, shell)
		}
	}
	if !strings.Contains(work.text(`[data-testid="api-key-warning"]`), "ANTHROPIC_API_KEY") {
		t.Error("no API key warning")
	}
	steps := work.doc.Find(`[data-testid="steps"] li[data-state="complete"]`).Length()
	if steps < 5 {
		t.Fatalf("progress shows %d complete steps", steps)
	}
}

var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`)

func TestSampleTokenSecretNeverKept(t *testing.T) {
	a, d := newDemoApp(t)
	base := startDemoConnection(t, a)
	a.submit(base+"1", nil)
	a.submit(base+"2", nil)
	secret := d.Getenv(func(string) string { return "" })(demo.SecretEnv)

	// The secret typed into step 3 (the demo's reference is removed so the typed one is used).
	p := a.submit(base+"3", url.Values{"client_secret": {secret}, "secret_ref": {""}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("step 3: %d", p.status)
	}
	var bodies []string
	for _, path := range []string{base + "3", base + "4", base + "5", base + "6", strings.TrimSuffix(base, "/wizard/"), "/"} {
		bodies = append(bodies, a.get(path).body)
	}
	// A wrong secret is reported with authentik's meaning, and the typed value is not echoed.
	bad := a.submit(base+"3", url.Values{"client_secret": {"wrong-secret-value-123"}})
	bodies = append(bodies, bad.body, a.get(base+"3").body)
	if !strings.Contains(a.get(base+"3").body, "invalid_grant") {
		t.Error("wrong secret not reported as invalid_grant")
	}
	db, _ := os.ReadFile(a.dbPath)
	wal, _ := os.ReadFile(a.dbPath + "-wal")
	for name, b := range map[string][]byte{"db": db, "wal": wal, "logs": []byte(a.logs.String()), "pages": []byte(strings.Join(bodies, "\n"))} {
		if bytes.Contains(b, []byte(secret)) || bytes.Contains(b, []byte("wrong-secret-value-123")) {
			t.Errorf("the client secret reached the %s", name)
		}
		if m := jwtPattern.Find(b); m != nil {
			t.Errorf("a signed token reached the %s: %.40s…", name, m)
		}
	}
}

func TestWizardStepValidation(t *testing.T) {
	a, _ := newDemoApp(t)
	base := startDemoConnection(t, a)
	tests := []struct {
		step, field, value, want string
	}{
		{"1", "authentik_url", "authentik.example", "https"},
		{"1", "app_slug", "My App", "slug"},
		{"2", "client_id", "", "Client ID"},
		{"2", "access_token_validity", "hours=abc", "hours=abc"},
		{"4", "service_account_id", "fdrl_oops", "svac_"},
		{"4", "organization_id", "not-a-uuid", "UUID"},
		{"4", "token_lifetime", "30", "60"},
		{"4", "rule_name", "Bad Name", "lowercase"},
	}
	for _, tt := range tests {
		t.Run(tt.step+"/"+tt.field, func(t *testing.T) {
			p := a.submit(base+tt.step, url.Values{tt.field: {tt.value}})
			if p.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", p.status)
			}
			msg := p.text(`[data-testid="error-` + tt.field + `"]`)
			if !strings.Contains(msg, tt.want) {
				t.Fatalf("message = %q, want it to mention %q", msg, tt.want)
			}
			if v := p.doc.Find(`[name="`+tt.field+`"]`).AttrOr("value", ""); v != tt.value {
				t.Fatalf("typed value lost: %q", v)
			}
		})
	}
}

func TestWizardStaleVersionRefused(t *testing.T) {
	a, _ := newDemoApp(t)
	base := startDemoConnection(t, a)
	tab1 := a.get(base + "2")
	version := tab1.doc.Find(`input[name="version"]`).AttrOr("value", "")
	tok := tab1.doc.Find(`input[name="_csrf"]`).AttrOr("value", "")
	form := func(clientID string) url.Values {
		return url.Values{"version": {version}, "client_id": {clientID}, "access_token_validity": {"hours=1"}}
	}
	if p := a.post(base+"2", form("from-tab-1"), tok); p.status != http.StatusSeeOther {
		t.Fatalf("first save: %d", p.status)
	}
	p := a.post(base+"2", form("from-tab-2"), tok)
	if p.status != http.StatusConflict || p.doc.Find(`[data-testid="conflict"]`).Length() == 0 {
		t.Fatalf("stale save: %d", p.status)
	}
	if v := p.doc.Find(`input[name="client_id"]`).AttrOr("value", ""); v != "from-tab-2" {
		t.Fatalf("typed value lost on conflict: %q", v)
	}
	if v := a.get(base+"2").doc.Find(`input[name="client_id"]`).AttrOr("value", ""); v != "from-tab-1" {
		t.Fatalf("stale save overwrote: %q", v)
	}
}

func TestSampleTokenNeedsASecret(t *testing.T) {
	a, _ := newDemoApp(t)
	base := startDemoConnection(t, a)
	p := a.submit(base+"3", url.Values{"secret_ref": {""}, "scope": {"openid email"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", p.status)
	}
	if msg := p.text(`[data-testid="error-client_secret"]`); !strings.Contains(msg, "Enter the client secret") {
		t.Fatalf("message = %q", msg)
	}
	if v := p.doc.Find(`input[name="scope"]`).AttrOr("value", ""); v != "openid email" {
		t.Fatalf("typed scope lost: %q", v)
	}
	bad := a.submit(base+"3", url.Values{"secret_ref": {"my-secret-value"}})
	if msg := bad.text(`[data-testid="error-secret_ref"]`); !strings.Contains(msg, "env:NAME") {
		t.Fatalf("bad reference message = %q", msg)
	}
}

func TestSampleTokenProgressWithHTMX(t *testing.T) {
	a, _ := newDemoApp(t)
	base := startDemoConnection(t, a)
	page := a.get(base + "3")
	form := url.Values{"version": {page.doc.Find(`input[name="version"]`).AttrOr("value", "")}, "secret_ref": {"env:" + demo.SecretEnv}}
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+base+"3/jobs", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", page.doc.Find(`input[name="_csrf"]`).AttrOr("value", ""))
	p := a.do(req)
	poll, ok := p.doc.Find(`[data-testid="progress-poll"]`).Attr("hx-get")
	if p.status != http.StatusOK || !ok {
		t.Fatalf("job start: %d %s", p.status, p.body)
	}
	if p.doc.Find(`[data-stage="discovery"]`).Length() != 1 {
		t.Fatal("no discovery stage shown")
	}
	for i := 0; ; i++ {
		r := a.get(poll)
		if loc := r.header.Get("HX-Redirect"); loc != "" {
			if !strings.HasPrefix(loc, base+"3?run=") {
				t.Fatalf("redirect to %q", loc)
			}
			for _, stage := range []string{"discovery", "jwks", "token"} {
				if st := r.doc.Find(`[data-stage="`+stage+`"]`).AttrOr("data-status", ""); st != "done" {
					t.Errorf("stage %s = %q", stage, st)
				}
			}
			break
		}
		if i > 200 {
			t.Fatal("the job never finished")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if a.get(base+"3").doc.Find(`[data-testid="sample-result"]`).Length() != 1 {
		t.Fatal("no result after the job")
	}
}

func TestWizardResumesWhereTheUserStopped(t *testing.T) {
	a, _ := newDemoApp(t)
	base := startDemoConnection(t, a)
	resume := strings.TrimSuffix(base, "/")
	if loc := a.get(resume).header.Get("Location"); loc != base+"1" {
		t.Fatalf("fresh connection resumes at %q", loc)
	}
	a.submit(base+"1", nil)
	a.submit(base+"2", nil)
	if loc := a.get(resume).header.Get("Location"); loc != base+"3" {
		t.Fatalf("after two steps the wizard resumes at %q, want step 3", loc)
	}
	states := a.get(base + "3").doc.Find(`[data-testid="steps"] li`)
	want := []string{"complete", "complete", "incomplete", "incomplete", "incomplete", "incomplete"}
	for i, w := range want {
		if got := states.Eq(i).AttrOr("data-state", ""); got != w {
			t.Errorf("step %d state = %q, want %q", i+1, got, w)
		}
	}
}

func TestProviderReadThroughTheAdminAPI(t *testing.T) {
	a, d := newDemoApp(t)
	base := startDemoConnection(t, a)
	a.submit(base+"1", nil)
	page := a.get(base + "2")
	tok := page.doc.Find(`input[name="_csrf"]`).AttrOr("value", "")
	apiToken := d.Authentik.APIToken()

	p := a.follow(a.post(base+"2/inspect", url.Values{"client_id": {demo.ClientID}, "api_token": {apiToken}}, tok))
	if p.status != http.StatusOK {
		t.Fatalf("inspect: %d %s", p.status, p.text(`[data-testid="api-error"]`))
	}
	rows := p.doc.Find(`[data-testid="provider-results"] tbody tr`)
	if rows.Length() < 6 {
		t.Fatalf("%d checklist rows", rows.Length())
	}
	if !strings.Contains(p.text(`[data-testid="provider-results"]`), "Based on the User's username") {
		t.Errorf("subject mode not read: %s", p.text(`[data-testid="provider-results"]`))
	}
	bad := a.post(base+"2/inspect", url.Values{"client_id": {demo.ClientID}, "api_token": {"wrong-api-token-value"}}, tok)
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.text(`[data-testid="form-errors"]`), "API token") {
		t.Fatalf("wrong API token: %d", bad.status)
	}
	for _, body := range []string{p.body, bad.body} {
		if strings.Contains(body, apiToken) || strings.Contains(body, "wrong-api-token-value") {
			t.Fatal("the API token was rendered back")
		}
	}
	if strings.Contains(a.logs.String(), apiToken) {
		t.Fatal("the API token reached the logs")
	}
}
