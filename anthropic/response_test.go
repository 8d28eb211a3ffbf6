package anthropic_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/anthropic"
	"github.com/wifwiz/wifwiz/verify"
)

// serve answers every request with status and body from a loopback server started here.
func serve(t *testing.T, status int, body string) *anthropic.Client {
	t.Helper()
	return serveFunc(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
}

func serveFunc(t *testing.T, h http.HandlerFunc) *anthropic.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := anthropic.NewClient(anthropic.Options{BaseURL: srv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func exchangeOnce(c *anthropic.Client) verify.Exchange {
	return c.Exchange(context.Background(), anthropic.Request{Assertion: "a.b.c", FederationRuleID: "fdrl_1", OrganizationID: "org"})
}

func TestExchangeReadsErrorShapes(t *testing.T) {
	cases := []struct {
		name, body      string
		status          int
		wantType, wantM string
	}{
		{"anthropic shape", `{"type":"error","error":{"type":"authentication_error","message":"Authentication failed"}}`, 401, "authentication_error", "Authentication failed"},
		{"oauth shape", `{"error":"invalid_grant","error_description":"assertion rejected"}`, 400, "invalid_grant", "assertion rejected"},
		{"not json", `<html>bad gateway</html>`, 502, "invalid_response", `unrecognised error body: "<html>bad gateway</html>"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := exchangeOnce(serve(t, tc.status, tc.body))
			if got.Status != tc.status || got.ErrorType != tc.wantType || got.Message != tc.wantM || got.Err != "" {
				t.Fatalf("exchange = %+v, want %d %s %q", got, tc.status, tc.wantType, tc.wantM)
			}
		})
	}
}

func TestExchangeOddSuccessBodies(t *testing.T) {
	secret := "sk-ant-oat01-SECRETSECRETSECRET"
	cases := []struct{ name, body, wantMsg string }{
		{"not json", "not json " + secret, "200 response is not JSON"},
		{"no access token", `{"token_type":"Bearer","expires_in":60}`, "200 response without access_token"},
		{"not bearer", `{"access_token":"` + secret + `","token_type":"mac"}`, `token_type is "mac", want Bearer`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := exchangeOnce(serve(t, 200, tc.body))
			if got.ErrorType != "invalid_response" || got.Message != tc.wantMsg {
				t.Fatalf("exchange = %+v, want invalid_response %q", got, tc.wantMsg)
			}
			if strings.Contains(got.Message+got.Err+got.TokenPrefix, "SECRET") {
				t.Errorf("the token leaked into %+v", got)
			}
		})
	}
}

func TestExchangeResponseLimit(t *testing.T) {
	big := `{"type":"error","error":{"type":"x","message":"` + strings.Repeat("a", anthropic.MaxResponseBytes) + `"}}`
	got := exchangeOnce(serve(t, 400, big))
	if got.Err == "" || !strings.Contains(got.Err, "larger than") {
		t.Fatalf("exchange = %.200v, want a size error", got)
	}
}

func TestExchangeRequestShape(t *testing.T) {
	var body map[string]any
	var header http.Header
	var path, method string
	c := serveFunc(t, func(w http.ResponseWriter, r *http.Request) {
		path, method, header = r.URL.Path, r.Method, r.Header.Clone()
		_ = json.NewDecoder(r.Body).Decode(&body)
		_, _ = io.WriteString(w, `{"access_token":"sk-ant-oat01-abcdefghijklmnop","token_type":"Bearer","expires_in":3600,"scope":"workspace:developer"}`)
	})
	got := c.Exchange(context.Background(), anthropic.Request{Assertion: " tok.en.x\n", FederationRuleID: "fdrl_1", OrganizationID: "org"})
	if got.Status != 200 || got.ExpiresIn != 3600 || got.TokenPrefix != "sk-ant-oat01…" {
		t.Fatalf("exchange = %+v", got)
	}
	if method != "POST" || path != "/v1/oauth/token" {
		t.Errorf("request %s %s", method, path)
	}
	if h := header.Get("anthropic-beta"); h != "oauth-2025-04-20,oidc-federation-2026-04-01" {
		t.Errorf("anthropic-beta = %q", h)
	}
	if ct := header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	want := map[string]any{
		"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "tok.en.x",
		"federation_rule_id": "fdrl_1", "organization_id": "org",
	}
	if len(body) != len(want) {
		t.Errorf("body has %d fields (%v), want %d: empty IDs must be omitted", len(body), keys(body), len(want))
	}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("body[%s] = %v, want %v", k, body[k], v)
		}
	}
}

func TestExchangeDoesNotFollowRedirects(t *testing.T) {
	hits := 0
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits++ }))
	defer target.Close()
	c := serveFunc(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	})
	got := exchangeOnce(c)
	if got.Status != http.StatusTemporaryRedirect || hits != 0 {
		t.Fatalf("exchange = %+v, redirect target hit %d times; want the 307 reported and not followed", got, hits)
	}
}

func TestExchangeTransportError(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	c, err := anthropic.NewClient(anthropic.Options{BaseURL: srv.URL, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	got := exchangeOnce(c)
	if got.Status != 0 || !strings.Contains(got.Err, "token exchange") {
		t.Fatalf("exchange = %+v, want a transport error", got)
	}
	if strings.Contains(got.Err, "a.b.c") {
		t.Errorf("the assertion leaked into %q", got.Err)
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
