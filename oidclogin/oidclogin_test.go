package oidclogin_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/oidclogin"
	"github.com/wifwiz/wifwiz/wif"
)

const callback = "http://127.0.0.1:9/auth/callback"

type fixture struct {
	emu     *emulator.Emulator
	prov    emulator.Provider
	rp      *oidclogin.Provider
	browser *http.Client
}

func newFixture(t *testing.T, p emulator.Provider, mutate ...func(*oidclogin.Config)) fixture {
	t.Helper()
	emu, err := emulator.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	if p.Slug == "" {
		p.Slug = "wifwiz-login"
	}
	p.RedirectURIs = []string{callback}
	p.SubMode = wif.SubUsername
	prov, err := emu.AddProvider(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emu.AddUser(emulator.User{Username: "alice", Name: "Alice Example", Email: "alice@example.com",
		Groups: []string{"wifwiz-editors", "staff"}}); err != nil {
		t.Fatal(err)
	}
	if err := emu.SetAutoLogin("alice"); err != nil {
		t.Fatal(err)
	}
	cfg := oidclogin.Config{Issuer: emu.IssuerURL(p.Slug), ClientID: prov.ClientID, ClientSecret: prov.ClientSecret,
		RedirectURL: callback, CAPEM: emu.CAPEM()}
	for _, m := range mutate {
		m(&cfg)
	}
	rp, err := oidclogin.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{emu: emu, prov: prov, rp: rp, browser: browserFor(t, emu.CAPEM())}
}

// browserFor is a client that stops at the redirect back to wifwiz, as a browser would follow it.
func browserFor(t *testing.T, ca []byte) *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second,
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func attempt() wif.SignInAttempt {
	return wif.SignInAttempt{State: "state-" + strings.Repeat("s", 20), Nonce: "nonce-" + strings.Repeat("n", 20),
		Verifier: strings.Repeat("v", 43)}
}

// authorize follows the authorization URL to the callback and returns its query.
func (f fixture) authorize(t *testing.T, a wif.SignInAttempt) url.Values {
	t.Helper()
	u, err := f.rp.AuthCodeURL(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := url.Parse(u)
	if got := q.Query(); got.Get("code_challenge_method") != "S256" || got.Get("nonce") != a.Nonce || got.Get("state") != a.State ||
		got.Get("redirect_uri") != callback || got.Get("scope") != "openid profile email" {
		t.Fatalf("authorization URL %s", u)
	}
	resp, err := f.browser.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), callback) {
		t.Fatalf("HTTP %d to %q, want the callback", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query()
}

func TestSignIn(t *testing.T) {
	f := newFixture(t, emulator.Provider{IncludeClaims: true})
	a := attempt()
	q := f.authorize(t, a)
	if q.Get("state") != a.State {
		t.Fatalf("state %q came back", q.Get("state"))
	}
	id, err := f.rp.Redeem(context.Background(), q.Get("code"), a)
	if err != nil {
		t.Fatal(err)
	}
	if id.Person != (wif.Person{Subject: "alice", Name: "Alice Example"}) || !slices.Equal(id.Groups, []string{"wifwiz-editors", "staff"}) {
		t.Fatalf("identity %+v", id)
	}
	if end := f.rp.EndSessionURL(context.Background()); !strings.HasPrefix(end, f.emu.URL()+"/application/o/wifwiz-login/end-session/?client_id=") {
		t.Errorf("end session URL %q", end)
	}
}

// authentik leaves the profile claims out of the ID token unless "Include claims in id_token"
// is on: the groups then come from userinfo.
func TestGroupsFromUserinfo(t *testing.T) {
	f := newFixture(t, emulator.Provider{IncludeClaims: false})
	a := attempt()
	id, err := f.rp.Redeem(context.Background(), f.authorize(t, a).Get("code"), a)
	if err != nil {
		t.Fatal(err)
	}
	if id.Person.Name != "Alice Example" || !slices.Equal(id.Groups, []string{"wifwiz-editors", "staff"}) {
		t.Fatalf("identity %+v", id)
	}
}

func TestRefusals(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		mutate func(*testing.T, fixture, *wif.SignInAttempt) string // returns the code to redeem
		kind   string
		says   string
	}{
		{"OtherAudience", func(t *testing.T, f fixture, a *wif.SignInAttempt) string {
			if err := f.emu.SetLoginAudience("wifwiz-login", "another-client"); err != nil {
				t.Fatal(err)
			}
			return f.authorize(t, *a).Get("code")
		}, wif.SignInInvalid, "issued for another client"},
		{"OtherNonce", func(t *testing.T, f fixture, a *wif.SignInAttempt) string {
			code := f.authorize(t, *a).Get("code")
			a.Nonce = "a-nonce-of-another-attempt"
			return code
		}, wif.SignInInvalid, "nonce"},
		{"OtherVerifier", func(t *testing.T, f fixture, a *wif.SignInAttempt) string {
			code := f.authorize(t, *a).Get("code")
			a.Verifier = strings.Repeat("w", 43)
			return code
		}, wif.SignInRefused, "invalid_grant"},
		{"CodeUsedTwice", func(t *testing.T, f fixture, a *wif.SignInAttempt) string {
			code := f.authorize(t, *a).Get("code")
			if _, err := f.rp.Redeem(ctx, code, *a); err != nil {
				t.Fatal(err)
			}
			return code
		}, wif.SignInRefused, "invalid_grant"},
		{"Expired", func(t *testing.T, f fixture, a *wif.SignInAttempt) string {
			f.emu.SetNow(func() time.Time { return time.Now().Add(-3 * time.Hour) })
			return f.authorize(t, *a).Get("code")
		}, wif.SignInInvalid, "expired"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, emulator.Provider{IncludeClaims: true})
			a := attempt()
			code := c.mutate(t, f, &a)
			_, err := f.rp.Redeem(ctx, code, a)
			if wif.SignInErrorKind(err) != c.kind || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("Redeem: %v (kind %q), want kind %q saying %q", err, wif.SignInErrorKind(err), c.kind, c.says)
			}
		})
	}
}

func TestProviderUnreachable(t *testing.T) {
	t.Run("Down", func(t *testing.T) {
		f := newFixture(t, emulator.Provider{})
		f.emu.SetDown(true)
		_, err := f.rp.AuthCodeURL(context.Background(), attempt())
		if wif.SignInErrorKind(err) != wif.SignInUnreachable || !strings.Contains(err.Error(), "/.well-known/openid-configuration") || !strings.Contains(err.Error(), "Check that authentik is up") {
			t.Fatalf("AuthCodeURL: %v", err)
		}
		// Discovery is retried once the provider is back.
		f.emu.SetDown(false)
		if _, err := f.rp.AuthCodeURL(context.Background(), attempt()); err != nil {
			t.Fatalf("after the provider came back: %v", err)
		}
	})
	t.Run("UntrustedCA", func(t *testing.T) {
		f := newFixture(t, emulator.Provider{}, func(c *oidclogin.Config) { c.CAPEM = nil })
		_, err := f.rp.AuthCodeURL(context.Background(), attempt())
		if wif.SignInErrorKind(err) != wif.SignInUnreachable || !strings.Contains(err.Error(), "--oidc-ca-file") {
			t.Fatalf("AuthCodeURL with the emulator's CA untrusted: %v", err)
		}
	})
	t.Run("WrongIssuer", func(t *testing.T) {
		f := newFixture(t, emulator.Provider{}, func(c *oidclogin.Config) { c.Issuer = strings.TrimSuffix(c.Issuer, "/") })
		_, err := f.rp.AuthCodeURL(context.Background(), attempt())
		if wif.SignInErrorKind(err) != wif.SignInUnreachable || !strings.Contains(err.Error(), "Set --oidc-issuer to exactly the issuer the provider names") {
			t.Fatalf("AuthCodeURL with the issuer lacking its slash: %v", err)
		}
	})
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	ok := oidclogin.Config{Issuer: "https://a.example/application/o/x/", ClientID: "c", ClientSecret: "s", RedirectURL: callback}
	for name, mutate := range map[string]func(*oidclogin.Config){
		"NoSecret":   func(c *oidclogin.Config) { c.ClientSecret = "" },
		"HTTPIssuer": func(c *oidclogin.Config) { c.Issuer = "http://a.example/" },
		"BadCA":      func(c *oidclogin.Config) { c.CAPEM = []byte("not a certificate") },
	} {
		c := ok
		mutate(&c)
		if _, err := oidclogin.New(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := oidclogin.New(ok); err != nil {
		t.Errorf("a complete config: %v", err)
	}
}

func TestLargeAnswerRefused(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"issuer":"` + strings.Repeat("x", 2<<20) + `"}`))
	}))
	defer srv.Close()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	rp, err := oidclogin.New(oidclogin.Config{Issuer: srv.URL + "/", ClientID: "c", ClientSecret: "s", RedirectURL: callback, CAPEM: ca})
	if err != nil {
		t.Fatal(err)
	}
	_, err = rp.AuthCodeURL(context.Background(), attempt())
	if wif.SignInErrorKind(err) != wif.SignInUnreachable || !strings.Contains(err.Error(), "larger than 1048576 bytes") {
		t.Fatalf("a 2 MiB discovery document: %v", err)
	}
}

// TestRefusalNeverEchoesTheClientSecret: a token endpoint that echoes the credentials it got
// (the Basic header, the form) in its error_description: neither the message a person sees
// nor the cause that is logged holds the client secret in any form.
func TestRefusalNeverEchoesTheClientSecret(t *testing.T) {
	const secret = "sign-in-client-secret-0123456789"
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			json.NewEncoder(w).Encode(map[string]string{"issuer": srv.URL + "/", "authorization_endpoint": srv.URL + "/authorize",
				"token_endpoint": srv.URL + "/token", "jwks_uri": srv.URL + "/jwks"})
		case "/token":
			r.ParseForm()
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client",
				"error_description": "refused " + r.Header.Get("Authorization") + " " + r.PostForm.Encode()})
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	rp, err := oidclogin.New(oidclogin.Config{Issuer: srv.URL + "/", ClientID: "wifwiz", ClientSecret: secret, RedirectURL: callback, CAPEM: ca})
	if err != nil {
		t.Fatal(err)
	}
	_, err = rp.Redeem(context.Background(), "a-code", attempt())
	if wif.SignInErrorKind(err) != wif.SignInRefused || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("Redeem: %v (kind %q), want a refusal naming invalid_client", err, wif.SignInErrorKind(err))
	}
	cause := errors.Unwrap(err)
	if cause == nil || !strings.Contains(cause.Error(), "refused") {
		t.Fatalf("the logged cause %v does not carry the provider's answer", cause)
	}
	basic := base64.StdEncoding.EncodeToString([]byte("wifwiz:" + secret))
	for _, text := range []string{err.Error(), cause.Error()} {
		for _, form := range []string{secret, basic, url.QueryEscape(secret)} {
			if strings.Contains(text, form) {
				t.Errorf("%q holds the client secret as %q", text, form)
			}
		}
	}
}
