package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/wifwiz/wifwiz/demo"
)

// chromiumPath finds Debian's chromium. Outside CI a machine without it skips the browser tests;
// in CI (CI=true) a missing browser is a failure, so the tests cannot silently vanish.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("WIFWIZ_CHROMIUM"); p != "" {
		return p
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed: .ci/run installs it with apt-get install chromium")
	}
	t.Skip("chromium not installed (apt-get install chromium); browser tests skipped")
	return ""
}

// sharedBrowser is one Chromium for the whole test binary: each test opens its own tab in its
// own browser context (cookies apart), which costs milliseconds where a browser costs seconds.
var sharedBrowser struct {
	once   sync.Once
	ctx    context.Context
	cancel func()
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedBrowser.cancel != nil {
		sharedBrowser.cancel()
	}
	os.Exit(code)
}

func browserRoot(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath(t)
	sharedBrowser.once.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.NoSandbox,
			chromedp.WindowSize(1280, 1000),
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-component-update", true),
		)
		dir, err := os.MkdirTemp("", "wifwiz-chromium-")
		if err != nil {
			sharedBrowser.err = err
			return
		}
		opts = append(opts, chromedp.UserDataDir(dir))
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, cancelBrowser := chromedp.NewContext(actx)
		sharedBrowser.ctx = bctx
		sharedBrowser.cancel = func() { cancelBrowser(); cancelAlloc(); os.RemoveAll(dir) }
		sharedBrowser.err = chromedp.Do(bctx)
	})
	if sharedBrowser.err != nil {
		t.Fatalf("start chromium: %v", sharedBrowser.err)
	}
	return sharedBrowser.ctx
}

// browser is a headless Chromium tab with a deadline, saving screenshots under testout/.
type browser struct {
	t    *testing.T
	ctx  context.Context
	dir  string
	shot int
}

func newBrowser(t *testing.T, name string, extra ...chromedp.ExecAllocatorOption) *browser {
	t.Helper()
	var ctx context.Context
	var cancel func()
	if len(extra) == 0 {
		// Most tests share one Chromium, each in its own browser context (no shared cookies).
		tab, cancelTab := chromedp.NewContext(browserRoot(t), chromedp.WithNewBrowserContext())
		ctx, cancel = tab, cancelTab
	} else {
		// Tests that need their own Chromium flags (a trusted key, a resolver) start their own.
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chromiumPath(t)),
			chromedp.NoSandbox,
			chromedp.UserDataDir(t.TempDir()),
			chromedp.WindowSize(1280, 1000),
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-component-update", true),
		)
		opts = append(opts, extra...)
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		tab, cancelTab := chromedp.NewContext(actx)
		ctx, cancel = tab, func() { cancelTab(); cancelAlloc() }
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 120*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	dir := filepath.Join("..", "testout", "browser", name)
	if err := os.RemoveAll(dir); err != nil { // screenshots of an earlier run would mislead
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, ctx: ctx, dir: dir}
	b.viewport(1280, 1000)
	return b
}

// cdp sends one DevTools command to the tab.
func cdpCall[P any](b *browser, cmd cdp.Command[P, cdp.Empty], params P) {
	b.t.Helper()
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cmd, params)
		return err
	}))
}

// viewport sets the size of the page's window, as a desktop or a phone (390 × 844) has it.
func (b *browser) viewport(width, height int64) {
	b.t.Helper()
	b.do(chromedp.EmulateViewport(width, height))
}

func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	r, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		b.t.Fatalf("%s of %s: %v", name, sel, err)
	}
	return r.Value
}

// screenshot saves the whole page as NN-name.png.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	b.shot++
	png, err := chromedp.Run(b.ctx, fastFullScreenshot)
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", b.shot, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// fastFullScreenshot is chromedp.FullScreenshot(100) with Chromium's fast PNG encoding: the
// encoding of a long page was most of a screenshot's time, and screenshots a third of the
// browser tests'.
func fastFullScreenshot(ctx context.Context, t *chromedp.Target) ([]byte, error) {
	yes := true
	r, err := cdp.Call(ctx, t, cdppage.CaptureScreenshot, cdppage.CaptureScreenshotParams{
		CaptureBeyondViewport: &yes, FromSurface: &yes, Format: cdppage.CaptureScreenshotFormatPng, OptimizeForSpeed: &yes})
	if err != nil {
		return nil, err
	}
	return r.Data, nil
}

// waitHeading waits until the page's h1 is the given step title.
func (b *browser) waitHeading(title string) {
	b.t.Helper()
	expr := `document.readyState === "complete" && document.querySelector("h1") !== null && document.querySelector("h1").textContent.trim() === ` + jsString(title)
	// A navigation destroys the page's JavaScript context, so errors while it happens are retried.
	var last string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		last, _ = chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("h1") ? document.querySelector("h1").textContent : ""`))
	}
	b.screenshot("timeout")
	b.t.Fatalf("waited 30 s for the page %q; the page shows %q", title, last)
}

func jsString(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

func (b *browser) typeInto(sel, text string) {
	b.t.Helper()
	b.do(chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), text))
}

// walkToSample creates the demo connection in the browser and fills steps 1 and 2 as a user would.
func walkToSample(b *browser, baseURL, name string) {
	b.do(chromedp.Navigate(baseURL + "/"))
	b.screenshot("connections-empty")
	b.do(chromedp.Click(chromedp.CSS(`a.button[href="/connections/new"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="try-demo"]`)))
	b.screenshot("new-connection")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="try-demo"]`)))
	b.waitHeading("Basics")
	b.typeInto(`#name`, name)
	b.screenshot("step1-basics")
	b.do(chromedp.Click(chromedp.CSS(`main form.card button[type="submit"]`)))
	b.waitHeading("authentik provider")
	b.screenshot("step2-provider")
	b.do(chromedp.Click(chromedp.CSS(`main form.card button[type="submit"]`)))
	b.waitHeading("Sample token")
}

func TestBrowserWizardWalk(t *testing.T) {
	// As serve runs on loopback: Host checked, cross-origin protection on; a real browser's
	// forms and htmx requests pass both.
	a, d := newDemoAppWith(t, func(s *setup) { s.loopbackHosts = true })
	b := newBrowser(t, "walk")
	walkToSample(b, a.srv.URL, "nightly-batch")

	secret := d.Getenv(func(string) string { return "" })(demo.SecretEnv)
	b.typeInto(`#client_secret`, secret)
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="request-token"]`)))
	// htmx shows the stages, then loads the result page.
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="sample-result"]`)))
	b.screenshot("step3-sample-token")
	if sub := b.text(`[data-testid="sample-sub"]`); sub != "ak-"+demo.ProviderName+"-client_credentials" {
		t.Fatalf("sample sub = %q", sub)
	}
	if v, _ := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(`#client_secret`))); v != "" {
		t.Fatal("the secret field was re-rendered with its value")
	}

	b.do(chromedp.Click(chromedp.CSS(`a.button[href$="/wizard/4"]`)))
	b.waitHeading("Anthropic Console")
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="not-public"]`)))
	b.screenshot("step4-console")
	b.do(chromedp.Click(chromedp.CSS(`main form.card button[type="submit"]`)))
	b.waitHeading("Verification report")
	b.screenshot("step5-report")
	if got := b.attr(`[data-check="claim.sub"]`, "data-status"); got != "pass" {
		t.Fatalf("claim.sub = %s", got)
	}
	for _, id := range []string{"claim.iss", "claim.aud", "signature", "header.kid", "lifetime", "ids"} {
		if got := b.attr(`[data-check="`+id+`"]`, "data-status"); got != "pass" {
			t.Errorf("%s = %s, want pass", id, got)
		}
	}
	if n, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-status="fail"]').length`)); n != 0 {
		t.Fatalf("%d checks failed: %s", n, b.text(`[data-testid="report"]`))
	}

	b.do(chromedp.Click(chromedp.CSS(`a.button[href$="/wizard/6"]`)))
	b.waitHeading("Workload configuration")
	b.screenshot("step6-workload")
	shell := b.text(`[data-testid="env-shell"]`)
	for _, want := range []string{"export ANTHROPIC_FEDERATION_RULE_ID=", demo.FederationRuleID, demo.OrganizationID, demo.ServiceAccountID, "ANTHROPIC_IDENTITY_TOKEN_FILE", "unset ANTHROPIC_API_KEY"} {
		if !strings.Contains(shell, want) {
			t.Errorf("environment block lacks %q:\n%s", want, shell)
		}
	}
	if strings.Contains(shell, secret) {
		t.Fatal("the secret is in the environment block")
	}
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="finish"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="connection-name"]`)))
	b.screenshot("connection")
}

func TestBrowserWizardWrongSecret(t *testing.T) {
	a, _ := newDemoApp(t)
	b := newBrowser(t, "wrong-secret")
	walkToSample(b, a.srv.URL, "mistake")

	b.typeInto(`#client_secret`, "not-the-client-secret")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="request-token"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="sample-failed"]`)))
	b.screenshot("step3-failed")
	wrongSecretSaysSo(t, b) // before the queries below, which scroll the rows into view
	row := `[data-check="token.request"]`
	if got := b.attr(row, "data-status"); got != "fail" {
		t.Fatalf("token.request = %s", got)
	}
	msg := b.text(row)
	if !strings.Contains(msg, "invalid_grant") || !strings.Contains(msg, "Copy the client secret again") {
		t.Fatalf("the report does not name the mistake and its fix: %q", msg)
	}
	if got := b.attr(`[data-testid="step-3"]`, "data-state"); got != "failed" {
		t.Fatalf("progress marks step 3 as %q, want failed", got)
	}
	b.viewport(390, 844)
	b.do(chromedp.Navigate(eval[string](b, `location.href`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="diagnosis"]`)))
	b.screenshot("390-step3-failed")
	wrongSecretSaysSo(t, b)
	if n := b.overflow(); n > 0 {
		t.Errorf("the failed sample step scrolls sideways by %d px at 390 px", n)
	}
}

// wrongSecretSaysSo: discovery at the application slug answered, so the step says the secret is
// wrong — first, above the form — focuses the secret field, and "Continue" is no longer the
// primary button.
func wrongSecretSaysSo(t *testing.T, b *browser) {
	t.Helper()
	if cause := b.attr(`[data-testid="diagnosis"]`, "data-cause"); cause != "wrong-secret" {
		t.Fatalf("diagnosis %q, want wrong-secret", cause)
	}
	if h := b.text(`[data-testid="diagnosis"] h2`); h != "The client secret is wrong" {
		t.Errorf("diagnosis heading %q", h)
	}
	if !b.visibleWithoutScrolling(`[data-testid="diagnosis"] h2`) {
		t.Error("the diagnosis is not in view as the page opens")
	}
	if cls := b.attr(`[data-testid="continue"]`, "class"); !strings.Contains(cls, "secondary") {
		t.Errorf("after a failure, Continue is %q, want a secondary button", cls)
	}
	if h := b.text(`#sample-h`); strings.Contains(h, "The token authentik issued") {
		t.Errorf("heading %q when authentik issued nothing", h)
	}
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="diagnosis-link"]`)))
	if id := b.focus("client_secret"); id != "client_secret" {
		t.Errorf("the diagnosis's link focuses %q, want the client secret field", id)
	}
	b.do(chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
}

// axeSource is axe-core, vendored from its npm package into testdata (see testdata/README.md).
var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(filepath.Join("testdata", "axe.min.js"))
	return string(b), err
})

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axe runs axe-core on the page and returns its serious and critical violations.
func (b *browser) axe() []axeViolation {
	b.t.Helper()
	src, err := axeSource()
	if err != nil {
		b.t.Fatal(err)
	}
	loaded, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if !loaded {
		b.do(chromedp.Evaluate[chromedp.Void](src))
	}
	const run = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
		.filter(v => v.impact === "serious" || v.impact === "critical")
		.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 4).map(n => n.target.join(" "))})))`
	vs, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]axeViolation](run, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe: %v", err)
	}
	return vs
}

// overflow is how far the page body is wider than the window (0: no horizontal scrolling).
func (b *browser) overflow() int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
	if err != nil {
		b.t.Fatal(err)
	}
	return n
}

// visibleWithoutScrolling says the element is inside the window as the page opens.
func (b *browser) visibleWithoutScrolling(sel string) bool {
	b.t.Helper()
	ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(() => { const e = document.querySelector(`+jsString(sel)+`);
		if (!e) return false; const r = e.getBoundingClientRect();
		return window.scrollY === 0 && r.top >= 0 && r.bottom <= window.innerHeight && r.width > 0; })()`))
	if err != nil {
		b.t.Fatal(err)
	}
	return ok
}

// focus names what has the focus (its id, else its data-testid, else its tag) once that is want,
// or after 3 s: autofocus and the scripts that move the focus may run after the page is ready.
func (b *browser) focus(want string) string {
	b.t.Helper()
	const expr = `document.activeElement.id || document.activeElement.getAttribute("data-testid") || document.activeElement.tagName`
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(25 * time.Millisecond) {
		if got := eval[string](b, expr); got == want || time.Now().After(deadline) {
			return got
		}
	}
}

// eval evaluates a JavaScript expression on the page.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// open loads path and waits until its h1 is there.
func (b *browser) open(baseURL, path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(baseURL + path))
	b.do(chromedp.WaitReady(chromedp.CSS(`h1`)))
}
