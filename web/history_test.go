package web_test

import (
	"context"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// historyApp is a server whose runner trusts the emulator, with an environment of exactly vars.
type historyApp struct {
	*app
	emu  *emulator.Emulator
	p    emulator.Provider
	conn wif.Connection
	vars map[string]string
}

// newHistoryApp stores one connection to the emulator whose secret lives in $WIFWIZ_SECRET_HISTORY;
// withSecret says whether that variable is set where the server runs.
func newHistoryApp(t *testing.T, withSecret bool) *historyApp {
	t.Helper()
	emu := testenv.Start(t)
	p := testenv.Provider(t, emu, "history")
	h := &historyApp{emu: emu, p: p, vars: map[string]string{}}
	if withSecret {
		h.vars["WIFWIZ_SECRET_HISTORY"] = p.ClientSecret
	}
	h.app = newApp(t, func(c *setup) {
		c.runner = &probe.Runner{ExtraCA: emu.CAPEM()}
		c.env = testenv.Env(h.vars)
	})
	h.conn = testenv.Connection(t, emu, p, "history", "WIFWIZ_SECRET_HISTORY")
	if err := h.db.CreateConnection(context.Background(), &h.conn, "browser"); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *historyApp) path(suffix string) string {
	return "/connections/" + itoa(h.conn.ID) + suffix
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// jwtLike finds a compact JWT: none may reach a page, a log or the database.
func jwtLike(s string) bool { return compactJWT.MatchString(s) }

var compactJWT = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`)

// auditOnce records one audit run of the connection, as the audit page would.
func (h *historyApp) auditOnce(t *testing.T) actions.AuditResult {
	t.Helper()
	svc := testenv.Service(t, h.db, &probe.Runner{ExtraCA: h.emu.CAPEM()}, testenv.ServiceOptions{Env: map[string]string{"WIFWIZ_SECRET_HISTORY": h.p.ClientSecret}})
	out, err := svc.Audit(context.Background(), actions.AuditRequest{Connections: []wif.Connection{h.conn}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Results[0]
}

func TestConnectionDetailListsRunsAndEvents(t *testing.T) {
	h := newHistoryApp(t, true)
	h.auditOnce(t)
	if err := h.emu.RotateKey(h.p.Slug); err != nil {
		t.Fatal(err)
	}
	drifted := h.auditOnce(t)
	h.conn.RuleName = "history-renamed"
	if err := h.db.UpdateConnection(context.Background(), &h.conn, "browser"); err != nil {
		t.Fatal(err)
	}

	p := h.get(h.path(""))
	if p.status != 200 {
		t.Fatalf("status %d", p.status)
	}
	runs := p.doc.Find(`[data-testid="run"]`)
	if runs.Length() != 2 {
		t.Fatalf("%d runs listed, want 2", runs.Length())
	}
	newest := runs.First()
	if !strings.Contains(newest.Text(), "audit") || !strings.Contains(newest.Text(), "failed") || newest.Find(`[data-testid="drift-badge"]`).Length() != 1 {
		t.Errorf("newest run row = %q, want an audit run, failed, with a drift badge", newest.Text())
	}
	if href, _ := newest.Find("a").Attr("href"); href != h.path("/runs/"+itoa(drifted.Run.ID)) {
		t.Errorf("newest run links to %q", href)
	}
	if runs.Last().Find(`[data-testid="drift-badge"]`).Length() != 0 {
		t.Error("the first run has no baseline, so no drift badge")
	}
	if got := p.text(`[data-testid="connection-status"]`); got != "failing" {
		t.Errorf("status badge = %q", got)
	}
	kinds := p.doc.Find(`[data-testid="events"] li`).Map(func(_ int, s *goquery.Selection) string { v, _ := s.Attr("data-kind"); return v })
	if strings.Join(kinds, ",") != "edited,verified,verified,created" {
		t.Errorf("timeline kinds = %v", kinds)
	}
	edited := p.text(`[data-testid="events"] li[data-kind="edited"]`)
	if !strings.Contains(edited, `Rule name: "history" → "history-renamed"`) {
		t.Errorf("edited event = %q, want the change from → to", edited)
	}
	settings := p.text(`[data-testid="settings"]`)
	for _, want := range []string{h.conn.ClientID, h.conn.IssuerURL, "env:WIFWIZ_SECRET_HISTORY", "history-renamed"} {
		if !strings.Contains(settings, want) {
			t.Errorf("settings lack %q", want)
		}
	}
	for _, f := range []string{"shell", "dotenv", "k8s", "systemd", "markdown"} {
		if p.doc.Find(`[data-testid="exports"] form[action="`+h.path("/export")+`"] input[name="format"][value="`+f+`"]`).Length() != 1 {
			t.Errorf("no export link for %s", f)
		}
	}
	if p.doc.Find(`a[href="`+h.path("/handoff")+`"]`).Length() == 0 {
		t.Error("no link to the hand-off checklist")
	}
}

func TestRunReportPage(t *testing.T) {
	h := newHistoryApp(t, true)
	h.auditOnce(t)
	h.emu.RotateKey(h.p.Slug)
	run := h.auditOnce(t).Run

	p := h.get(h.path("/runs/" + itoa(run.ID)))
	if p.status != 200 {
		t.Fatalf("status %d: %s", p.status, p.body)
	}
	if p.doc.Find(`[data-testid="report"] tr[data-check]`).Length() != len(verify.CheckIDs) {
		t.Errorf("report rows = %d, want one per check", p.doc.Find(`[data-testid="report"] tr[data-check]`).Length())
	}
	kid := p.doc.Find(`tr[data-check="header.kid"]`)
	if st, _ := kid.Attr("data-status"); st != "fail" || !strings.Contains(kid.Find(`[data-testid="fix"]`).Text(), "paste it into the Console") {
		t.Errorf("header.kid row = %s %q", st, kid.Text())
	}
	for _, kind := range []string{verify.DriftKid, verify.DriftInlineJWKS} {
		if p.doc.Find(`[data-testid="drift"] tr[data-kind="`+kind+`"]`).Length() != 1 {
			t.Errorf("drift table lacks %s", kind)
		}
	}
	if p.text(`[data-testid="run-trigger"]`) != "audit" || p.text(`[data-testid="fingerprint"]`) != run.TokenFingerprint {
		t.Errorf("run meta = %q, fingerprint %q", p.text(`[data-testid="run-meta"]`), p.text(`[data-testid="fingerprint"]`))
	}

	other := wif.Connection{Name: "other"}
	if err := h.db.CreateConnection(context.Background(), &other, "test"); err != nil {
		t.Fatal(err)
	}
	if p := h.get("/connections/" + itoa(other.ID) + "/runs/" + itoa(run.ID)); p.status != 404 {
		t.Errorf("another connection's run: status %d, want 404", p.status)
	}
	if p := h.get(h.path("/runs/x")); p.status != 404 {
		t.Errorf("malformed run id: status %d", p.status)
	}
}

func TestVerifyNowUsesTheReference(t *testing.T) {
	h := newHistoryApp(t, true)
	p := h.get(h.path(""))
	if p.doc.Find(`[data-testid="verify-now"] input[name="client_secret"]`).Length() != 0 {
		t.Fatal("the reference resolves, yet the form asks for the secret")
	}
	csrf, _ := p.doc.Find(`[data-testid="verify-now"] input[name="_csrf"]`).Attr("value")
	res := h.post(h.path("/verify"), url.Values{}, csrf)
	if res.status != 303 || !strings.HasPrefix(res.header.Get("Location"), h.path("/runs/")) {
		t.Fatalf("verify: status %d, location %q", res.status, res.header.Get("Location"))
	}
	report := h.get(res.header.Get("Location"))
	if report.text(`[data-testid="run-trigger"]`) != "manual" || !strings.Contains(report.text(`[data-testid="report-summary"]`), "0 fail") {
		t.Errorf("run page: trigger %q, summary %q", report.text(`[data-testid="run-trigger"]`), report.text(`[data-testid="report-summary"]`))
	}
}

func TestVerifyNowAsksForTheSecretOnce(t *testing.T) {
	h := newHistoryApp(t, false)
	secret := h.p.ClientSecret
	p := h.get(h.path(""))
	field := p.doc.Find(`[data-testid="verify-now"] input[name="client_secret"]`)
	if field.Length() != 1 {
		t.Fatal("the reference does not resolve, yet the form does not ask for the secret")
	}
	if typ, _ := field.Attr("type"); typ != "password" {
		t.Errorf("secret input type %q", typ)
	}
	csrf := h.csrf(h.path(""))

	missing := h.post(h.path("/verify"), url.Values{}, csrf)
	if missing.status != 422 || !strings.Contains(missing.text(`[data-testid="field-client_secret"]`), "Enter the client secret") {
		t.Fatalf("no secret: status %d, field %q", missing.status, missing.text(`[data-testid="field-client_secret"]`))
	}

	res := h.post(h.path("/verify"), url.Values{"client_secret": {secret}}, csrf)
	if res.status != 303 {
		t.Fatalf("verify with the secret: status %d: %s", res.status, res.body)
	}
	report := h.get(res.header.Get("Location"))
	again := h.get(h.path(""))
	for where, body := range map[string]string{"verify response": res.body, "run page": report.body, "detail page": again.body, "logs": h.logs.String()} {
		if strings.Contains(body, secret) {
			t.Errorf("the %s contains the secret", where)
		}
		if jwtLike(body) {
			t.Errorf("the %s contains a JWT", where)
		}
	}
	if v, _ := again.doc.Find(`input[name="client_secret"]`).Attr("value"); v != "" {
		t.Error("the secret was rendered back into the form")
	}
	h.db.Close()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(h.dbPath + suffix)
		if err == nil && (strings.Contains(string(b), secret) || jwtLike(string(b))) {
			t.Errorf("the database file%s holds the secret or a JWT", suffix)
		}
	}
}

func TestConnectionsListShowsDrifted(t *testing.T) {
	h := newHistoryApp(t, true)
	h.auditOnce(t)
	h.emu.Update(h.p.Slug, func(p *emulator.Provider) { p.Validity = "minutes=30" })
	if r := h.auditOnce(t); r.Status != wif.AuditDrifted {
		t.Fatalf("status %s, want drifted", r.Status)
	}
	p := h.get("/")
	if got := p.text(`[data-testid="connection-row"] .badge.drifted`); got != "drifted" {
		t.Errorf("list badge = %q, want drifted", got)
	}
	if !strings.Contains(p.text(`[data-testid="connection-row"]`), time.Now().UTC().Format("2006-01-02")) {
		t.Error("the list does not show when it was last verified")
	}
}
