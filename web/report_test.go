package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestReportIsCurrentAfterItsRun: recording a run and moving to the next step is no settings
// change, so the report shows no "settings changed" banner (issue 14, item 2); an edit made
// after the run withholds its verdicts until the next run (item 1).
func TestReportIsCurrentAfterItsRun(t *testing.T) {
	a, _ := newDemoApp(t)
	base := walkDemo(t, a, "nightly-batch", nil)
	report := a.get(base + "5")
	if report.doc.Find(`[data-testid="stale"]`).Length() != 0 {
		t.Fatalf("a fresh run is called stale: %s", report.text(`[data-testid="stale"]`))
	}
	if report.doc.Find(`[data-check]`).Length() == 0 || report.doc.Find(`[data-testid="all-clear"]`).Length() != 1 {
		t.Fatal("the passing report is not shown")
	}
	if p := a.post(base+"5", url.Values{}, a.csrf(base+"5")); p.status != http.StatusSeeOther {
		t.Fatalf("rerun: %d", p.status)
	}
	if a.get(base+"5").doc.Find(`[data-testid="stale"]`).Length() != 0 {
		t.Fatal("a rerun, then the step counter moving, made the report stale")
	}

	if p := a.submit(base+"1", url.Values{"name": {"renamed-batch"}}); p.status != http.StatusSeeOther {
		t.Fatalf("edit step 1: %d", p.status)
	}
	stale := a.get(base + "5")
	if stale.doc.Find(`[data-testid="stale"]`).Length() != 1 {
		t.Fatal("an edit after the run is not called out")
	}
	if n := stale.doc.Find(`[data-check], [data-blocker], [data-testid="all-clear"]`).Length(); n != 0 {
		t.Errorf("%d verdicts of a run older than the settings are shown", n)
	}
	if href := stale.doc.Find(`[data-testid="stale"] a`).AttrOr("href", ""); !strings.Contains(href, "/runs/") {
		t.Errorf("the stale banner does not link the earlier run: %q", href)
	}
	if st := stale.doc.Find(`[data-testid="step-5"]`).AttrOr("data-state", ""); st != "incomplete" {
		t.Errorf("step 5 = %q after an edit, want incomplete", st)
	}
	if !strings.Contains(a.get(base+"6").text(`[data-testid="not-verified"]`), "settings changed") {
		t.Error("step 6 does not say the settings changed after the verification")
	}
}

// TestReportLeadsWithTheFix: the failures come first, each with its check, cause and fix and a
// link to its row; the passing checks are collapsed (issue 14, item 4). The stepper keeps the
// sample token step green for failures of the Console's side (item 12).
func TestReportLeadsWithTheFix(t *testing.T) {
	a, _ := newRecordedDemoApp(t)
	base := walkDemo(t, a, "payments-eu", url.Values{"subject_prefix": {"ak-someone-else-client_credentials"},
		"max_identity_token_lifetime": {"600"}})
	p := a.get(base + "5")
	blockers := p.doc.Find(`[data-testid="blockers"] [data-blocker]`)
	if blockers.Length() != 2 || !strings.Contains(p.text(`#blockers-h`), "2 problems block Anthropic") {
		t.Fatalf("blockers = %d, heading %q", blockers.Length(), p.text(`#blockers-h`))
	}
	blockers.Each(func(_ int, li *goquery.Selection) {
		id, _ := li.Attr("data-blocker")
		href := li.Find("a").AttrOr("href", "")
		row := p.doc.Find(`tr[data-check="` + id + `"]`)
		if href != "#check-"+id || row.AttrOr("id", "") != "check-"+id || row.AttrOr("data-status", "") != "fail" {
			t.Errorf("blocker %s links %q; its row: id %q status %q", id, href, row.AttrOr("id", ""), row.AttrOr("data-status", ""))
		}
		if li.Find(".cause").Text() == "" || !strings.HasPrefix(strings.TrimSpace(li.Find(".fix").Text()), "Fix:") {
			t.Errorf("blocker %s lacks its cause or fix: %q", id, li.Text())
		}
	})
	if first, _ := blockers.First().Attr("data-blocker"); first != "claim.sub" {
		t.Errorf("first blocker %q, want claim.sub (contract order)", first)
	}
	var statuses []string
	p.doc.Find(`.not-passed tr[data-check]`).Each(func(_ int, s *goquery.Selection) { statuses = append(statuses, s.AttrOr("data-status", "")) })
	rank := map[string]int{"fail": 0, "warn": 1, "skip": 2}
	for i := 1; i < len(statuses); i++ {
		if rank[statuses[i-1]] > rank[statuses[i]] {
			t.Errorf("checks that did not pass, in order: %v; want failures first, then warnings, then skips", statuses)
			break
		}
	}
	if strings.Count(strings.Join(statuses, " "), "fail") != 2 || strings.Count(strings.Join(statuses, " "), "warn") != 1 {
		t.Errorf("checks that did not pass: %v; want the 2 failures and the warning", statuses)
	}
	passed := p.doc.Find(`details[data-testid="passed"]`)
	if _, open := passed.Attr("open"); open || passed.Find(`tr[data-status="pass"]`).Length() != 16 {
		t.Errorf("passing checks: open %v, %d rows; want 16 collapsed", open, passed.Find(`tr[data-status="pass"]`).Length())
	}
	if p.doc.Find(`[data-testid="continue"]`).Length() != 0 {
		t.Error("a failing report offers to continue to the workload")
	}
	for step, want := range map[string]string{"3": "complete", "5": "failed"} {
		if got := p.doc.Find(`[data-testid="step-`+step+`"]`).AttrOr("data-state", ""); got != want {
			t.Errorf("step %s = %q, want %q: the Console's failures are not the sample token's", step, got, want)
		}
	}
	if txt := p.body; strings.Contains(txt, "✅") || strings.Contains(txt, "❌") || strings.Contains(txt, "⚠️") {
		t.Error("the report uses emoji marks")
	}
}

// TestReportOfTheSampleTokenOnly: before the Console step, step 5 sends there instead of
// showing the sample token's run as a failed verification; that run is labelled as the sample
// token's in the history, and the list keeps the connection a draft (issue 14, items 9 and 12).
func TestReportOfTheSampleTokenOnly(t *testing.T) {
	a, _ := newDemoApp(t)
	base := startDemoConnection(t, a)
	for _, step := range []string{"1", "2", "3"} {
		if p := a.submit(base+step, nil); p.status != http.StatusSeeOther {
			t.Fatalf("step %s: %d", step, p.status)
		}
	}
	p := a.get(base + "5")
	if p.doc.Find(`[data-testid="no-report"]`).Length() != 1 || p.doc.Find(`[data-check]`).Length() != 0 {
		t.Fatal("step 5 shows the sample token's run as a report")
	}
	if p.doc.Find(`a[href="`+base+`4"].button`).Length() != 1 {
		t.Error("step 5 does not send to the Console step")
	}
	conn := a.get(strings.TrimSuffix(base, "/wizard/"))
	if conn.doc.Find(`[data-testid="sample-badge"]`).Length() != 1 || conn.doc.Find(`[data-testid="run"] .badge.fail`).Length() != 0 {
		t.Errorf("history: %q; want the sample token's run labelled, not failed", conn.text(`[data-testid="runs"]`))
	}
	if got := conn.text(`[data-testid="connection-status"]`); got != "draft" {
		t.Errorf("connection status %q, want draft", got)
	}
	list := a.get("/")
	row := list.doc.Find(`[data-testid="connection-row"]`)
	if got := row.Find(`[data-testid="row-status"]`).Text(); got != "draft" {
		t.Errorf("list status %q, want draft", got)
	}
	if got := row.Find(`[data-testid="last-verified"]`).Text(); !strings.Contains(got, "not yet") || strings.Contains(got, "UTC") {
		t.Errorf("last verified = %q, want not yet (the sample token is no verification)", got)
	}
	if !strings.Contains(a.get(base+"6").text(`[data-testid="not-verified"]`), "Not verified yet") {
		t.Error("step 6 of a never-verified draft does not say so")
	}
}

// TestConnectionPageOffersWhatWorks: a new draft opens at step 1, and its page offers the
// wizard, not a verification, exports or a hand-off that need both sides; a finished
// connection leads with verifying (issue 14, items 8 and 12). Exports are named by what they
// are and the file they give (item 13).
func TestConnectionPageOffersWhatWorks(t *testing.T) {
	a, _ := newDemoApp(t)
	create := a.post("/connections", url.Values{"name": {"billing-exporter"}}, a.csrf("/connections/new"))
	if loc := create.header.Get("Location"); create.status != http.StatusSeeOther || !strings.HasSuffix(loc, "/wizard/1") {
		t.Fatalf("create: %d → %q, want step 1", create.status, create.header.Get("Location"))
	}
	draft := a.get(strings.TrimSuffix(create.header.Get("Location"), "/wizard/1"))
	for _, sel := range []string{`[data-testid="verify-now"]`, `[data-testid="exports"]`, `[data-testid="handoff-link"]`} {
		if draft.doc.Find(sel).Length() != 0 {
			t.Errorf("a draft offers %s", sel)
		}
	}
	if href := draft.doc.Find(`[data-testid="continue-wizard"]`).AttrOr("href", ""); !strings.HasSuffix(href, "/wizard/1") {
		t.Errorf("continue = %q, want step 1", href)
	}
	if draft.doc.Find(`[data-testid="no-settings"]`).Length() != 1 {
		t.Error("a draft's settings are not said to be empty")
	}

	base := walkDemo(t, a, "nightly-batch", nil)
	if p := a.post(base+"6/finish", url.Values{}, a.csrf(base+"6")); p.status != http.StatusSeeOther {
		t.Fatalf("finish: %d", p.status)
	}
	done := a.get(strings.TrimSuffix(base, "/wizard/"))
	if done.doc.Find(`[data-testid="continue-wizard"]`).Length() != 0 || done.doc.Find(`[data-testid="verify-now"]`).Length() != 1 {
		t.Error("a finished connection still leads with the wizard")
	}
	labels := map[string]bool{}
	done.doc.Find(`[data-testid="exports"] li`).Each(func(_ int, li *goquery.Selection) {
		label, file := li.Find(".export-label").Text(), li.Find(".export-file").Text()
		if label == "" || file == "" || strings.HasPrefix(label, "refresh-") || labels[label] {
			t.Errorf("export %q (%q): want a unique label and its file name", label, file)
		}
		labels[label] = true
		if btn := li.Find("button").Text(); !strings.Contains(btn, file) {
			t.Errorf("download button %q does not name %s for screen readers", btn, file)
		}
	})
	if len(labels) < 10 {
		t.Errorf("%d exports listed", len(labels))
	}
}

// TestConnectionsListKeepsDemosApart (issue 14, item 13).
func TestConnectionsListKeepsDemosApart(t *testing.T) {
	a, _ := newDemoApp(t)
	startDemoConnection(t, a)
	a.post("/connections", url.Values{"name": {"billing-exporter"}}, a.csrf("/connections/new"))
	list := a.get("/")
	if got := list.text(`table[data-testid="connections"] [data-testid="connection-row"] a`); got != "billing-exporter" {
		t.Errorf("real connections: %q", got)
	}
	if got := list.text(`table[data-testid="demo-connections"] [data-testid="connection-row"] a`); got != "demo" {
		t.Errorf("demo connections: %q", got)
	}
}

// TestErrorSummaryLinksTheFields: the summary lists each error as a link to its field and
// takes the focus (issue 14, item 13).
func TestErrorSummaryLinksTheFields(t *testing.T) {
	a, _ := newDemoApp(t)
	base := startDemoConnection(t, a)
	p := a.submit(base+"1", url.Values{"authentik_url": {"authentik.example"}, "app_slug": {"My App"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", p.status)
	}
	summary := p.doc.Find(`[data-testid="form-errors"]`)
	if _, ok := summary.Attr("autofocus"); !ok || summary.AttrOr("tabindex", "") != "-1" {
		t.Error("the error summary does not take the focus")
	}
	var hrefs []string
	summary.Find("li a").Each(func(_ int, s *goquery.Selection) { hrefs = append(hrefs, s.AttrOr("href", "")) })
	if strings.Join(hrefs, " ") != "#authentik_url #app_slug" {
		t.Errorf("summary links %v, want the fields in page order", hrefs)
	}
	for _, h := range hrefs {
		if p.doc.Find(h).Length() != 1 {
			t.Errorf("%s links no field", h)
		}
	}
	if n := p.doc.Find(`[autofocus]`).Length(); n != 1 {
		t.Errorf("%d elements ask for the focus", n)
	}
	if _, ok := a.get(base + "1").doc.Find(`#name`).Attr("autofocus"); !ok {
		t.Error("step 1 does not focus its first field")
	}
}

// TestAuditPageWithoutConnections points to the wizard (issue 14, item 13).
func TestAuditPageWithoutConnections(t *testing.T) {
	a := newApp(t)
	p := a.get("/audit")
	if p.doc.Find(`[data-testid="audit-empty"] a[href="/connections/new"]`).Length() != 1 || p.doc.Find(`[data-testid="audit-form"]`).Length() != 0 {
		t.Errorf("empty audit page: %s", p.text("main"))
	}
}
