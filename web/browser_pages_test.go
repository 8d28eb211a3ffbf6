package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/wifwiz/wifwiz/demo"
)

// pageSet is a demo server holding the connections the page tests look at: a passing demo
// connection, a demo connection whose Console settings fail two checks, a real draft with only
// a name, and one audit of them all.
type pageSet struct {
	a                  *app
	demo               *demo.Demo
	pass, fail, draft  string // connection paths
	passStep, failStep string // wizard paths, ending in "/wizard/"
	staleStep          string // a connection edited after its run
	failRun            string // the failing connection's run page
}

func newPageSet(t *testing.T) *pageSet {
	t.Helper()
	a, d := newRecordedDemoApp(t) // the failing reports judge the recorded values
	ps := &pageSet{a: a, demo: d}
	ps.passStep = walkDemo(t, a, "nightly-batch", nil)
	ps.failStep = walkDemo(t, a, "payments-eu", url.Values{
		"subject_prefix":              {"ak-someone-else-client_credentials"},
		"max_identity_token_lifetime": {"600"},
	})
	ps.pass, ps.fail = strings.TrimSuffix(ps.passStep, "/wizard/"), strings.TrimSuffix(ps.failStep, "/wizard/")
	ps.staleStep = walkDemo(t, a, "edited-later", nil)
	create := a.post("/connections", url.Values{"name": {"billing-exporter"}}, a.csrf("/connections/new"))
	if create.status != http.StatusSeeOther {
		t.Fatalf("create draft: %d", create.status)
	}
	ps.draft = strings.TrimSuffix(create.header.Get("Location"), "/wizard/1")
	href, ok := a.get(ps.fail).doc.Find(`[data-testid="run"] a`).First().Attr("href")
	if !ok {
		t.Fatal("the failing connection has no run")
	}
	ps.failRun = href
	if p := a.follow(a.post("/audit", url.Values{}, a.csrf("/audit"))); p.status != http.StatusOK {
		t.Fatalf("audit: %d", p.status)
	}
	if p := a.submit(ps.staleStep+"1", url.Values{"name": {"edited-after-its-run"}}); p.status != http.StatusSeeOther {
		t.Fatalf("edit: %d", p.status)
	}
	return ps
}

// walkDemo creates a demo connection named name and saves steps 1 to 4 as a browser without
// JavaScript would, with console's changes at step 4; saving step 4 verifies. It returns the
// connection's wizard path.
func walkDemo(t *testing.T, a *app, name string, console url.Values) string {
	t.Helper()
	base := startDemoConnection(t, a)
	steps := []url.Values{{"name": {name}}, nil, nil, console}
	for i, changes := range steps {
		if p := a.submit(base+fmt.Sprint(i+1), changes); p.status != http.StatusSeeOther {
			t.Fatalf("%s step %d: %d %s", name, i+1, p.status, p.text(`[data-testid="form-errors"]`))
		}
	}
	return base
}

type width struct {
	name string
	w, h int64
}

var widths = []width{{"1280", 1280, 800}, {"390", 390, 844}}

// TestBrowserPagesAtBothWidths opens every page of the report, the connections, the runs, the
// audit, the hand-off, the wizard's steps 1 and 6, the alerts and the sign-in settings at 1280
// and 390 px: axe-core finds no
// serious or critical violation, the page body never scrolls sideways, and the reports show
// their first failing check without scrolling. Screenshots go to testout/browser/pages.
func TestBrowserPagesAtBothWidths(t *testing.T) {
	ps := newPageSet(t)
	b := newBrowser(t, "pages")
	t.Run("Sweep", func(t *testing.T) { b.t = t; sweepPages(t, b, ps) })
	t.Run("EmptyPages", func(t *testing.T) { b.t = t; emptyPages(t, b) })
	t.Run("BlockerLinksToItsRow", func(t *testing.T) { b.t = t; blockerLinksToItsRow(t, b, ps) })
	t.Run("ErrorSummaryTakesFocus", func(t *testing.T) { b.t = t; errorSummaryTakesFocus(t, b, ps) })
	t.Run("TabsWithoutJavaScript", func(t *testing.T) { b.t = t; tabsWithoutJavaScript(t, b, ps) })
	t.Run("CopiedIsAnnounced", func(t *testing.T) { b.t = t; copiedIsAnnounced(t, b, ps) })
	t.Run("WizardSteps2To4", func(t *testing.T) { b.t = t; wizardSteps(t, b, ps) })
}

func sweepPages(t *testing.T, b *browser, ps *pageSet) {
	pages := []struct{ name, path, firstFailure string }{
		{"connections", "/", ""},
		{"new-connection", "/connections/new", ""},
		{"connection-failing", ps.fail, ""},
		{"connection-draft", ps.draft, ""},
		{"run-failing", ps.failRun, `[data-blocker] .cause`},
		{"audit", "/audit", ""},
		{"handoff-failing", ps.fail + "/handoff", ""},
		{"step1", ps.failStep + "1", ""},
		{"step5-failing", ps.failStep + "5", `[data-blocker] .cause`},
		{"step5-passing", ps.passStep + "5", ""},
		{"step5-stale", ps.staleStep + "5", ""},
		{"step6", ps.passStep + "6", ""},
		{"alerts", "/settings/alerts", ""},
		{"sign-in-settings", "/admin/sign-in", ""},
	}
	for _, w := range widths {
		b.viewport(w.w, w.h)
		for _, pg := range pages {
			b.open(ps.a.srv.URL, pg.path)
			b.screenshot(w.name + "-" + pg.name)
			if n := b.overflow(); n > 0 {
				t.Errorf("%s at %s px: the page scrolls sideways by %d px", pg.name, w.name, n)
			}
			for _, v := range b.axe() {
				t.Errorf("%s at %s px: axe %s (%s): %s — %v", pg.name, w.name, v.ID, v.Impact, v.Help, v.Nodes)
			}
			for _, p := range b.polish() {
				t.Errorf("%s at %s px: %s", pg.name, w.name, p)
			}
			if pg.firstFailure != "" && !b.visibleWithoutScrolling(pg.firstFailure) {
				t.Errorf("%s at %s px: the first failing check is not visible without scrolling", pg.name, w.name)
			}
		}
	}
}

// blockerLinksToItsRow: on a phone, the first problem's link brings its card into view.
func blockerLinksToItsRow(t *testing.T, b *browser, ps *pageSet) {
	b.viewport(390, 844)
	b.open(ps.a.srv.URL, ps.failStep+"5")
	b.do(chromedp.Click(chromedp.CSS(`[data-blocker] a`)))
	if hash := eval[string](b, `location.hash`); hash != "#check-claim.sub" {
		t.Fatalf("hash = %q", hash)
	}
	top := eval[float64](b, `document.getElementById("check-claim.sub").getBoundingClientRect().top`)
	if top < 0 || top > 844/2 {
		t.Errorf("the claim.sub card is at %.0f px after following its link", top)
	}
	if open := eval[bool](b, `document.querySelector('details[data-testid="passed"]').open`); open {
		t.Error("the passing checks are not collapsed")
	}
	b.screenshot("390-blocker-followed")
}

// errorSummaryTakesFocus: after a refused save the summary has the focus, and its link moves
// the focus to the field.
func errorSummaryTakesFocus(t *testing.T, b *browser, ps *pageSet) {
	b.viewport(1280, 800)
	b.open(ps.a.srv.URL, ps.failStep+"1")
	if id := b.focus("name"); id != "name" {
		t.Errorf("step 1 opens with the focus on %q, want its first field", id)
	}
	b.typeInto(`#authentik_url`, "authentik.example")
	b.do(chromedp.Click(chromedp.CSS(`main form.card button[type="submit"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="form-errors"]`)))
	b.screenshot("1280-error-summary")
	if got := b.focus("form-errors"); got != "form-errors" {
		t.Errorf("focus on %q after a refused save, want the error summary", got)
	}
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="form-errors"] a[href="#authentik_url"]`)))
	if id := b.focus("authentik_url"); id != "authentik_url" {
		t.Errorf("the summary's link focuses %q, want the field", id)
	}
}

// tabsWithoutJavaScript: step 6 shows one format at a time, and a tab shows its own even with
// scripts off.
func tabsWithoutJavaScript(t *testing.T, b *browser, ps *pageSet) {
	b.viewport(390, 844)
	cdpCall(b, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	defer cdpCall(b, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
	b.open(ps.a.srv.URL, ps.passStep+"6")
	shown := func() string {
		return eval[string](b, `[...document.querySelectorAll(".tab-panel")].filter(p => p.offsetParent !== null).map(p => p.dataset.format).join(",")`)
	}
	if got := shown(); got != "shell" {
		t.Fatalf("panels shown at first: %q, want shell alone", got)
	}
	if n := eval[int](b, `[...document.querySelectorAll("[data-js-only]")].filter(e => e.offsetParent !== null).length`); n != 0 {
		t.Errorf("%d copy buttons shown without JavaScript, where they cannot work", n)
	}
	b.do(chromedp.Click(chromedp.CSS(`label[data-tab="k8s"]`)))
	if got := shown(); got != "k8s" {
		t.Errorf("after choosing Kubernetes: %q", got)
	}
	b.screenshot("390-step6-k8s-tab")
}

// copiedIsAnnounced: a copy button says "Copied" through the page's live region.
func copiedIsAnnounced(t *testing.T, b *browser, ps *pageSet) {
	b.viewport(1280, 800)
	b.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		c := chromedp.FromContext(ctx)
		_, err := cdp.Call(ctx, c.Browser, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: "clipboard-write"}, Setting: cdpbrowser.PermissionSettingGranted,
			BrowserContextID: c.BrowserContextID})
		return err
	}))
	cdpCall(b, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
	b.open(ps.a.srv.URL, ps.passStep+"6")
	b.do(chromedp.Click(chromedp.CSS(`button[data-copy="env-shell"]`)))
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`document.getElementById("announce").textContent !== ""`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatalf("nothing announced after Copy: %v", err)
	}
	if got := eval[string](b, `document.getElementById("announce").textContent`); !strings.HasPrefix(got, "Copied ") {
		t.Errorf("live region says %q", got)
	}
}

// emptyPages: the connections list and the audit page of a new installation point to the
// wizard, centred, at both widths.
func emptyPages(t *testing.T, b *browser) {
	a := newApp(t)
	for _, w := range widths {
		b.viewport(w.w, w.h)
		for _, pg := range []struct{ name, path, pointer string }{
			{"connections-empty", "/", `[data-testid="empty-state"] a[href="/connections/new"]`},
			{"audit-empty", "/audit", `[data-testid="audit-empty"] a[href="/connections/new"]`},
		} {
			b.open(a.srv.URL, pg.path)
			b.screenshot(w.name + "-" + pg.name)
			if n := b.overflow(); n > 0 {
				t.Errorf("%s at %s px: the page scrolls sideways by %d px", pg.name, w.name, n)
			}
			for _, v := range b.axe() {
				t.Errorf("%s at %s px: axe %s (%s): %s — %v", pg.name, w.name, v.ID, v.Impact, v.Help, v.Nodes)
			}
			if !b.visibleWithoutScrolling(pg.pointer) {
				t.Errorf("%s at %s px: no pointer to the wizard in view", pg.name, w.name)
			}
			// Centred: the explanation's middle is the card's middle.
			off := eval[float64](b, `(() => { const e = document.querySelector(".empty .lead");
				const a = e.getBoundingClientRect(), card = e.closest(".card").getBoundingClientRect();
				return Math.abs((a.left + a.right) / 2 - (card.left + card.right) / 2); })()`)
			if off > 2 {
				t.Errorf("%s at %s px: the explanation is %.0f px off the card's centre", pg.name, w.name, off)
			}
		}
	}
}
