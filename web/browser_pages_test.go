package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// pageSet is a demo server holding the connections the page tests look at: a passing demo
// connection, a demo connection whose Console settings fail two checks, a real draft with only
// a name, and one audit of them all.
type pageSet struct {
	a                  *app
	pass, fail, draft  string // connection paths
	passStep, failStep string // wizard paths, ending in "/wizard/"
	failRun            string // the failing connection's run page
}

func newPageSet(t *testing.T) *pageSet {
	t.Helper()
	a, _ := newDemoApp(t)
	ps := &pageSet{a: a}
	ps.passStep = walkDemo(t, a, "nightly-batch", nil)
	ps.failStep = walkDemo(t, a, "payments-eu", url.Values{
		"subject_prefix":              {"ak-someone-else-client_credentials"},
		"max_identity_token_lifetime": {"600"},
	})
	ps.pass, ps.fail = strings.TrimSuffix(ps.passStep, "/wizard/"), strings.TrimSuffix(ps.failStep, "/wizard/")
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
// audit, the hand-off and the wizard's steps 1 and 6 at 1280 and 390 px: axe-core finds no
// serious or critical violation, the page body never scrolls sideways, and the reports show
// their first failing check without scrolling. Screenshots go to testout/browser/pages.
func TestBrowserPagesAtBothWidths(t *testing.T) {
	ps := newPageSet(t)
	b := newBrowser(t, "pages")
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
		{"step6", ps.passStep + "6", ""},
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
			if pg.firstFailure != "" && !b.visibleWithoutScrolling(pg.firstFailure) {
				t.Errorf("%s at %s px: the first failing check is not visible without scrolling", pg.name, w.name)
			}
		}
	}
}
