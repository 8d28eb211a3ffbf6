package authentik

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/wif"
)

func TestRequestTokenAuthMethods(t *testing.T) {
	type seen struct {
		basicID, basicSecret string
		hasBasic             bool
		formID, formSecret   string
		grant, scope         string
	}
	got := make(chan seen, 1)
	srv, caPEM := startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		_ = r.ParseForm()
		got <- seen{id, secret, ok, r.PostForm.Get("client_id"), r.PostForm.Get("client_secret"), r.PostForm.Get("grant_type"), r.PostForm.Get("scope")}
		_, _ = w.Write([]byte(`{}`))
	}))
	c := newClient(t, caPEM)

	c.RequestToken(context.Background(), srv.URL, "cid", "s3cret", "openid", false)
	if s := <-got; s.hasBasic || s.formID != "cid" || s.formSecret != "s3cret" || s.grant != "client_credentials" || s.scope != "openid" {
		t.Errorf("client_secret_post sent %+v", s)
	}
	c.RequestToken(context.Background(), srv.URL, "cid", "s3cret", "", true)
	if s := <-got; !s.hasBasic || s.basicID != "cid" || s.basicSecret != "s3cret" || s.formSecret != "" || s.grant != "client_credentials" || s.scope != "" {
		t.Errorf("client_secret_basic sent %+v", s)
	}
}

func TestFetchToken(t *testing.T) {
	e := startEmulator(t)
	ok := addProvider(t, e, emulator.Provider{Slug: "ok", Validity: "minutes=5"})
	detached := addProvider(t, e, emulator.Provider{Slug: "detached", Detached: true})
	denied := addProvider(t, e, emulator.Provider{Slug: "denied", DenyPolicy: true})
	c := newClient(t, e.CAPEM())
	tokenURL := e.URL() + "/application/o/token/"
	request := func(p emulator.Provider) TokenRequest {
		return TokenRequest{TokenURL: tokenURL, ClientID: p.ClientID, ClientSecret: p.ClientSecret, Scope: "openid"}
	}

	for _, basic := range []bool{false, true} {
		t.Run(fmt.Sprintf("OK/basic=%v", basic), func(t *testing.T) {
			r := request(ok)
			r.Basic = basic
			set, err := c.FetchToken(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Count(set.IDToken, ".") != 2 || strings.Count(set.AccessToken, ".") != 2 || set.ExpiresIn != 5*time.Minute || set.TokenType != "Bearer" {
				t.Errorf("token set %v", set)
			}
			if s := fmt.Sprintf("%v %+v %#v", set, set, set); strings.Contains(s, set.IDToken) || strings.Contains(s, set.AccessToken) {
				t.Error("formatting a TokenSet shows a token")
			}
		})
	}

	wrongSecret := request(ok)
	wrongSecret.ClientSecret = "wrong-secret-value"
	unknown := request(ok)
	unknown.ClientID = "nobody"
	for name, tc := range map[string]struct {
		req  TokenRequest
		code string
	}{
		"UnknownClient": {unknown, "invalid_client"},
		"WrongSecret":   {wrongSecret, "invalid_grant"},
		"NotAttached":   {request(detached), "invalid_grant"},
		"PolicyDenied":  {request(denied), "invalid_grant"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := c.FetchToken(context.Background(), tc.req)
			var te *TokenError
			if !errors.As(err, &te) {
				t.Fatalf("err %v, want a *TokenError", err)
			}
			if te.Status != http.StatusBadRequest || te.Authentik.Code != tc.code || len(te.Authentik.RequestID) != 32 {
				t.Errorf("TokenError %+v, want HTTP 400 %s with authentik's request_id", te, tc.code)
			}
			msg := err.Error()
			for _, want := range []string{tc.code, te.Authentik.RequestID, te.Authentik.Meaning(wif.IssuerAuthentik)} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
			if strings.Contains(msg, tc.req.ClientSecret) {
				t.Error("the message contains the client secret")
			}
		})
	}
}

func TestFetchTokenNeverEchoesSecret(t *testing.T) {
	const secret = "super-secret-value-0123456789"
	srv, caPEM := startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		echoed := r.PostForm.Get("client_secret")
		if r.URL.Path == "/oauth" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":"invalid_grant","error_description":"bad secret %s","request_id":"r1"}`, echoed)
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "<html>proxy error for %s</html>", echoed)
	}))
	c := newClient(t, caPEM)
	for _, path := range []string{"/oauth", "/html"} {
		_, err := c.FetchToken(context.Background(), TokenRequest{TokenURL: srv.URL + path, ClientID: "cid", ClientSecret: secret})
		if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "[redacted]") {
			t.Errorf("%s: err %v, want an error with the secret redacted", path, err)
		}
	}
}

func TestFetchTokenMalformedSuccess(t *testing.T) {
	srv, caPEM := startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/empty" {
			_, _ = w.Write([]byte(`{"token_type":"Bearer"}`))
			return
		}
		_, _ = w.Write([]byte(`eyJhbGciOiJSUzI1NiJ9.not-json`))
	}))
	c := newClient(t, caPEM)
	for _, path := range []string{"/empty", "/garbage"} {
		_, err := c.FetchToken(context.Background(), TokenRequest{TokenURL: srv.URL + path, ClientSecret: "s"})
		if err == nil || strings.Contains(err.Error(), "eyJ") {
			t.Errorf("%s: err %v, want an error that does not quote the body", path, err)
		}
	}
}

// TestFetchTokenErrorPerIssuer: a non-authentik issuer's invalid_client names both causes, and
// nothing mentions a request_id that was not sent (issue 17 items 3 and 4, as wifwiz token says it).
func TestFetchTokenErrorPerIssuer(t *testing.T) {
	srv, caPEM := startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"Invalid client credentials."}`))
	}))
	c := newClient(t, caPEM)
	_, err := c.FetchToken(context.Background(), TokenRequest{TokenURL: srv.URL + "/dex/token", IssuerURL: srv.URL + "/dex", ClientID: "cid", ClientSecret: "wrong"})
	var te *TokenError
	if !errors.As(err, &te) || te.Kind != wif.IssuerGeneric {
		t.Fatalf("err %v, want a *TokenError for a generic issuer", err)
	}
	msg := err.Error()
	for _, want := range []string{`the issuer refused the token request to ` + srv.URL + `/dex/token (HTTP 401) with error "invalid_client", error_description "Invalid client credentials."`,
		"either the client ID is unknown or the client secret is wrong", "client secret again"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	for _, unwanted := range []string{"authentik", "request_id", "does not know this client ID"} {
		if strings.Contains(msg, unwanted) {
			t.Errorf("message %q says %q", msg, unwanted)
		}
	}
}

// TestFetchTokenNeverEchoesEncodedSecret: a token endpoint that echoes the request in other
// encodings than the literal one (form, percent, Basic, JSON \u escapes) gets none of them through.
func TestFetchTokenNeverEchoesEncodedSecret(t *testing.T) {
	const secret = `Zq7rX/b9+h L&"é`
	srv, caPEM := startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		var echo string
		switch r.URL.Path {
		case "/form":
			echo = string(body)
		case "/percent":
			echo = url.PathEscape(secret)
		case "/basic":
			echo = "Basic " + base64.StdEncoding.EncodeToString([]byte("cid:"+secret))
		case "/json":
			echo = `\u005a\u0071\u0037rX\/b9+h L&\"\u00e9`
		}
		desc, _ := json.Marshal(echo)
		fmt.Fprintf(w, `{"error":"invalid_client","error_description":%s,"request_id":%s}`, desc, desc)
	}))
	c := newClient(t, caPEM)
	for _, path := range []string{"/form", "/percent", "/basic", "/json"} {
		_, err := c.FetchToken(context.Background(), TokenRequest{TokenURL: srv.URL + path, ClientID: "cid", ClientSecret: secret})
		if err == nil || strings.Contains(err.Error(), "Zq7") || strings.Contains(err.Error(), "WnE3") || strings.Contains(err.Error(), `\u005a`) {
			t.Errorf("%s: err %v", path, err)
		}
	}
}

// TestSecretNeverSentOverPlainHTTP: only loopback may be reached over http with the secret.
func TestSecretNeverSentOverPlainHTTP(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, `{"error":"invalid_client"}`, http.StatusBadRequest)
	}))
	defer srv.Close()
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}
	c, err := NewClient(Options{DialContext: dial})
	if err != nil {
		t.Fatal(err)
	}
	r := c.RequestToken(context.Background(), "http://authentik.example/application/o/token/", "cid", "secret", "", false)
	if !strings.Contains(r.Err, "plain http") || hits.Load() != 0 {
		t.Fatalf("err %q, %d requests reached the server", r.Err, hits.Load())
	}
	if r := c.RequestToken(context.Background(), srv.URL+"/token", "cid", "secret", "", false); r.Err != "" || hits.Load() != 1 {
		t.Fatalf("loopback: err %q, %d requests", r.Err, hits.Load())
	}
}
