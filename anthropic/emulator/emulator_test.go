package emulator_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/wifwiz/wifwiz/anthropic/emulator"
)

const (
	issuerURL = "https://auth.example.com/application/o/claude/"
	orgID     = "3f1c2a7e-5b7d-4d2a-9a51-0c8f3e2b1d44"
)

func newIssuer(t *testing.T) *emulator.Issuer {
	t.Helper()
	iss, err := emulator.NewIssuer(issuerURL, "k1")
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

func baseRule(iss *emulator.Issuer) emulator.Rule {
	return emulator.Rule{
		ID: "fdrl_1", OrganizationID: orgID, ServiceAccountID: "svac_1", IssuerURL: issuerURL,
		JWKS: iss.JWKS(), SubjectPrefix: "ak-*", Audience: "aud",
	}
}

func start(t *testing.T, rules ...emulator.Rule) *emulator.Server {
	t.Helper()
	s, err := emulator.New(rules...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

type answer struct {
	status int
	Type   string `json:"type"`
	Error  struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
	AccessToken string `json:"access_token"`
}

func post(t *testing.T, s *emulator.Server, method, path string, beta bool, body any) answer {
	t.Helper()
	b, _ := json.Marshal(body)
	if s, ok := body.(string); ok {
		b = []byte(s)
	}
	req, _ := http.NewRequest(method, s.URL+path, bytes.NewReader(b))
	if beta {
		req.Header.Set("anthropic-beta", "oauth-2025-04-20, oidc-federation-2026-04-01")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &a); err != nil {
		t.Fatalf("answer %q is not JSON", data)
	}
	a.status = resp.StatusCode
	return a
}

func body(assertion string) map[string]string {
	return map[string]string{
		"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion,
		"federation_rule_id": "fdrl_1", "organization_id": orgID,
	}
}

func mint(t *testing.T, iss *emulator.Issuer) string {
	t.Helper()
	raw, err := iss.Mint("ak-x", "aud", time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestRequestValidation(t *testing.T) {
	iss := newIssuer(t)
	s := start(t, baseRule(iss))
	tok := mint(t, iss)
	with := func(k, v string) map[string]string { b := body(tok); b[k] = v; return b }
	without := func(k string) map[string]string { b := body(tok); delete(b, k); return b }
	cases := []struct {
		name         string
		method, path string
		beta         bool
		body         any
		status       int
		msgPrefix    string
	}{
		{"path", "POST", "/v1/token", true, body(tok), 404, "Not found"},
		{"method", "GET", "/v1/oauth/token", true, nil, 405, "Method"},
		{"beta header", "POST", "/v1/oauth/token", false, body(tok), 400, "anthropic-beta:"},
		{"not json", "POST", "/v1/oauth/token", true, "grant_type=x", 400, "request body:"},
		{"grant type", "POST", "/v1/oauth/token", true, with("grant_type", "client_credentials"), 400, "grant_type:"},
		{"no assertion", "POST", "/v1/oauth/token", true, without("assertion"), 400, "assertion: Field required"},
		{"big assertion", "POST", "/v1/oauth/token", true, with("assertion", strings.Repeat("a", 16<<10+1)), 400, "assertion:"},
		{"no rule", "POST", "/v1/oauth/token", true, without("federation_rule_id"), 400, "federation_rule_id: Field required"},
		{"rule prefix", "POST", "/v1/oauth/token", true, with("federation_rule_id", "svac_1"), 400, "federation_rule_id:"},
		{"org uuid", "POST", "/v1/oauth/token", true, with("organization_id", "3f1c2a7e"), 400, "organization_id:"},
		{"service account", "POST", "/v1/oauth/token", true, with("service_account_id", "fdrl_1"), 400, "service_account_id:"},
		{"workspace", "POST", "/v1/oauth/token", true, with("workspace_id", "workspace-1"), 400, "workspace_id:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := post(t, s, tc.method, tc.path, tc.beta, tc.body)
			if a.status != tc.status || a.Type != "error" || !strings.HasPrefix(a.Error.Message, tc.msgPrefix) {
				t.Fatalf("got %d %+v, want %d with a message starting %q", a.status, a.Error, tc.status, tc.msgPrefix)
			}
		})
	}
	if st := s.Stats(); st.BadRequests != len(cases) || st.Issued != 0 || st.Denied != 0 {
		t.Errorf("stats = %+v", st)
	}
	if a := post(t, s, "POST", "/v1/oauth/token", true, body(tok)); a.status != 200 || !strings.HasPrefix(a.AccessToken, "sk-ant-oat01-") {
		t.Fatalf("valid request: %d %+v", a.status, a.Error)
	}
}

func TestRuleDenials(t *testing.T) {
	iss := newIssuer(t)
	other := baseRule(iss)
	other.ID, other.ServiceAccountID = "fdrl_2", "svac_2"
	s := start(t, baseRule(iss), other)
	cases := []struct {
		name   string
		edit   func(map[string]string)
		reason string
	}{
		{"unknown rule", func(b map[string]string) { b["federation_rule_id"] = "fdrl_9" }, emulator.DenyRule},
		{"other organization", func(b map[string]string) { b["organization_id"] = "00000000-0000-0000-0000-000000000000" }, emulator.DenyRule},
		{"other service account", func(b map[string]string) { b["service_account_id"] = "svac_2" }, emulator.DenyRule},
		{"workspace not enabled", func(b map[string]string) { b["workspace_id"] = "wrkspc_1" }, emulator.DenyWorkspace},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := body(mint(t, iss))
			tc.edit(b)
			a := post(t, s, "POST", "/v1/oauth/token", true, b)
			d := s.Denials()
			if a.status != 401 || a.Error.Type != "authentication_error" || !strings.HasPrefix(d[len(d)-1], tc.reason+":") {
				t.Fatalf("got %d %+v, denials %v; want 401 for %s", a.status, a.Error, d, tc.reason)
			}
		})
	}
}

func TestTokenFormatDenials(t *testing.T) {
	iss := newIssuer(t)
	s := start(t, baseRule(iss))
	enc := base64.RawURLEncoding.EncodeToString
	payload := enc([]byte(`{"iss":"` + issuerURL + `","sub":"ak-x","aud":"aud"}`))
	noKID, err := signWithoutKID(iss)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, token, reason string }{
		{"alg none", enc([]byte(`{"alg":"none"}`)) + "." + payload + ".", emulator.DenyAlg},
		{"garbage", "not-a-jwt", emulator.DenyFormat},
		{"no kid", noKID, emulator.DenyKID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := post(t, s, "POST", "/v1/oauth/token", true, body(tc.token))
			d := s.Denials()
			if a.status != 401 || !strings.HasPrefix(d[len(d)-1], tc.reason+":") {
				t.Fatalf("got %d, denials %v; want %s", a.status, d, tc.reason)
			}
		})
	}
}

// signWithoutKID signs with the issuer's key but leaves kid out of the header.
func signWithoutKID(iss *emulator.Issuer) (string, error) {
	saved := iss.KeyID
	iss.KeyID = ""
	defer func() { iss.KeyID = saved }()
	return iss.Mint("ak-x", "aud", time.Now(), time.Hour)
}

func TestJWKSFromURL(t *testing.T) {
	iss := newIssuer(t)
	jwks := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(iss.JWKS())
	}))
	defer jwks.Close()
	caPEM := certPEM(jwks)

	rule := baseRule(iss)
	rule.JWKS, rule.JWKSURL, rule.CAPEM = nil, jwks.URL+"/jwks/", caPEM
	s := start(t, rule)
	if a := post(t, s, "POST", "/v1/oauth/token", true, body(mint(t, iss))); a.status != 200 {
		t.Fatalf("with the CA: %d, denials %v", a.status, s.Denials())
	}

	rule.CAPEM = nil
	if err := s.AddRule(rule); err != nil {
		t.Fatal(err)
	}
	a := post(t, s, "POST", "/v1/oauth/token", true, body(mint(t, iss)))
	if d := s.Denials(); a.status != 401 || !strings.HasPrefix(d[len(d)-1], emulator.DenyJWKS+":") {
		t.Fatalf("without the CA: %d, denials %v; want a jwks denial", a.status, d)
	}
}

func TestKeySetFunc(t *testing.T) {
	iss := newIssuer(t)
	rule := baseRule(iss)
	var fail atomic.Bool
	fail.Store(true)
	rule.JWKS = nil
	rule.KeySet = func(context.Context) (jose.JSONWebKeySet, error) {
		if fail.Load() {
			return jose.JSONWebKeySet{}, errors.New("issuer down")
		}
		return *iss.JWKS(), nil
	}
	s := start(t, rule)
	if a := post(t, s, "POST", "/v1/oauth/token", true, body(mint(t, iss))); a.status != 401 {
		t.Fatalf("key set failing: %d", a.status)
	}
	fail.Store(false)
	if a := post(t, s, "POST", "/v1/oauth/token", true, body(mint(t, iss))); a.status != 200 {
		t.Fatalf("key set back: %d, denials %v", a.status, s.Denials())
	}
	if d := s.Denials(); len(d) != 1 || !strings.Contains(d[0], "issuer down") {
		t.Errorf("denials = %v", d)
	}
}

func TestRuleConfigValidation(t *testing.T) {
	iss := newIssuer(t)
	cases := map[string]func(*emulator.Rule){
		"rule ID":         func(r *emulator.Rule) { r.ID = "rule1" },
		"organization":    func(r *emulator.Rule) { r.OrganizationID = "org" },
		"service account": func(r *emulator.Rule) { r.ServiceAccountID = "sa" },
		"star subject":    func(r *emulator.Rule) { r.SubjectPrefix = "*" },
		"two key sources": func(r *emulator.Rule) { r.JWKSURL = "https://x/jwks" },
		"no key source":   func(r *emulator.Rule) { r.JWKS = nil },
		"workspace":       func(r *emulator.Rule) { r.Workspaces = []string{"ws"} },
	}
	for name, edit := range cases {
		r := baseRule(iss)
		edit(&r)
		if s, err := emulator.New(r); err == nil {
			s.Close()
			t.Errorf("%s: New accepted an invalid rule", name)
		}
	}
}

func certPEM(s *httptest.Server) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
}
