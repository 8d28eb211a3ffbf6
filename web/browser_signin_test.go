package web_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/internal/testissuer"
	"github.com/wifwiz/wifwiz/oidclogin"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/wif"
)

// spkiOf is the base64 SHA-256 of the public key of the certificate a TLS server presents,
// after verifying it against ca: Chromium trusts exactly that key for the test
// (--ignore-certificate-errors-spki-list), and nothing else.
func spkiOf(t *testing.T, addr string, ca []byte) string {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		t.Fatalf("TLS to %s: %v", addr, err)
	}
	defer conn.Close()
	sum := sha256.Sum256(conn.ConnectionState().PeerCertificates[0].RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// trusting is the Chromium option that trusts the given keys' certificates.
func trusting(spkis ...string) chromedp.ExecAllocatorOption {
	return chromedp.Flag("ignore-certificate-errors-spki-list", strings.Join(spkis, ","))
}

func (w *signInWorld) browser(t *testing.T, name string) *browser {
	t.Helper()
	u, _ := url.Parse(w.emu.URL())
	return newBrowser(t, name, trusting(spkiOf(t, u.Host, w.emu.CAPEM())), loopbackOnly())
}

// waitFor waits until the element is visible, saving a screenshot when it never is.
func (b *browser) waitFor(sel string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		b.screenshot("timeout")
		b.t.Fatalf("waiting for %s: %v", sel, err)
	}
}

// waitPresent waits until an element, visible or not (a hidden input), is in the loaded page.
func (b *browser) waitPresent(sel string) {
	b.t.Helper()
	expr := `document.readyState === "complete" && document.querySelector(` + jsString(sel) + `) !== null`
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		if ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](expr)); err == nil && ok {
			return
		}
	}
	b.screenshot("timeout")
	b.t.Fatalf("waited 30 s for %s", sel)
}

// signInThroughLoginPage opens path, is sent to sign in, and logs in as user on the emulator's
// login page.
func (b *browser) signInThroughLoginPage(w *signInWorld, path, user string) {
	b.t.Helper()
	b.do(chromedp.Navigate(w.srv.URL + path))
	b.waitHeading("Sign in")
	b.screenshot("sign-in")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="sign-in"]`)))
	b.waitHeading("Log in to " + w.login.Name)
	b.screenshot("authentik-login")
	b.typeInto(`#username`, user)
	b.do(chromedp.Submit(chromedp.CSS(`#username`)))
}

// signInAuto signs user in through the emulator's auto-login: no page at authentik.
func (b *browser) signInAuto(w *signInWorld, path, user string) {
	b.t.Helper()
	if err := w.emu.SetAutoLogin(user); err != nil {
		b.t.Fatal(err)
	}
	b.do(chromedp.Navigate(w.srv.URL + path))
	b.waitHeading("Sign in")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="sign-in"]`)))
}

// fetchStatus posts a form with fetch, as a hand-crafted request from the page would, with the
// page's CSRF token, and returns the HTTP status.
func (b *browser) fetchStatus(path string, form map[string]string) int {
	b.t.Helper()
	js := `(async () => {
		const body = new URLSearchParams(` + jsObject(form) + `);
		body.set("_csrf", document.querySelector('meta[name="csrf-token"]').content);
		const r = await fetch(` + jsString(path) + `, {method: "POST", body, redirect: "manual"});
		return r.status;
	})()`
	status, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("fetch %s: %v", path, err)
	}
	return status
}

func jsObject(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, jsString(k)+": "+jsString(v))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// countRows reads a table's size straight from the SQLite file.
func countRows(t *testing.T, path, table string) int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBrowserSignInAndSignOut(t *testing.T) {
	w := newSignInWorld(t)
	b := w.browser(t, "signin")
	connPath := "/connections/" + itoa(w.conn.ID)
	b.signInThroughLoginPage(w, connPath, testenv.Editor.Username)
	b.waitFor(`[data-testid="connection-name"]`)
	b.screenshot("signed-in")
	if got := b.text(`[data-testid="who-name"]`); got != "Erin Editor" {
		t.Fatalf("signed in as %q", got)
	}
	if loc, _ := chromedp.Run(b.ctx, chromedp.Location()); loc != w.srv.URL+connPath {
		t.Fatalf("after sign-in the browser is at %s, want %s", loc, connPath)
	}
	// The session cookie is not readable from the page.
	if c, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.cookie`)); strings.Contains(c, "wifwiz_session") {
		t.Fatalf("document.cookie shows the session: %q", c)
	}

	b.do(chromedp.Click(chromedp.CSS(`[data-testid="sign-out"]`)))
	b.waitHeading("Signed out")
	b.screenshot("signed-out")
	if href := b.attr(`[data-testid="provider-sign-out"]`, "href"); !strings.Contains(href, "/application/o/"+testenv.LoginSlug+"/end-session/") {
		t.Fatalf("the provider's sign-out is %q", href)
	}
	b.do(chromedp.Navigate(w.srv.URL + connPath))
	b.waitHeading("Sign in")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="sign-in"]`)))
	// authentik still knows the browser: signing in again needs no login page.
	b.waitFor(`[data-testid="connection-name"]`)
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="sign-out"]`)))
	b.waitHeading("Signed out")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="provider-sign-out"]`)))
	b.waitHeading("Logged out")
	b.screenshot("authentik-logged-out")
	// Signed out of both: the next sign-in asks authentik's login page again.
	b.do(chromedp.Navigate(w.srv.URL + "/"))
	b.waitHeading("Sign in")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="sign-in"]`)))
	b.waitHeading("Log in to " + w.login.Name)
}

// A viewer sees no action that would change anything, and a hand-made POST is refused by the
// server, not only by the missing button.
func TestBrowserViewerRefusedEdit(t *testing.T) {
	w := newSignInWorld(t)
	b := w.browser(t, "viewer")
	id := itoa(w.conn.ID)
	b.signInAuto(w, "/connections/"+id, testenv.Viewer.Username)
	b.waitFor(`[data-testid="connection-name"]`)
	b.screenshot("viewer-connection")
	if got := b.attr(`[data-testid="auth-banner"]`, "data-mode"); got != "viewer" {
		t.Fatalf("banner %q", got)
	}
	hidden, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="verify-now"], [data-testid="wizard-link"], a[href="/connections/new"]').length`))
	if hidden != 0 {
		t.Fatal("the viewer sees Verify now, the wizard or New connection")
	}
	if status := b.fetchStatus("/connections/"+id+"/wizard/1", map[string]string{"name": "taken-over", "version": "1"}); status != 403 {
		t.Fatalf("the viewer's POST of step 1: HTTP %d, want 403", status)
	}
	if status := b.fetchStatus("/connections/"+id+"/verify", map[string]string{"client_secret": "x"}); status != 403 {
		t.Fatalf("the viewer's POST of verify: HTTP %d, want 403", status)
	}
	b.do(chromedp.Navigate(w.srv.URL + "/connections/" + id + "/wizard/1"))
	b.waitHeading("Not allowed")
	b.screenshot("viewer-refused")
	msg := b.text(`[data-testid="forbidden"]`)
	if !strings.Contains(msg, "“"+testenv.EditorGroup+"”") || !strings.Contains(msg, "Victor Viewer") {
		t.Fatalf("refusal %q", msg)
	}
	c, err := w.db.GetConnection(context.Background(), w.conn.ID)
	if err != nil || c.Name != "nightly" || c.Version != w.conn.Version {
		t.Fatalf("the connection changed: %+v, %v", c, err)
	}
}

// An editor's change carries their name: in the timeline, per setting in the hand-off page and
// in its Markdown export.
func TestBrowserEditorChangeNamed(t *testing.T) {
	w := newSignInWorld(t)
	b := w.browser(t, "editor")
	id := itoa(w.conn.ID)
	b.signInAuto(w, "/connections/"+id+"/wizard/1", testenv.Editor.Username)
	b.waitHeading("Basics")
	b.typeInto(`#provider_name`, "nightly-renamed")
	b.do(chromedp.Click(chromedp.CSS(`main form.card button[type="submit"]`)))
	b.waitHeading("authentik provider")

	b.do(chromedp.Navigate(w.srv.URL + "/connections/" + id))
	b.waitFor(`[data-testid="events"]`)
	b.screenshot("timeline")
	if got := b.text(`[data-testid="events"] li:first-child [data-testid="actor"]`); got != "Erin Editor" {
		t.Fatalf("the newest event is by %q", got)
	}
	if got := b.text(`[data-testid="events"] li:first-child`); !strings.Contains(got, "(erin)") || !strings.Contains(got, "nightly-renamed") {
		t.Fatalf("the newest event reads %q", got)
	}

	b.do(chromedp.Click(chromedp.CSS(`[data-testid="handoff-link"]`)))
	b.waitFor(`[data-testid="recorded"]`)
	b.screenshot("handoff")
	if got := b.text(`tr[data-setting="provider_name"] [data-testid="recorder"]`); got != "Erin Editor" {
		t.Fatalf("hand-off: the provider name was recorded by %q", got)
	}
	if got := b.text(`tr[data-setting="client_id"] [data-testid="recorder"]`); got != "test" {
		t.Fatalf("hand-off: the client ID was recorded by %q, want its creator", got)
	}
	md, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(async () => {
		const body = new URLSearchParams({format: "markdown", _csrf: document.querySelector('meta[name="csrf-token"]').content});
		return await (await fetch(location.pathname.replace(/handoff$/, "export"), {method: "POST", body})).text();
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md, "| Provider name | `nightly-renamed` | ") || !strings.Contains(md, "| Erin Editor \\<erin\\>, ") {
		t.Fatalf("the Markdown export does not name the editor per setting:\n%s", md)
	}
	events, _ := w.db.ListEvents(context.Background(), w.conn.ID)
	if events[0].Kind != wif.EventExported || events[0].Actor != "Erin Editor <erin>" {
		t.Fatalf("the export is recorded as %+v", events[0])
	}
}

func TestBrowserSessionExpired(t *testing.T) {
	w := newSignInWorld(t)
	b := w.browser(t, "expired")
	connPath := "/connections/" + itoa(w.conn.ID)
	b.signInAuto(w, connPath, testenv.Editor.Username)
	b.waitFor(`[data-testid="connection-name"]`)
	w.clock.Advance(31 * time.Minute) // unused for longer than the idle timeout
	b.do(chromedp.Reload())
	b.waitHeading("Sign in")
	b.screenshot("session-expired")
	if got := b.text(`[data-testid="signin-notice"]`); !strings.Contains(got, "Your session has ended") {
		t.Fatalf("notice %q", got)
	}
	if n := countRows(t, w.dbPath, "sessions"); n != 0 {
		t.Fatalf("%d sessions left after expiry", n)
	}
	// Signing in again returns to the page asked for.
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="sign-in"]`)))
	b.waitFor(`[data-testid="connection-name"]`)
}

// The state that comes back must be the one sent: the login page's form carries the
// authorization request, and the test changes its state before logging in.
func TestBrowserTamperedState(t *testing.T) {
	w := newSignInWorld(t)
	b := w.browser(t, "tampered-state")
	b.do(chromedp.Navigate(w.srv.URL + "/"))
	b.waitHeading("Sign in")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="sign-in"]`)))
	b.waitHeading("Log in to " + w.login.Name)
	b.do(chromedp.Evaluate[chromedp.Void](`(() => {
		const next = document.querySelector('input[name="next"]');
		const q = new URLSearchParams(next.value);
		q.set("state", q.get("state").slice(0, -4) + "AAAA");
		next.value = q.toString();
	})()`))
	b.typeInto(`#username`, testenv.Editor.Username)
	b.do(chromedp.Submit(chromedp.CSS(`#username`)))
	b.waitFor(`[data-testid="signin-failed"]`)
	b.screenshot("state-refused")
	if kind := b.attr(`[data-testid="signin-failed"]`, "data-kind"); kind != wif.SignInInvalid {
		t.Fatalf("kind %q", kind)
	}
	if msg := b.text(`[data-testid="signin-failed"]`); !strings.Contains(msg, "another state") {
		t.Fatalf("message %q", msg)
	}
	b.do(chromedp.Navigate(w.srv.URL + "/"))
	b.waitHeading("Sign in") // no session was made
}

func TestBrowserOtherAudienceRefused(t *testing.T) {
	w := newSignInWorld(t)
	if err := w.emu.SetLoginAudience(testenv.LoginSlug, "another-client"); err != nil {
		t.Fatal(err)
	}
	b := w.browser(t, "other-audience")
	b.signInAuto(w, "/", testenv.Editor.Username)
	b.waitFor(`[data-testid="signin-failed"]`)
	b.screenshot("audience-refused")
	msg := b.text(`[data-testid="signin-failed"]`)
	if b.attr(`[data-testid="signin-failed"]`, "data-kind") != wif.SignInInvalid || !strings.Contains(msg, "another-client") ||
		!strings.Contains(msg, "issued for another client") {
		t.Fatalf("refusal %q", msg)
	}
	b.do(chromedp.Navigate(w.srv.URL + "/"))
	b.waitHeading("Sign in")
}

// The same sign-in against an OIDC provider nobody on this project wrote: node-oidc-provider
// with its development login and consent pages. Its ID tokens hold no name or groups, so they
// come from its userinfo endpoint.
func TestBrowserSignInNodeOIDCProvider(t *testing.T) {
	var iss *testissuer.LoginIssuer
	a := newApp(t, func(st *setup) {
		st.signIn = func(db *store.DB, base string) *actions.SignIn {
			iss = testissuer.StartLogin(t, base+"/auth/callback", map[string]testissuer.LoginUser{
				"nora": {Name: "Nora Node", Email: "nora@example.com", Groups: []string{"staff", testenv.EditorGroup}},
			})
			rp, err := oidclogin.New(oidclogin.Config{Issuer: iss.URL, ClientID: iss.ClientID, ClientSecret: iss.ClientSecret,
				RedirectURL: base + "/auth/callback", CAPEM: iss.CAPEM})
			if err != nil {
				t.Fatal(err)
			}
			return actions.NewSignIn(actions.SignInConfig{Provider: rp, Sessions: db,
				Roles: wif.RolePolicy{EditorGroup: testenv.EditorGroup, ViewerGroup: testenv.ViewerGroup}})
		}
	})
	b := newBrowser(t, "node-oidc-provider", trusting(spkiOf(t, iss.Addr, iss.CAPEM)), loopbackOnly())
	b.do(chromedp.Navigate(a.srv.URL + "/audit"))
	b.waitHeading("Sign in")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="sign-in"]`)))
	b.waitFor(`input[name="login"]`)
	b.screenshot("provider-login")
	b.typeInto(`input[name="login"]`, "nora")
	b.typeInto(`input[name="password"]`, "any password")
	b.do(chromedp.Submit(chromedp.CSS(`input[name="login"]`)))
	b.waitPresent(`input[name="prompt"][value="consent"]`)
	b.screenshot("provider-consent")
	b.do(chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
	b.waitHeading("Audit")
	b.screenshot("signed-in")
	if got := b.text(`[data-testid="who-name"]`); got != "Nora Node" {
		t.Fatalf("signed in as %q", got)
	}
	if got := b.attr(`[data-testid="who-name"]`, "title"); got != "sub: nora" {
		t.Fatalf("subject %q", got)
	}
	if got := b.text(`[data-testid="who-role"]`); !strings.EqualFold(got, "editor") {
		t.Fatalf("role %q", got)
	}
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="sign-out"]`)))
	b.waitHeading("Signed out")
	if href := b.attr(`[data-testid="provider-sign-out"]`, "href"); !strings.HasPrefix(href, iss.URL+"/session/end?client_id="+iss.ClientID) {
		t.Fatalf("the provider's sign-out is %q", href)
	}
	b.do(chromedp.Navigate(a.srv.URL + "/audit"))
	b.waitHeading("Sign in")
}

// loopbackOnly makes every name but localhost unresolvable in the browser: a page that asks
// for anything beyond loopback (node-oidc-provider's pages import a web font) gets nothing.
func loopbackOnly() chromedp.ExecAllocatorOption {
	return chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1")
}
