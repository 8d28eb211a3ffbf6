package web_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/wif"
)

// TestBrowserConsoleSaveAndVerify (issue 14, items 1 and 5): on a phone and a desktop, the Console
// step is pre-filled from the sample token of a provider whose tokens live two hours (its sub, a
// maximum identity token lifetime of 7200 s, the 3600 s Anthropic will mint); "Save and verify"
// has the client secret field right above it; without the secret it asks for it, with it the
// report is this run's and passes the lifetimes.
func TestBrowserConsoleSaveAndVerify(t *testing.T) {
	f := newStepFour(t, "two-hours", "hours=2")
	b := newBrowser(t, "console-save-verify")
	b.viewport(390, 844)
	b.open(f.a.srv.URL, f.base+"4")
	if id := b.focus("console_token"); id != "console_token" {
		t.Errorf("step 4 opens with the focus on %q, want its first field", id)
	}
	for sel, want := range map[string]string{"#max_identity_token_lifetime": "7200", "#token_lifetime": "3600",
		"#subject_prefix": wif.ServiceAccountUsername(f.p.Name), "#audience": f.p.ClientID} {
		if got := b.value(sel); got != want {
			t.Errorf("%s pre-filled with %q, want %q", sel, got, want)
		}
	}
	for _, w := range widths {
		b.viewport(w.w, w.h)
		b.screenshot(w.name + "-step4")
		b.elementShot(`[data-testid="save-verify"]`, w.name+"-save-verify")
		secretBesideTheButton(t, b, w.name)
	}

	b.viewport(390, 844)
	b.typeInto(`#service_account_id`, testenv.ServiceAccountID)
	b.typeInto(`#federation_rule_id`, testenv.FederationRuleID)
	b.typeInto(`#organization_id`, testenv.OrganizationID)
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="save-verify-button"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="form-errors"]`)))
	b.screenshot("390-secret-asked")
	if got := b.focus("form-errors"); got != "form-errors" {
		t.Errorf("focus on %q after Save and verify without a secret, want the error summary", got)
	}
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="form-errors"] a[href="#client_secret"]`)))
	if id := b.focus("client_secret"); id != "client_secret" {
		t.Errorf("the summary's link focuses %q", id)
	}
	b.typeInto(`#client_secret`, f.secret)
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="save-verify-button"]`)))
	b.waitHeading("Verification report")
	b.screenshot("390-report")
	if n := eval[int](b, `document.querySelectorAll('[data-testid="stale"], [data-testid="no-report"]').length`); n != 0 {
		t.Fatal("the report after Save and verify withholds this run or shows another")
	}
	for _, id := range []string{"lifetime", "rule.lifetime", "claim.sub", "signature"} {
		if got := b.attr(`[data-check="`+id+`"]`, "data-status"); got != "pass" {
			t.Errorf("%s = %s", id, got)
		}
	}
	html := eval[string](b, `document.documentElement.outerHTML`)
	if strings.Contains(html, f.secret) {
		t.Fatal("the client secret is on the report page")
	}
	b.viewport(1280, 800)
	b.screenshot("1280-report")
}

// elementShot saves a screenshot of the element matching sel as NN-name.png, for a closer look
// than the whole page gives.
func (b *browser) elementShot(sel, name string) {
	b.t.Helper()
	b.shot++
	png, err := chromedp.Run(b.ctx, chromedp.Screenshot(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("screenshot of %s: %v", sel, err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", b.shot, name)), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// secretBesideTheButton: the client secret field is the last thing before "Save and verify",
// close above it, in the same box.
func secretBesideTheButton(t *testing.T, b *browser, width string) {
	t.Helper()
	gap := eval[float64](b, `(() => { const f = document.querySelector('[data-testid="save-verify"] [data-testid="field-client_secret"]');
		const btn = document.querySelector('[data-testid="save-verify-button"]');
		if (!f || !btn || f.nextElementSibling !== btn.closest(".actions")) return -1;
		return btn.getBoundingClientRect().top - f.getBoundingClientRect().bottom; })()`)
	if gap < 0 || gap > 48 {
		t.Errorf("at %s px the client secret field is not right above Save and verify (gap %.0f px)", width, gap)
	}
	if typ := b.attr(`#client_secret`, "type"); typ != "password" {
		t.Errorf("the client secret field is a %s field", typ)
	}
}

// TestBrowserUntrustedCertificate (issue 14, item 6): authentik behind a private CA. The sample
// step says "authentik's certificate is not trusted — paste its CA" (no token heading, no
// --ca-file) at both widths; its link opens the provider step with the CA field unfolded and
// focused — also without JavaScript; pasting the CA there makes the next sample pass.
func TestBrowserUntrustedCertificate(t *testing.T) {
	emu := testenv.Start(t)
	p := testenv.Provider(t, emu, "private-ca")
	a := newApp(t, func(s *setup) { s.env = testenv.Env(map[string]string{testenv.SecretEnv(p): p.ClientSecret}) })
	conn := testenv.Connection(t, emu, p, "private-ca", testenv.SecretEnv(p))
	conn.Step = 2
	conn = testenv.Create(t, a.db, conn)
	base := fmt.Sprintf("/connections/%d/wizard/", conn.ID)
	b := newBrowser(t, "untrusted-ca")

	b.open(a.srv.URL, base+"3")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="request-token"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="diagnosis"]`)))
	for _, w := range widths {
		b.viewport(w.w, w.h)
		b.do(chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
		b.screenshot(w.name + "-step3-untrusted")
		if cause := b.attr(`[data-testid="diagnosis"]`, "data-cause"); cause != "untrusted-ca" {
			t.Fatalf("diagnosis %q", cause)
		}
		if h := b.text(`[data-testid="diagnosis"] h2`); h != "authentik's certificate is not trusted — paste its CA" {
			t.Errorf("heading %q", h)
		}
		if !b.visibleWithoutScrolling(`[data-testid="diagnosis-link"]`) {
			t.Errorf("at %s px the way to the CA field is not in view", w.name)
		}
		if n := b.overflow(); n > 0 {
			t.Errorf("at %s px the page scrolls sideways by %d px", w.name, n)
		}
		for _, v := range b.axe() {
			t.Errorf("untrusted certificate at %s px: axe %s (%s): %s — %v", w.name, v.ID, v.Impact, v.Help, v.Nodes)
		}
	}
	body := b.text("main")
	for _, wrong := range []string{"--ca-file", "The token authentik issued"} {
		if strings.Contains(body, wrong) {
			t.Errorf("the page says %q", wrong)
		}
	}
	if fix := b.attr(`tr[data-check="discovery"] [data-testid="fix-link"]`, "href"); !strings.HasSuffix(fix, "/wizard/2?ca=1#ca_pem") {
		t.Errorf("the discovery row's fix links %q", fix)
	}

	b.do(chromedp.Click(chromedp.CSS(`[data-testid="diagnosis-link"]`)))
	b.waitHeading("authentik provider")
	caFieldOpenedAndFocused(t, b, "with JavaScript")
	b.screenshot("390-step2-ca-field")

	cdpCall(b, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	b.open(a.srv.URL, base+"2?ca=1#ca_pem")
	caFieldOpenedAndFocused(t, b, "without JavaScript")
	cdpCall(b, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})

	b.open(a.srv.URL, base+"2?ca=1#ca_pem")
	b.do(chromedp.SetValue(chromedp.CSS(`#ca_pem`), string(emu.CAPEM())))
	b.do(chromedp.Click(chromedp.CSS(`#provider-form .actions button[type="submit"]`)))
	b.waitHeading("Sample token")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="request-token"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="sample-ok"]`)))
	b.screenshot("390-step3-trusted")
}

func caFieldOpenedAndFocused(t *testing.T, b *browser, how string) {
	t.Helper()
	if open := eval[bool](b, `document.querySelector('[data-testid="ca-details"]').open`); !open {
		t.Errorf("%s: the CA field is folded away", how)
	}
	if id := b.focus("ca_pem"); id != "ca_pem" {
		t.Errorf("%s: the focus is on %q, want the CA field", how, id)
	}
}

// dialGate holds every connection to authentik until released, so that a check stays running
// while the test reloads its page.
type dialGate struct {
	arrived chan struct{}
	release chan struct{}
}

func newDialGate() *dialGate {
	return &dialGate{arrived: make(chan struct{}, 1), release: make(chan struct{})}
}

func (g *dialGate) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	select {
	case g.arrived <- struct{}{}:
	default:
	}
	select {
	case <-g.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// gatedConnection is a server and a connection at step 3 whose authentik is reached through g.
func gatedConnection(t *testing.T, g *dialGate) (*app, string) {
	t.Helper()
	emu := testenv.Start(t)
	p := testenv.Provider(t, emu, "gated")
	a := newApp(t, func(s *setup) {
		s.runner = &probe.Runner{ExtraCA: emu.CAPEM(), DialContext: g.dial}
		s.env = testenv.Env(map[string]string{testenv.SecretEnv(p): p.ClientSecret})
	})
	conn := testenv.Connection(t, emu, p, "gated", testenv.SecretEnv(p))
	conn.Step = 2
	conn = testenv.Create(t, a.db, conn)
	return a, fmt.Sprintf("/connections/%d/wizard/", conn.ID)
}

// runs is how many runs the connection at base has recorded.
func runs(t *testing.T, a *app, base string) int {
	t.Helper()
	rs, err := a.db.ListRuns(context.Background(), connID(t, base), 10)
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}

// TestBrowserReloadShowsTheRunningCheck (issue 14, item 11): a page reloaded while its sample
// token is being requested shows that check running, with its progress, instead of hiding it;
// asking again joins it rather than starting a second one; its result appears when it ends —
// with htmx by itself, without JavaScript after a reload (the request's own navigation away does
// not cancel the check).
func TestBrowserReloadShowsTheRunningCheck(t *testing.T) {
	t.Run("WithJavaScript", func(t *testing.T) {
		g := newDialGate()
		a, base := gatedConnection(t, g)
		b := newBrowser(t, "running-check")
		b.open(a.srv.URL, base+"3")
		b.do(chromedp.Click(chromedp.CSS(`[data-testid="request-token"]`)))
		<-g.arrived
		b.do(chromedp.Reload())
		b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="running-check"]`)))
		if st := b.attr(`[data-testid="running-check"] [data-stage="discovery"]`, "data-status"); st != "running" {
			t.Errorf("discovery shown %q", st)
		}
		for _, w := range widths {
			b.viewport(w.w, w.h)
			b.screenshot(w.name + "-running")
			if n := b.overflow(); n > 0 {
				t.Errorf("at %s px the page scrolls sideways by %d px", w.name, n)
			}
			for _, v := range b.axe() {
				t.Errorf("running check at %s px: axe %s (%s): %s — %v", w.name, v.ID, v.Impact, v.Help, v.Nodes)
			}
		}
		b.do(chromedp.Click(chromedp.CSS(`[data-testid="request-token"]`)))
		// Asked again while it runs: the answer is the running check's progress (joined, not a
		// second check); only then may it end.
		b.do(chromedp.WaitVisible(chromedp.CSS(`#progress [data-testid="progress-poll"]`)))
		running, joined := b.attr(`[data-testid="running-check"] [data-testid="progress-poll"]`, "hx-get"), b.attr(`#progress [data-testid="progress-poll"]`, "hx-get")
		if job := func(u string) string { return strings.SplitN(u, "?", 2)[0] }; job(joined) != job(running) {
			t.Errorf("asking again started %q instead of joining %q", joined, running)
		}
		close(g.release)
		b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="sample-result"]`)))
		b.screenshot("390-result")
		if n := runs(t, a, base); n != 1 {
			t.Errorf("%d runs recorded, want the one check", n)
		}
	})
	t.Run("WithoutJavaScript", func(t *testing.T) {
		g := newDialGate()
		a, base := gatedConnection(t, g)
		b := newBrowser(t, "running-check-nojs")
		cdpCall(b, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		b.open(a.srv.URL, base+"3")
		// The form posts and the request waits for the check; the page is left before it ends.
		b.do(chromedp.Click(chromedp.CSS(`[data-testid="request-token"]`)))
		<-g.arrived
		// Leaving the page as Esc would, then opening it again: a navigation started over the
		// pending POST is sometimes reported aborted (net::ERR_ABORTED) by Chromium under load.
		cdpCall(b, cdppage.StopLoading, cdp.Empty{})
		b.open(a.srv.URL, base+"3")
		if n := eval[int](b, `document.querySelectorAll('[data-testid="running-check"]').length`); n != 1 {
			t.Fatal("the reloaded page does not show the running check")
		}
		if !eval[bool](b, `document.querySelector('[data-testid="reload"]') !== null && document.querySelector('[data-testid="reload"]').offsetParent !== null`) {
			t.Error("without JavaScript the running check offers no reload link")
		}
		b.screenshot("1280-running")
		close(g.release)
		for i := 0; ; i++ { // reload as a person would until the result is there
			b.do(chromedp.Click(chromedp.CSS(`[data-testid="reload"]`)))
			b.do(chromedp.WaitReady(chromedp.CSS(`h1`)))
			if eval[int](b, `document.querySelectorAll('[data-testid="sample-result"]').length`) == 1 {
				break
			}
			if i > 100 {
				t.Fatal("the check never finished")
			}
			time.Sleep(100 * time.Millisecond)
		}
		b.screenshot("1280-result")
		if n := runs(t, a, base); n != 1 {
			t.Errorf("%d runs recorded, want the one check", n)
		}
	})
}

// dialogs records the JavaScript dialogs the page opens (beforeunload among them) and answers
// each: leave the page when leave holds, else stay.
func (b *browser) dialogs(leave *atomic.Bool) <-chan *cdppage.EventJavascriptDialogOpening {
	ch := make(chan *cdppage.EventJavascriptDialogOpening, 8)
	if err := chromedp.Listen(b.ctx, func(ev any) {
		if d, ok := ev.(*cdppage.EventJavascriptDialogOpening); ok {
			ch <- d
			accept := leave.Load()
			go chromedp.Do(b.ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := cdp.Call(ctx, t, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: accept})
				return err
			}))
		}
	}); err != nil {
		b.t.Fatal(err)
	}
	return ch
}

// TestBrowserProviderStepPostRedirectGet (issue 14, item 11): reading the provider through the
// admin API ends on a page of its own address (post/redirect/get): a reload shows the result
// again without resending the form; edits not saved yet ask before the page is left, unchanged
// pages and submitted forms do not.
func TestBrowserProviderStepPostRedirectGet(t *testing.T) {
	a, d := newDemoApp(t)
	base := startDemoConnection(t, a)
	a.submit(base+"1", nil)
	b := newBrowser(t, "provider-prg")
	var leave atomic.Bool
	dialogs := b.dialogs(&leave)

	b.open(a.srv.URL, base+"2")
	if id := b.focus("client_id"); id != "client_id" {
		t.Errorf("step 2 opens with the focus on %q, want its first field", id)
	}
	b.typeInto(`#api_token`, d.Authentik.APIToken())
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="read-provider"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="provider-read"]`)))
	loc := eval[string](b, `location.href`)
	if !strings.Contains(loc, "/wizard/2?held=") {
		t.Fatalf("the read result is at %q, not a page of its own", loc)
	}
	b.screenshot("1280-read")
	// The page holds values typed but not saved, so the reload asks first; it then shows the same
	// result again, from its address alone.
	leave.Store(true)
	b.do(chromedp.Reload())
	leave.Store(false)
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="provider-read"]`)))
	if got := eval[string](b, `location.href`); got != loc {
		t.Errorf("after a reload the page is %q", got)
	}
	if v := b.value(`#api_token`); v != "" {
		t.Error("the API token was kept for the result page")
	}
	for len(dialogs) > 0 {
		if d := <-dialogs; d.Type != cdppage.DialogTypeBeforeunload {
			t.Errorf("reloading the result opened a %s dialog", d.Type)
		}
	}

	// Unsaved edits ask before the page is left; the page stays when asked to.
	b.open(a.srv.URL, base+"2")
	b.typeInto(`#access_token_validity`, "hours=2")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="step-1"] a`)))
	select {
	case d := <-dialogs:
		if d.Type != cdppage.DialogTypeBeforeunload {
			t.Errorf("a %s dialog, want beforeunload", d.Type)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("leaving the step with an unsaved edit did not ask")
	}
	if v := b.value(`#access_token_validity`); v != "hours=2" {
		t.Errorf("after staying the field holds %q", v)
	}
	// Saving leaves without asking; so does leaving a page with nothing changed.
	b.do(chromedp.Click(chromedp.CSS(`#provider-form .actions button[type="submit"]`)))
	b.waitHeading("Sample token")
	b.open(a.srv.URL, base+"2")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="step-1"] a`)))
	b.waitHeading("Basics")
	select {
	case d := <-dialogs:
		t.Errorf("a %s dialog without an unsaved edit", d.Type)
	default:
	}
	if got := storedAt(t, a, base).AccessTokenValidity; got != "hours=2" {
		t.Errorf("saved validity %q", got)
	}
}

// storedAt is the connection at base as stored.
func storedAt(t *testing.T, a *app, base string) wif.Connection {
	t.Helper()
	c, err := a.db.GetConnection(context.Background(), connID(t, base))
	if err != nil {
		t.Fatal(err)
	}
	return *c
}

// TestBrowserIssuerDerivedLive (issue 14, item 13): step 1 shows the issuer URL and discovery base
// as they are typed, derived exactly as the server derives them on saving.
func TestBrowserIssuerDerivedLive(t *testing.T) {
	a := newApp(t)
	create := a.post("/connections", url.Values{"name": {"derive-me"}}, a.csrf("/connections/new"))
	base := strings.TrimSuffix(create.header.Get("Location"), "1")
	b := newBrowser(t, "derive-live")
	b.viewport(390, 844)
	b.open(a.srv.URL, base+"1")
	if eval[bool](b, `!document.querySelector('[data-testid="derived"]').hidden`) {
		t.Error("the derived card shows before anything is typed")
	}
	b.typeInto(`#authentik_url`, "https://auth.example.com/")
	b.typeInto(`#app_slug`, "batch-jobs")
	b.typeInto(`#provider_name`, "Batch jobs")
	if got := b.text(`#issuer-url`); got != "https://auth.example.com/application/o/batch-jobs/" {
		t.Errorf("live issuer URL %q", got)
	}
	if got := b.text(`#discovery-base`); got != "https://auth.example.com/application/o/batch-jobs" {
		t.Errorf("live discovery base %q", got)
	}
	b.screenshot("390-per-provider")
	b.do(chromedp.Click(chromedp.CSS(`input[name="issuer_mode"][value="global"]`)))
	live := b.text(`#issuer-url`)
	if live != "https://auth.example.com/" {
		t.Errorf("live global issuer %q", live)
	}
	b.screenshot("390-global")
	b.do(chromedp.Click(chromedp.CSS(`main form.card .actions button[type="submit"]`)))
	b.waitHeading("authentik provider")
	if got := storedAt(t, a, base).IssuerURL; got != live {
		t.Errorf("the server derived %q, the page showed %q", got, live)
	}
	b.open(a.srv.URL, base+"1")
	if got := b.text(`#issuer-url`); got != live {
		t.Errorf("after saving the page shows %q", got)
	}
	b.typeInto(`#app_slug`, "Not A Slug")
	if eval[bool](b, `document.querySelector('[data-derive-values]').hidden === false`) {
		t.Error("an invalid slug still shows a derived issuer URL")
	}
}
