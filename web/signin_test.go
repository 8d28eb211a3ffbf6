package web_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/wif"
)

// fakeClock is the sessions' clock: tests move it instead of waiting.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// signInWorld is an authentik emulator with a workload provider, a sign-in provider and its
// people, and a wifwiz server that signs people in through it.
type signInWorld struct {
	*app
	emu      *emulator.Emulator
	login    emulator.Provider
	clock    *fakeClock
	conn     wif.Connection
	emuHTTPS *http.Client
}

func newSignInWorld(t *testing.T, mutate ...func(*setup)) *signInWorld {
	t.Helper()
	emu := testenv.Start(t)
	w := &signInWorld{emu: emu, clock: newFakeClock()}
	workload := testenv.Provider(t, emu, "nightly")
	opts := append([]func(*setup){func(st *setup) {
		st.runner = &probe.Runner{ExtraCA: emu.CAPEM()}
		st.env = testenv.Env(map[string]string{"WIFWIZ_S": workload.ClientSecret})
		st.signIn = func(db *store.DB, base string) *actions.SignIn {
			w.login = testenv.LoginProvider(t, emu, base+"/auth/callback")
			return testenv.SignIn(t, db, emu, w.login, base+"/auth/callback", w.clock.Now)
		}
	}}, mutate...)
	w.app = newApp(t, opts...)
	w.conn = testenv.Create(t, w.db, testenv.Connection(t, emu, workload, "nightly", "WIFWIZ_S"))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(emu.CAPEM())
	w.emuHTTPS = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return w
}

// signInAs signs user in the way a browser does, through the emulator's auto-login, and
// returns wifwiz's answer to the callback.
func (w *signInWorld) signInAs(t *testing.T, user string) page {
	t.Helper()
	if err := w.emu.SetAutoLogin(user); err != nil {
		t.Fatal(err)
	}
	start := w.get("/auth/login?next=" + url.QueryEscape("/connections/"+itoa(w.conn.ID)))
	if start.status != http.StatusSeeOther || !strings.HasPrefix(start.header.Get("Location"), w.emu.URL()) {
		t.Fatalf("sign-in start: HTTP %d to %q", start.status, start.header.Get("Location"))
	}
	resp, err := w.emuHTTPS.Get(start.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back := resp.Header.Get("Location")
	if !strings.HasPrefix(back, w.srv.URL+"/auth/callback?") {
		t.Fatalf("the emulator sent the browser to %q", back)
	}
	return w.get(strings.TrimPrefix(back, w.srv.URL))
}

func (p page) attr(sel, name string) string { return p.doc.Find(sel).AttrOr(name, "") }

func sessionCookieOf(p page) *http.Cookie {
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if c.Name == "wifwiz_session" {
			return c
		}
	}
	return nil
}

func TestSignInAndSignOut(t *testing.T) {
	w := newSignInWorld(t)
	connPath := "/connections/" + itoa(w.conn.ID)

	first := w.get(connPath)
	if first.status != http.StatusSeeOther || first.header.Get("Location") != "/auth/signin?next="+url.QueryEscape(connPath) {
		t.Fatalf("without a session: HTTP %d to %q", first.status, first.header.Get("Location"))
	}
	if h := w.get("/healthz"); h.status != http.StatusOK {
		t.Fatalf("healthz needs a session: %d", h.status)
	}
	signin := w.get("/auth/signin?next=" + url.QueryEscape(connPath))
	if href, _ := signin.doc.Find(`[data-testid="sign-in"]`).Attr("href"); href != "/auth/login?next="+url.QueryEscape(connPath) {
		t.Fatalf("sign-in button goes to %q", href)
	}

	cb := w.signInAs(t, testenv.Editor.Username)
	if cb.status != http.StatusSeeOther || cb.header.Get("Location") != connPath {
		t.Fatalf("callback: HTTP %d to %q: %s", cb.status, cb.header.Get("Location"), cb.text("main"))
	}
	ck := sessionCookieOf(cb)
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure || ck.Path != "/" || len(ck.Value) < 40 {
		t.Fatalf("session cookie %+v", ck)
	}
	p := w.get(connPath)
	if p.status != http.StatusOK || p.text(`[data-testid="who-name"]`) != "Erin Editor" || p.text(`[data-testid="who-role"]`) != "editor" {
		t.Fatalf("signed in: HTTP %d, who %q", p.status, p.text(`[data-testid="who"]`))
	}
	if p.doc.Find(`[data-testid="auth-banner"]`).Length() != 0 || p.doc.Find(`[data-testid="verify-now"]`).Length() != 1 {
		t.Fatal("an editor sees a banner, or no Verify now")
	}

	out := w.post("/auth/logout", url.Values{}, w.csrf(connPath))
	if out.status != http.StatusOK || out.doc.Find(`[data-testid="signed-out"]`).Length() != 1 {
		t.Fatalf("sign out: HTTP %d %s", out.status, out.text("main"))
	}
	if end, _ := out.doc.Find(`[data-testid="provider-sign-out"]`).Attr("href"); !strings.HasPrefix(end, w.emu.URL()+"/application/o/"+testenv.LoginSlug+"/end-session/?client_id=") {
		t.Fatalf("the provider's sign-out is offered as %q", end)
	}
	if out.doc.Find(`[data-testid="who"]`).Length() != 0 {
		t.Fatal("the signed-out page still names someone")
	}
	// The session ended on the server: the old cookie, sent again, opens nothing.
	req, _ := http.NewRequest(http.MethodGet, w.srv.URL+connPath, nil)
	req.AddCookie(&http.Cookie{Name: "wifwiz_session", Value: ck.Value})
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "ended=1") {
		t.Fatalf("the old cookie after sign-out: HTTP %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// A viewer reads everything and changes nothing: every route for editors answers 403 with the
// missing group — with a valid CSRF token, so it is the role that refuses — the connection and
// its timeline stay as they were, and no request reaches authentik.
func TestViewerChangesNothing(t *testing.T) {
	w := newSignInWorld(t)
	id := itoa(w.conn.ID)
	if cb := w.signInAs(t, testenv.Viewer.Username); cb.status != http.StatusSeeOther {
		t.Fatalf("viewer sign-in: HTTP %d %s", cb.status, cb.text("main"))
	}
	ctx := context.Background()
	eventsBefore, _ := w.db.ListEvents(ctx, w.conn.ID)
	w.emu.ResetCounts()

	for _, path := range []string{"/", "/connections/" + id, "/connections/" + id + "/handoff", "/audit"} {
		p := w.get(path)
		if p.status != http.StatusOK {
			t.Fatalf("viewer GET %s: HTTP %d", path, p.status)
		}
		if p.attr(`[data-testid="auth-banner"]`, "data-mode") != "viewer" {
			t.Errorf("GET %s: no read-only banner", path)
		}
		if p.doc.Find(`a[href="/connections/new"], [data-testid="verify-now"], [data-testid="wizard-link"], [data-testid="audit-form"]`).Length() != 0 {
			t.Errorf("GET %s shows an action a viewer may not take", path)
		}
	}
	csrf := w.csrf("/connections/" + id)
	posts := []string{"/connections", "/connections/demo", "/connections/" + id + "/verify", "/audit",
		"/connections/" + id + "/wizard/2/inspect", "/connections/" + id + "/wizard/3/jobs", "/connections/" + id + "/wizard/6/finish"}
	for step := 1; step <= 6; step++ {
		posts = append(posts, "/connections/"+id+"/wizard/"+itoa(int64(step)))
	}
	for _, path := range posts {
		p := w.post(path, url.Values{"name": {"renamed"}, "client_secret": {"x"}, "version": {"1"}}, csrf)
		if p.status != http.StatusForbidden || !strings.Contains(p.text(`[data-testid="forbidden"]`), "“"+testenv.EditorGroup+"”") ||
			!strings.Contains(p.text(`[data-testid="forbidden"]`), "Victor Viewer <victor>") {
			t.Errorf("viewer POST %s: HTTP %d %q", path, p.status, p.text("main"))
		}
	}
	for _, path := range []string{"/connections/new", "/connections/" + id + "/wizard", "/connections/" + id + "/wizard/4", "/admin/sign-in"} {
		if p := w.get(path); p.status != http.StatusForbidden {
			t.Errorf("viewer GET %s: HTTP %d", path, p.status)
		}
	}
	if n := sum(w.emu.Counts()); n != 0 {
		t.Errorf("the viewer's requests caused %d requests to authentik: %v", n, w.emu.Counts())
	}
	after, _ := w.db.GetConnection(ctx, w.conn.ID)
	if after.Version != w.conn.Version || after.Name != "nightly" {
		t.Fatalf("the connection changed: version %d → %d, name %q", w.conn.Version, after.Version, after.Name)
	}
	if events, _ := w.db.ListEvents(ctx, w.conn.ID); len(events) != len(eventsBefore) {
		t.Fatalf("%d events after the viewer's posts, %d before", len(events), len(eventsBefore))
	}

	// Downloads are theirs: recorded under their name.
	dl := w.post("/connections/"+id+"/export", url.Values{"format": {"markdown"}}, csrf)
	if dl.status != http.StatusOK || !strings.Contains(dl.body, "# Hand-off checklist: nightly") {
		t.Fatalf("viewer download: HTTP %d", dl.status)
	}
	events, _ := w.db.ListEvents(ctx, w.conn.ID)
	if events[0].Kind != wif.EventExported || events[0].Actor != "Victor Viewer <victor>" {
		t.Fatalf("the download is recorded as %+v", events[0])
	}
}

func sum(m map[string]int) int {
	n := 0
	for v := range maps.Values(m) {
		n += v
	}
	return n
}

// Someone in neither group gets no session, and a page that names the groups.
func TestOutsiderRefused(t *testing.T) {
	w := newSignInWorld(t)
	cb := w.signInAs(t, testenv.Outsider.Username)
	msg := cb.text(`[data-testid="signin-failed"]`)
	if cb.status != http.StatusForbidden || !strings.Contains(msg, "Otto Outsider <otto>") ||
		!strings.Contains(msg, "“"+testenv.ViewerGroup+"”") || !strings.Contains(msg, "“"+testenv.EditorGroup+"”") {
		t.Fatalf("outsider: HTTP %d %q", cb.status, msg)
	}
	if sessionCookieOf(cb) != nil {
		t.Fatal("the outsider got a session cookie")
	}
	if p := w.get("/"); p.status != http.StatusSeeOther {
		t.Fatalf("the outsider reaches / with HTTP %d", p.status)
	}
}

// An editor's change is recorded under their name, per setting.
func TestEditorChangeNamed(t *testing.T) {
	w := newSignInWorld(t)
	id := itoa(w.conn.ID)
	w.signInAs(t, testenv.Editor.Username)
	step := "/connections/" + id + "/wizard/1"
	form := w.get(step)
	vals := url.Values{}
	form.doc.Find(`main form.card input, main form.card select, main form.card textarea`).Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		v, _ := s.Attr("value")
		if s.Is("textarea") {
			v = s.Text()
		}
		if name != "" && name != "_csrf" {
			vals.Set(name, v)
		}
	})
	vals.Set("provider_name", "nightly-renamed")
	saved := w.post(step, vals, w.csrf(step))
	if saved.status != http.StatusSeeOther {
		t.Fatalf("save step 1: HTTP %d %s", saved.status, saved.text(`[data-testid="form-errors"]`))
	}
	page := w.get("/connections/" + id)
	first := page.doc.Find(`[data-testid="events"] li`).First()
	if first.AttrOr("data-kind", "") != wif.EventEdited || strings.TrimSpace(first.Find(`[data-testid="actor"]`).Text()) != "Erin Editor" ||
		first.Find(`[data-testid="actor"]`).AttrOr("data-sub", "") != "erin" {
		t.Fatalf("timeline: %q", first.Text())
	}
	hand := w.get("/connections/" + id + "/handoff")
	row := hand.doc.Find(`tr[data-setting="provider_name"] [data-testid="recorder"]`)
	if strings.TrimSpace(row.Text()) != "Erin Editor" || row.AttrOr("data-sub", "") != "erin" {
		t.Fatalf("hand-off: provider name recorded by %q", row.Text())
	}
	if other := hand.doc.Find(`tr[data-setting="client_id"] [data-testid="recorder"]`); strings.TrimSpace(other.Text()) != "test" {
		t.Fatalf("hand-off: client ID recorded by %q, want the creator", other.Text())
	}
	// An alert setting names its editor too.
	added := w.post("/settings/alerts/webhooks", url.Values{"url": {"https://alerts.example.com/"}, "format": {"generic"}}, w.csrf("/settings/alerts"))
	if added.status != http.StatusSeeOther {
		t.Fatalf("add a webhook: HTTP %d", added.status)
	}
	if by := strings.TrimSpace(w.get("/settings/alerts").doc.Find(`[data-testid="added-by"]`).Text()); by != "Erin Editor" {
		t.Fatalf("alerts: webhook added by %q", by)
	}
}

// Without sign-in, every page says how people get in.
func TestBannerWithoutSignIn(t *testing.T) {
	open := newApp(t)
	if got := open.get("/").attr(`[data-testid="auth-banner"]`, "data-mode"); got != "open" {
		t.Errorf("loopback without sign-in: banner %q", got)
	}
	tok := newApp(t, func(st *setup) { st.web.AccessToken = "tok-123" })
	if got := tok.get("/?token=tok-123"); got.status != http.StatusSeeOther {
		t.Fatalf("token exchange: %d", got.status)
	}
	p := tok.get("/")
	if got := p.attr(`[data-testid="auth-banner"]`, "data-mode"); got != "token" {
		t.Errorf("access token: banner %q", got)
	}
	if p.doc.Find(`[data-testid="who"]`).Length() != 0 {
		t.Error("a sign-out button without sign-in")
	}
	settings := open.get("/admin/sign-in")
	if settings.status != http.StatusOK || !strings.Contains(settings.text(`[data-testid="signin-mode"]`), "Sign-in is off") {
		t.Fatalf("sign-in settings without sign-in: HTTP %d", settings.status)
	}
}

// An htmx fragment (the audit's progress polling) whose session ended sends the whole page to
// sign in, back to the page around the fragment.
func TestFragmentWithoutSession(t *testing.T) {
	w := newSignInWorld(t)
	req, _ := http.NewRequest(http.MethodGet, w.srv.URL+"/audit/jobs/abc", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Current-URL", w.srv.URL+"/audit?x=1")
	p := w.do(req)
	if p.status != http.StatusUnauthorized || p.header.Get("HX-Redirect") != "/auth/signin?next="+url.QueryEscape("/audit?x=1") {
		t.Fatalf("HTTP %d, HX-Redirect %q", p.status, p.header.Get("HX-Redirect"))
	}
}

// Over HTTPS the session cookie is Secure.
func TestSessionCookieSecureUnderTLS(t *testing.T) {
	w := newSignInWorld(t, func(st *setup) { st.tls = true })
	cb := w.signInAs(t, testenv.Editor.Username)
	ck := sessionCookieOf(cb)
	if cb.status != http.StatusSeeOther || ck == nil || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Fatalf("HTTP %d, session cookie %+v", cb.status, ck)
	}
}

// The provider unreachable, or refusing, each gets a page that says so; no session is made.
func TestSignInFailurePages(t *testing.T) {
	w := newSignInWorld(t)
	w.emu.SetDown(true)
	p := w.get("/auth/login?next=%2F")
	if p.status != http.StatusBadGateway || p.attr(`[data-testid="signin-failed"]`, "data-kind") != wif.SignInUnreachable ||
		!strings.Contains(p.text(`[data-testid="signin-failed"]`), "/.well-known/openid-configuration") {
		t.Fatalf("provider down: HTTP %d %q", p.status, p.text("main"))
	}
	w.emu.SetDown(false)

	// authentik's answer when a policy denies the person: the right state, an error, no code.
	start := w.get("/auth/login?next=%2F")
	authz, err := url.Parse(start.header.Get("Location"))
	if err != nil || start.status != http.StatusSeeOther {
		t.Fatalf("start: HTTP %d %q", start.status, start.header.Get("Location"))
	}
	q := url.Values{"state": {authz.Query().Get("state")}, "error": {"access_denied"},
		"error_description": {"The resource owner or authorization server denied the request"}}
	p = w.get("/auth/callback?" + q.Encode())
	if p.status != http.StatusForbidden || p.attr(`[data-testid="signin-failed"]`, "data-kind") != wif.SignInRefused ||
		!strings.Contains(p.text(`[data-testid="signin-failed"]`), "access_denied") {
		t.Fatalf("refused: HTTP %d %q", p.status, p.text("main"))
	}
	if sessionCookieOf(p) != nil || countRows(t, w.dbPath, "sessions") != 0 {
		t.Fatal("a refused sign-in made a session")
	}
}

// Signing in starts at the redirect URI's origin, so that the callback finds the attempt's
// cookie: a browser elsewhere is sent there first, and one already there — however the redirect
// URI spells the host — goes on to the provider instead of being sent to itself again.
func TestSignInStartsAtTheRedirectURIsOrigin(t *testing.T) {
	w := newSignInWorld(t, func(st *setup) {
		inner := st.signIn
		st.signIn = func(db *store.DB, base string) *actions.SignIn {
			return inner(db, strings.Replace(base, "127.0.0.1", "LOCALHOST", 1))
		}
	})
	_, port, _ := strings.Cut(strings.TrimPrefix(w.srv.URL, "http://"), ":")
	login := func(host string) page {
		req, _ := http.NewRequest(http.MethodGet, w.srv.URL+"/auth/login?next=%2Faudit", nil)
		req.Host = host
		return w.do(req)
	}
	if p := login("127.0.0.1:" + port); p.status != http.StatusSeeOther ||
		p.header.Get("Location") != "http://localhost:"+port+"/auth/login?next=%2Faudit" {
		t.Fatalf("another origin: HTTP %d to %q", p.status, p.header.Get("Location"))
	}
	if p := login("localhost:" + port); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), w.emu.URL()) {
		t.Fatalf("the redirect URI's origin: HTTP %d to %q", p.status, p.header.Get("Location"))
	}
}
