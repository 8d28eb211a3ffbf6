package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/anthropic/emulator"
)

// claimsFor are the claims of a token the fixture's rule accepts, plus extra.
func (f *consoleFixture) claimsFor(extra map[string]any) map[string]any {
	now := time.Now()
	c := map[string]any{
		"iss": consoleIssuerURL, "sub": "ak-ci-client_credentials", "aud": "client-1",
		"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(), "env": "prod", "ctx": map[string]any{"team": "infra"},
	}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func (f *consoleFixture) exchange(claims map[string]any, workspace string) answer {
	f.t.Helper()
	tok, err := f.iss.Sign(claims)
	if err != nil {
		f.t.Fatal(err)
	}
	b := map[string]string{
		"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": tok,
		"federation_rule_id": f.ruleID, "organization_id": f.s.OrganizationID(), "service_account_id": f.sa,
	}
	if workspace != "" {
		b["workspace_id"] = workspace
	}
	return post(f.t, f.s, "POST", "/v1/oauth/token", true, b)
}

// lastReason is the newest authentication history reason, or "" when nothing was refused.
func (f *consoleFixture) lastReason() (string, string) {
	h := f.s.History()
	if len(h) == 0 {
		return "", ""
	}
	return h[len(h)-1].Reason, h[len(h)-1].Detail
}

func TestConsoleExchangeMatchers(t *testing.T) {
	match := map[string]any{"subject_prefix": "ak-ci-*", "audience": "client-1", "claims": map[string]any{"env": "prod"},
		"condition": `claims.ctx.team in ["infra", "sre"]`}
	cases := []struct {
		name   string
		extra  map[string]any
		reason string
		detail string
	}{
		{"OK", nil, "", ""},
		{"subject", map[string]any{"sub": "ak-other"}, "match_subject_prefix", "ak-other"},
		{"audience", map[string]any{"aud": []string{"x"}}, "match_audience", ""},
		{"claim value", map[string]any{"env": "dev"}, "match_claims", `claim "env" is "dev"`},
		{"claim absent", map[string]any{"env": nil}, "match_claims", `claim "env" is absent`},
		{"claim not a string", map[string]any{"env": 1}, "match_claims", "not a string"},
		{"condition false", map[string]any{"ctx": map[string]any{"team": "web"}}, "match_condition", "is false"},
		{"condition error", map[string]any{"ctx": map[string]any{}}, "match_condition", "no such key: team"},
		{"lifetime", map[string]any{"exp": time.Now().Add(2 * time.Hour).Unix()}, "jwt_lifetime_exceeded", ""},
		{"issuer", map[string]any{"iss": strings.TrimSuffix(consoleIssuerURL, "/")}, "issuer_mismatch", ""},
	}
	f := newConsoleFixture(t, match)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := f.exchange(f.claimsFor(tc.extra), "")
			reason, detail := f.lastReason()
			if tc.reason == "" {
				if a.status != 200 {
					t.Fatalf("got %d; history %s %s", a.status, reason, detail)
				}
				return
			}
			if a.status != 401 || a.Error.Message != "Authentication failed" || reason != tc.reason || !strings.Contains(detail, tc.detail) {
				t.Fatalf("got %d, history %q %q; want %s containing %q", a.status, reason, detail, tc.reason, tc.detail)
			}
		})
	}
}

func TestConsoleExchangeObjects(t *testing.T) {
	cases := []struct {
		name      string
		edit      func(t *testing.T, f *consoleFixture) string // returns the workspace to ask for
		reason    string
		succeeded bool
	}{
		{"OK named workspace", func(_ *testing.T, f *consoleFixture) string { return f.ws }, "", true},
		{"workspace not enabled", func(_ *testing.T, f *consoleFixture) string { return f.s.AddWorkspace("other").ID }, "workspace_not_enabled", false},
		{"workspace required", func(_ *testing.T, f *consoleFixture) string {
			f.ok("POST", "/v1/organizations/federation_rules/"+f.ruleID+"/workspaces", map[string]any{"workspace_id": f.s.AddWorkspace("b").ID})
			return ""
		}, "workspace_id_required", false},
		{"all workspaces need a name", func(_ *testing.T, f *consoleFixture) string {
			f.ok("POST", "/v1/organizations/federation_rules/"+f.ruleID, map[string]any{"applies_to_all_workspaces": true})
			return ""
		}, "workspace_id_required", false},
		{"not a member", func(_ *testing.T, f *consoleFixture) string { f.s.RemoveMembership(f.sa, f.ws); return "" }, "service_account_not_workspace_member", false},
		{"service account archived", func(t *testing.T, f *consoleFixture) string { must(t, f.s.Archive(f.sa)); return "" }, "service_account_archived", false},
		{"rule archived", func(_ *testing.T, f *consoleFixture) string {
			f.ok("POST", "/v1/organizations/federation_rules/"+f.ruleID+"/archive", nil)
			return ""
		}, "rule_archived", false},
		{"issuer archived", func(t *testing.T, f *consoleFixture) string { must(t, f.s.Archive(f.issuer)); return "" }, "issuer_archived", false},
		{"org:admin rule, developer account", func(t *testing.T, f *consoleFixture) string {
			must(t, f.s.EditFederationRule(f.ruleID, func(r *emulator.FederationRule) { r.OAuthScope = "org:admin" }))
			return ""
		}, "service_account_role", false},
		{"legacy workspace skips membership", func(t *testing.T, f *consoleFixture) string {
			legacy := f.ws
			must(t, f.s.EditFederationRule(f.ruleID, func(r *emulator.FederationRule) { r.WorkspaceIDs, r.LegacyWorkspaceID = nil, &legacy }))
			f.s.RemoveMembership(f.sa, f.ws)
			return ""
		}, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newConsoleFixture(t, nil)
			ws := tc.edit(t, f)
			a := f.exchange(f.claimsFor(nil), ws)
			reason, detail := f.lastReason()
			if (a.status == 200) != tc.succeeded || reason != tc.reason {
				t.Fatalf("got %d, history %q %q; want reason %q", a.status, reason, detail, tc.reason)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestConsoleExchangeJTIAndScope(t *testing.T) {
	f := newConsoleFixture(t, nil)
	c := f.claimsFor(map[string]any{"jti": "once"})
	if a := f.exchange(c, ""); a.status != 200 {
		t.Fatalf("first use: %d %v", a.status, f.s.History())
	}
	if a := f.exchange(c, ""); a.status != 401 {
		t.Fatalf("replay accepted: %d", a.status)
	}
	if reason, _ := f.lastReason(); reason != "jti_reused" {
		t.Fatalf("history %v", f.s.History())
	}
	f.ok("POST", "/v1/organizations/federation_issuers/"+f.issuer, map[string]any{"check_jti": false})
	if a := f.exchange(c, ""); a.status != 200 {
		t.Fatalf("check_jti off: %d %v", a.status, f.s.History())
	}
	// A token minted through an org:admin rule (made in the Console) can call the management API.
	must(t, f.s.EditServiceAccount(f.sa, func(a *emulator.ServiceAccount) { a.OrganizationRole = "admin" }))
	must(t, f.s.EditFederationRule(f.ruleID, func(r *emulator.FederationRule) { r.OAuthScope = "org:admin" }))
	a := f.exchange(f.claimsFor(nil), "")
	if a.status != 200 {
		t.Fatalf("org:admin exchange: %d %v", a.status, f.s.History())
	}
	workload := &admin{t: t, s: f.s, token: a.AccessToken}
	workload.ok("GET", "/v1/organizations/me", nil)
	if r := workload.do("POST", "/v1/organizations/service_accounts", map[string]any{"name": "boss", "organization_role": "admin"}); r.status != 403 {
		t.Errorf("a federated token creating an admin account: %d %s", r.status, r.raw)
	}
}

func TestConsoleExchangeKeySources(t *testing.T) {
	f := newConsoleFixture(t, nil)
	f.s.AllowLoopbackURLs(true)
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/o/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": consoleIssuerURL, "jwks_uri": srv.URL + "/o/jwks/"})
		case "/o/jwks/":
			_ = json.NewEncoder(w).Encode(f.iss.JWKS())
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ca := string(certPEM(srv))
	issuer := "/v1/organizations/federation_issuers/" + f.issuer
	cases := []struct {
		name   string
		jwks   map[string]any
		reason string
	}{
		{"discovery", map[string]any{"type": "discovery", "discovery_base": srv.URL + "/o", "ca_cert_pem": ca}, ""},
		{"discovery without the CA", map[string]any{"type": "discovery", "discovery_base": srv.URL + "/o"}, "jwks_unavailable"},
		{"explicit url", map[string]any{"type": "explicit_url", "url": srv.URL + "/o/jwks/", "ca_cert_pem": ca}, ""},
		{"explicit url, no such path", map[string]any{"type": "explicit_url", "url": srv.URL + "/gone", "ca_cert_pem": ca}, "jwks_unavailable"},
		{"inline, other key", map[string]any{"type": "inline", "keys": otherKeys(t)}, "kid_not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.ok("POST", issuer, map[string]any{"jwks": tc.jwks})
			before := len(f.s.History())
			a := f.exchange(f.claimsFor(nil), "")
			reason, detail := f.lastReason()
			if len(f.s.History()) == before {
				reason = ""
			}
			if (a.status == 200) != (tc.reason == "") || reason != tc.reason {
				t.Fatalf("got %d, history %q %q; want %q", a.status, reason, detail, tc.reason)
			}
		})
	}
}

func otherKeys(t *testing.T) json.RawMessage {
	other, err := emulator.NewIssuer(consoleIssuerURL, "k2")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(other.JWKS().Keys)
	return b
}

func TestConfiguredRuleClaimsAndCondition(t *testing.T) {
	iss := newIssuer(t)
	r := baseRule(iss)
	r.SubjectPrefix, r.Claims, r.Condition = "", map[string]string{"env": "prod"}, `claims.n > 2`
	s := start(t, r)
	ok, _ := iss.Sign(map[string]any{"iss": issuerURL, "sub": "x", "aud": "aud", "iat": time.Now().Unix(), "exp": time.Now().Add(time.Minute).Unix(), "env": "prod", "n": 3})
	if a := post(t, s, "POST", "/v1/oauth/token", true, body(ok)); a.status != 200 {
		t.Fatalf("%d %v", a.status, s.Denials())
	}
	bad, _ := iss.Sign(map[string]any{"iss": issuerURL, "sub": "x", "aud": "aud", "iat": time.Now().Unix(), "exp": time.Now().Add(time.Minute).Unix(), "env": "prod", "n": 1})
	if a := post(t, s, "POST", "/v1/oauth/token", true, body(bad)); a.status != 401 || !strings.HasPrefix(s.Denials()[0], emulator.DenyCondition+":") {
		t.Fatalf("%d %v", a.status, s.Denials())
	}
	r.Condition = "true"
	if _, err := emulator.New(r); err == nil {
		t.Error("a constant-true condition was accepted in the configuration")
	}
}
