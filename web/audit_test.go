package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/wif"
)

// auditApp stores four connections: one that will pass, one whose key rotates (failed, with
// drift), one whose token validity shrinks (drifted) and one without its secret (skipped).
func newAuditApp(t *testing.T) (*app, *emulator.Emulator, map[string]wif.Connection) {
	t.Helper()
	emu := testenv.Start(t)
	vars := map[string]string{}
	a := newApp(t, func(c *setup) {
		c.runner = &probe.Runner{ExtraCA: emu.CAPEM()}
		c.env = testenv.Env(vars)
	})
	conns := map[string]wif.Connection{}
	for _, name := range []string{"steady", "rotated", "shorter", "secretless"} {
		p := testenv.Provider(t, emu, name)
		if name != "secretless" {
			vars[testenv.SecretEnv(p)] = p.ClientSecret
		}
		c := testenv.Connection(t, emu, p, name, testenv.SecretEnv(p))
		if err := a.db.CreateConnection(context.Background(), &c, "browser"); err != nil {
			t.Fatal(err)
		}
		conns[name] = c
	}
	return a, emu, conns
}

func TestAuditWithoutJavaScript(t *testing.T) {
	a, emu, conns := newAuditApp(t)
	page := a.get("/audit")
	if page.status != 200 || page.doc.Find(`select[name="connection"] option`).Length() != 5 {
		t.Fatalf("audit page: status %d, %d options", page.status, page.doc.Find(`select[name="connection"] option`).Length())
	}
	csrf := a.csrf("/audit")
	first := a.follow(a.post("/audit", url.Values{}, csrf))
	if first.status != 200 || first.text(`[data-testid="count-passed"]`) != "3" || first.text(`[data-testid="count-skipped"]`) != "1" {
		t.Fatalf("first audit: status %d, summary %q", first.status, first.text(`[data-testid="audit-summary"]`))
	}
	emu.RotateKey("rotated")
	emu.Update("shorter", func(p *emulator.Provider) { p.Validity = "minutes=30" })
	emu.ResetCounts()

	res := a.follow(a.post("/audit", url.Values{}, csrf))
	if res.status != 200 {
		t.Fatalf("status %d", res.status)
	}
	job := res.doc.Find(`[data-testid="audit-job"]`)
	if f, _ := job.Attr("data-finished"); f != "true" || job.AttrOr("hx-get", "") != "" {
		t.Fatalf("without JavaScript the response is the finished audit, not a poller: %q", f)
	}
	if got := res.text(`[data-testid="audit-count"]`); got != "4 of 4" {
		t.Errorf("progress = %q", got)
	}
	for status, want := range map[string]string{"passed": "steady", "failed": "rotated", "drifted": "shorter", "skipped": "secretless"} {
		dd := res.doc.Find(`[data-testid="audit-summary"] dd[data-status="` + status + `"]`)
		if dd.Find(`[data-testid="count-`+status+`"]`).Text() != "1" || dd.Find("a").Text() != want {
			t.Errorf("summary %s = %q, want 1: %s", status, dd.Text(), want)
			continue
		}
		href := dd.Find("a").AttrOr("href", "")
		if status == "skipped" {
			if href != "/connections/"+itoa(conns[want].ID) {
				t.Errorf("skipped links to %q, want the connection", href)
			}
			continue
		}
		if !strings.HasPrefix(href, "/connections/"+itoa(conns[want].ID)+"/runs/") {
			t.Errorf("%s links to %q, want its run report", status, href)
		}
		if report := a.get(href); report.status != 200 || report.text(`[data-testid="run-trigger"]`) != "audit" {
			t.Errorf("%s report: status %d", status, report.status)
		}
	}
	if row := res.doc.Find(`[data-testid="audit-row"][data-status="skipped"]`).Text(); !strings.Contains(row, "secret not available") {
		t.Errorf("skipped row = %q", row)
	}
	if row := res.doc.Find(`[data-testid="audit-row"][data-status="failed"]`).Text(); !strings.Contains(row, "changed since the last pass: kid") {
		t.Errorf("failed row = %q, want the drift named", row)
	}
	// The figures agree with the rows: a failed connection whose key also rotated is counted
	// among the failed, and the summary says it changed too (issue 14, item 9).
	if got := res.text(`[data-testid="changed-failed"]`); !strings.Contains(got, "1 of them also changed") {
		t.Errorf("failed summary = %q, want the change named beside the count", got)
	}
	if got := res.text(`[data-testid="audit-progress"]`); !strings.Contains(got, "4 of 4 connections checked") || strings.Contains(got, "verified") {
		t.Errorf("progress = %q: skipped and failed connections were checked, not verified", got)
	}
	if c := emu.Counts(); c["discovery"] != 3 || c["jwks"] != 3 {
		t.Errorf("counts = %v, want one discovery and one JWKS fetch per issuer audited", c)
	}
	if again := a.get("/audit"); again.text(`[data-testid="count-failed"]`) != "1" {
		t.Error("the audit page does not show the latest audit")
	}
}

func TestAuditOneConnection(t *testing.T) {
	a, _, conns := newAuditApp(t)
	res := a.follow(a.post("/audit", url.Values{"connection": {itoa(conns["steady"].ID)}}, a.csrf("/audit")))
	if res.status != 200 || res.text(`[data-testid="audit-count"]`) != "1 of 1" || res.text(`[data-testid="count-passed"]`) != "1" {
		t.Fatalf("status %d, progress %q", res.status, res.text(`[data-testid="audit-count"]`))
	}
	if bad := a.post("/audit", url.Values{"connection": {"x"}}, a.csrf("/audit")); bad.status != 400 {
		t.Errorf("malformed connection: status %d", bad.status)
	}
	if missing := a.post("/audit", url.Values{}, ""); missing.status != 403 {
		t.Errorf("without CSRF: status %d", missing.status)
	}
}

func TestAuditWithHTMX(t *testing.T) {
	a, _, _ := newAuditApp(t)
	csrf := a.csrf("/audit")
	htmx := func(method, path string) page {
		req, _ := http.NewRequest(method, a.srv.URL+path, nil)
		req.Header.Set("HX-Request", "true")
		req.Header.Set("X-CSRF-Token", csrf)
		return a.do(req)
	}
	start := htmx(http.MethodPost, "/audit")
	job := start.doc.Find(`[data-testid="audit-job"]`)
	poll, _ := job.Attr("hx-get")
	if start.status != 200 || start.doc.Find("html header").Length() != 0 || !strings.HasPrefix(poll, "/audit/jobs/") {
		t.Fatalf("htmx start: status %d, poll %q; want the polling fragment alone", start.status, poll)
	}
	if job.AttrOr("hx-trigger", "") != "every 500ms" {
		t.Errorf("hx-trigger = %q", job.AttrOr("hx-trigger", ""))
	}
	var last page
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		last = htmx(http.MethodGet, poll)
		if last.doc.Find(`[data-testid="audit-job"]`).AttrOr("data-finished", "") == "true" {
			break
		}
	}
	finished := last.doc.Find(`[data-testid="audit-job"]`)
	if finished.AttrOr("data-finished", "") != "true" || finished.AttrOr("hx-get", "") != "" {
		t.Fatal("the audit did not finish, or the finished fragment still polls")
	}
	if last.text(`[data-testid="audit-count"]`) != "4 of 4" || last.doc.Find(`[data-testid="audit-row"]`).Length() != 4 {
		t.Errorf("finished fragment: %q", last.text(`[data-testid="audit-job"]`))
	}
	if full := a.get(poll); full.status != 200 || full.doc.Find("header.site").Length() != 1 || full.text(`[data-testid="count-passed"]`) != "3" {
		t.Errorf("the job URL without htmx is the whole page with the summary: status %d", full.status)
	}
	if unknown := a.get("/audit/jobs/nope"); unknown.status != 404 {
		t.Errorf("unknown job: status %d", unknown.status)
	}
}
