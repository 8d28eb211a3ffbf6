package emulator

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

const callback = "https://127.0.0.1:8443/auth/callback"

// loginFixture is a sign-in provider (confidential, a redirect URI registered) and a user.
type loginFixture struct {
	e    *Emulator
	c    *http.Client // keeps cookies, does not follow redirects
	p    Provider
	user User
}

func newLoginFixture(t *testing.T, opts ...Option) loginFixture {
	t.Helper()
	e := mustStart(t, opts...)
	p := mustAdd(t, e, Provider{Slug: "wifwiz-login", Name: "wifwiz sign-in", RedirectURIs: []string{callback},
		SubMode: wif.SubUsername, IncludeClaims: true})
	u, err := e.AddUser(User{Username: "alice", Name: "Alice Admin", Email: "alice@example.com", Groups: []string{"wifwiz-editors", "staff"}})
	if err != nil {
		t.Fatal(err)
	}
	c := trustingClient(t, e)
	c.Jar, _ = cookiejar.New(nil)
	return loginFixture{e: e, c: c, p: p, user: u}
}

const verifier = "dBjftJeZ4CVP-mJ92ZFhwY2s3v9kL1qQoHrGx7aUu0A"

func (f loginFixture) authorizeURL(extra url.Values) string {
	q := url.Values{"client_id": {f.p.ClientID}, "redirect_uri": {callback}, "response_type": {"code"},
		"scope": {"openid profile email"}, "state": {"st-123"}, "nonce": {"n-456"},
		"code_challenge": {pkceS256(verifier)}, "code_challenge_method": {"S256"}}
	for k, v := range extra {
		q[k] = v
	}
	return f.e.URL() + "/application/o/authorize/?" + q.Encode()
}

// redirected reads the Location of a 302 to the callback.
func redirected(t testing.TB, a answer) url.Values {
	t.Helper()
	loc, err := url.Parse(a.header.Get("Location"))
	if a.status != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), callback) {
		t.Fatalf("HTTP %d Location %q, want a redirect to the callback", a.status, a.header.Get("Location"))
	}
	return loc.Query()
}

func (f loginFixture) exchange(t testing.TB, code string, change func(url.Values)) answer {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {callback},
		"code_verifier": {verifier}, "client_id": {f.p.ClientID}, "client_secret": {f.p.ClientSecret}}
	if change != nil {
		change(form)
	}
	return postForm(t, f.c, f.e.URL()+"/application/o/token/", form)
}

// The test-only auto-consent logs the configured user in without a page; the code is exchanged
// as authentik's AuthorizationCodeTokenRequest does, and the ID token carries the nonce (the
// code's, as in create_code_response), the profile claims with groups, and the user's sub.
func TestAuthorizationCodeAutoLogin(t *testing.T) {
	f := newLoginFixture(t)
	if err := f.e.SetAutoLogin("alice"); err != nil {
		t.Fatal(err)
	}
	if err := f.e.SetAutoLogin("mallory"); err == nil {
		t.Error("auto-login of an unknown user was accepted")
	}
	q := redirected(t, get(t, f.c, f.authorizeURL(nil)))
	if q.Get("state") != "st-123" || len(q.Get("code")) != 40 {
		t.Fatalf("redirect query %v", q)
	}
	a := f.exchange(t, q.Get("code"), nil)
	if a.status != http.StatusOK || a.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("exchange: HTTP %d %s", a.status, a.body)
	}
	body := a.json(t)
	if body["scope"] != "openid profile email" || body["token_type"] != "Bearer" {
		t.Errorf("response %v", body)
	}
	_, claims := verify(t, body["id_token"].(string), fetchJWKS(t, f.c, f.e.URL()+"/application/o/wifwiz-login/jwks/"))
	sub, _ := f.e.Subject("wifwiz-login", "alice")
	want := map[string]any{"iss": f.e.IssuerURL("wifwiz-login"), "aud": f.p.ClientID, "sub": "alice", "nonce": "n-456",
		"name": "Alice Admin", "email": "alice@example.com", "preferred_username": "alice"}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("%s = %v, want %v", k, claims[k], v)
		}
	}
	assertStrings(t, claims["groups"], []string{"wifwiz-editors", "staff"})
	if sub != "alice" || claims["sid"] == nil {
		t.Errorf("Subject %q, sid %v", sub, claims["sid"])
	}

	t.Run("Userinfo", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, f.e.URL()+"/application/o/userinfo/", nil)
		req.Header.Set("Authorization", "Bearer "+body["access_token"].(string))
		info := do(t, f.c, req).json(t)
		if info["sub"] != "alice" || info["email"] != "alice@example.com" {
			t.Errorf("userinfo %v", info)
		}
		assertStrings(t, info["groups"], []string{"wifwiz-editors", "staff"})
		req, _ = http.NewRequest(http.MethodGet, f.e.URL()+"/application/o/userinfo/", nil)
		req.Header.Set("Authorization", "Bearer not-a-token")
		if a := do(t, f.c, req); a.status != http.StatusUnauthorized || !strings.Contains(a.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("unknown token: HTTP %d %q", a.status, a.header.Get("WWW-Authenticate"))
		}
	})
	t.Run("CodeIsSingleUse", func(t *testing.T) {
		if got, _ := wif.ParseAuthentikError(f.exchange(t, q.Get("code"), nil).body); got.Code != "invalid_grant" {
			t.Errorf("second use: %q, want invalid_grant", got.Code)
		}
	})
	t.Run("HashedSubjectMode", func(t *testing.T) {
		if err := f.e.SetSubMode("wifwiz-login", wif.SubHashedUserID); err != nil {
			t.Fatal(err)
		}
		code := redirected(t, get(t, f.c, f.authorizeURL(nil))).Get("code")
		_, claims := decodeJWT(t, f.exchange(t, code, nil).json(t)["id_token"].(string))
		sub, _ := f.e.Subject("wifwiz-login", "alice")
		if claims["sub"] != sub || !wif.LooksHashed(sub) {
			t.Errorf("sub %v, Subject %q", claims["sub"], sub)
		}
	})
}

// The token endpoint checks a code exchange as authentik does: client secret (invalid_client),
// redirect URI among the provider's (invalid_client), the PKCE verifier and the code's age and
// provider (invalid_grant).
func TestAuthorizationCodeExchangeChecks(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	f := newLoginFixture(t, WithNow(func() time.Time { return now }))
	other := mustAdd(t, f.e, Provider{Slug: "other", RedirectURIs: []string{callback}})
	if err := f.e.SetAutoLogin("alice"); err != nil {
		t.Fatal(err)
	}
	code := func() string { return redirected(t, get(t, f.c, f.authorizeURL(nil))).Get("code") }
	for name, tc := range map[string]struct {
		change func(url.Values)
		want   string
	}{
		"WrongSecret":        {func(v url.Values) { v.Set("client_secret", "wrong") }, "invalid_client"},
		"UnregisteredURI":    {func(v url.Values) { v.Set("redirect_uri", "https://evil.example/cb") }, "invalid_client"},
		"WrongVerifier":      {func(v url.Values) { v.Set("code_verifier", "another-verifier-of-enough-length-0123456789") }, "invalid_grant"},
		"NoVerifier":         {func(v url.Values) { v.Del("code_verifier") }, "invalid_grant"},
		"UnknownCode":        {func(v url.Values) { v.Set("code", "nope") }, "invalid_grant"},
		"OtherProvidersCode": {func(v url.Values) { v.Set("client_id", other.ClientID); v.Set("client_secret", other.ClientSecret) }, "invalid_grant"},
	} {
		t.Run(name, func(t *testing.T) {
			a := f.exchange(t, code(), tc.change)
			if got, _ := wif.ParseAuthentikError(a.body); a.status != http.StatusBadRequest || got.Code != tc.want {
				t.Fatalf("HTTP %d %s, want %s", a.status, a.body, tc.want)
			}
		})
	}
	t.Run("Expired", func(t *testing.T) {
		c := code()
		f.e.SetNow(func() time.Time { return now.Add(61 * time.Second) }) // access_code_validity is minutes=1
		defer f.e.SetNow(func() time.Time { return now })
		if got, _ := wif.ParseAuthentikError(f.exchange(t, c, nil).body); got.Code != "invalid_grant" {
			t.Errorf("expired code: %q", got.Code)
		}
	})
	t.Run("GrantTypesFrom2026_5", func(t *testing.T) {
		g := newLoginFixture(t, WithVersion("2026.5.0"))
		_ = g.e.SetAutoLogin("alice")
		if err := g.e.Update("wifwiz-login", func(p *Provider) { p.GrantTypes = []string{"client_credentials"} }); err != nil {
			t.Fatal(err)
		}
		if q := redirected(t, get(t, g.c, g.authorizeURL(nil))); q.Get("error") != "invalid_request" {
			t.Errorf("authorize without the authorization_code grant type: %v", q)
		}
	})
}

// Errors about the client or the redirect URI are shown as a page (never redirected); the others
// go back to the redirect URI with error and state (authentik's AuthorizeError.create_uri). The
// emulator requires PKCE S256.
func TestAuthorizeErrors(t *testing.T) {
	f := newLoginFixture(t)
	_ = f.e.SetAutoLogin("alice")
	for name, q := range map[string]url.Values{
		"UnknownClient":   {"client_id": {"nobody"}},
		"UnregisteredURI": {"redirect_uri": {"https://evil.example/cb"}},
	} {
		if a := get(t, f.c, f.authorizeURL(q)); a.status != http.StatusBadRequest || a.header.Get("Location") != "" {
			t.Errorf("%s: HTTP %d Location %q, want a 400 page", name, a.status, a.header.Get("Location"))
		}
	}
	for name, tc := range map[string]struct {
		q    url.Values
		want string
	}{
		"NoPKCE":       {url.Values{"code_challenge": {""}}, "invalid_request"},
		"PlainPKCE":    {url.Values{"code_challenge_method": {"plain"}}, "invalid_request"},
		"ImplicitFlow": {url.Values{"response_type": {"id_token"}}, "unsupported_response_type"},
	} {
		q := redirected(t, get(t, f.c, f.authorizeURL(tc.q)))
		if q.Get("error") != tc.want || q.Get("state") != "st-123" || q.Get("code") != "" {
			t.Errorf("%s: %v, want error %s with the state", name, q, tc.want)
		}
	}
	if err := f.e.Update("wifwiz-login", func(p *Provider) { p.DenyPolicy = true }); err != nil {
		t.Fatal(err)
	}
	if q := redirected(t, get(t, f.c, f.authorizeURL(nil))); q.Get("error") != "access_denied" {
		t.Errorf("denied by policy: %v", q)
	}
}

// Without auto-login a minimal page asks for a username; the login keeps a browser session, so
// the next authorization needs no page until end-session ends it. Discovery names end-session.
func TestLoginPageAndSession(t *testing.T) {
	f := newLoginFixture(t)
	page := get(t, f.c, f.authorizeURL(nil))
	if page.status != http.StatusOK || !strings.Contains(string(page.body), `name="username"`) || !strings.Contains(string(page.body), "Log in to wifwiz sign-in") {
		t.Fatalf("login page: HTTP %d %s", page.status, page.body)
	}
	next := url.Values{"client_id": {f.p.ClientID}}
	if q, err := url.Parse(f.authorizeURL(nil)); err == nil {
		next = q.Query()
	}
	login := func(username string) answer {
		return postForm(t, f.c, f.e.URL()+"/emulator/login/", url.Values{"username": {username}, "next": {next.Encode()}})
	}
	if a := login("mallory"); a.status != http.StatusOK || !strings.Contains(string(a.body), "No user") {
		t.Errorf("unknown user: HTTP %d %s", a.status, a.body)
	}
	a := login("alice")
	if a.status != http.StatusFound || !strings.HasPrefix(a.header.Get("Location"), "/application/o/authorize/?") {
		t.Fatalf("login: HTTP %d Location %q", a.status, a.header.Get("Location"))
	}
	q := redirected(t, get(t, f.c, f.e.URL()+a.header.Get("Location")))
	if q.Get("code") == "" || q.Get("state") != "st-123" {
		t.Fatalf("after login: %v", q)
	}
	if _, claims := decodeJWT(t, f.exchange(t, q.Get("code"), nil).json(t)["id_token"].(string)); claims["sub"] != "alice" {
		t.Errorf("sub %v", claims["sub"])
	}
	redirected(t, get(t, f.c, f.authorizeURL(nil))) // the session logs in without a page
	if a := get(t, f.c, f.authorizeURL(url.Values{"prompt": {"login"}})); a.status != http.StatusOK {
		t.Errorf("prompt=login with a session: HTTP %d, want the page", a.status)
	}

	doc := get(t, f.c, f.e.URL()+"/application/o/wifwiz-login/.well-known/openid-configuration").json(t)
	endSession := doc["end_session_endpoint"].(string)
	if endSession != f.e.URL()+"/application/o/wifwiz-login/end-session/" {
		t.Errorf("end_session_endpoint %q", endSession)
	}
	out := get(t, f.c, endSession+"?"+url.Values{"post_logout_redirect_uri": {callback}, "state": {"bye"}}.Encode())
	if out.status != http.StatusFound || out.header.Get("Location") != callback+"?state=bye" {
		t.Errorf("end-session: HTTP %d Location %q", out.status, out.header.Get("Location"))
	}
	if a := get(t, f.c, f.authorizeURL(nil)); a.status != http.StatusOK {
		t.Errorf("after end-session: HTTP %d, want the login page again", a.status)
	}
	if q := redirected(t, get(t, f.c, f.authorizeURL(url.Values{"prompt": {"none"}}))); q.Get("error") != "login_required" {
		t.Errorf("prompt=none without a session: %v", q)
	}
}
