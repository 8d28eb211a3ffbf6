package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/anthropic/emulator"
)

// admin talks to the management API with raw HTTP and literal JSON, as the documentation shows it.
type admin struct {
	t     *testing.T
	s     *emulator.Server
	token string
}

type reply struct {
	status    int
	requestID string
	obj       map[string]any
	raw       string
}

func (r reply) errMessage() string {
	e, _ := r.obj["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

func (r reply) errType() string {
	e, _ := r.obj["error"].(map[string]any)
	m, _ := e["type"].(string)
	return m
}

func (r reply) str(k string) string { v, _ := r.obj[k].(string); return v }

func newAdmin(t *testing.T, s *emulator.Server) *admin {
	return &admin{t: t, s: s, token: s.IssueConsoleToken(emulator.ConsoleToken{Scopes: []string{"user:profile", "org:admin"}})}
}

func (a *admin) send(method, path string, body any, headers map[string]string) reply {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		if s, ok := body.(string); ok {
			b = []byte(s)
		}
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.s.URL+path, rd)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, requestID: resp.Header.Get("request-id"), raw: string(data)}
	if err := json.Unmarshal(data, &r.obj); err != nil {
		a.t.Fatalf("%s %s: answer %q is not a JSON object", method, path, data)
	}
	return r
}

func (a *admin) do(method, path string, body any) reply {
	a.t.Helper()
	return a.send(method, path, body, map[string]string{"anthropic-version": "2023-06-01", "authorization": "Bearer " + a.token, "content-type": "application/json"})
}

// ok performs a call that must succeed and returns its object.
func (a *admin) ok(method, path string, body any) reply {
	a.t.Helper()
	r := a.do(method, path, body)
	if r.status != 200 {
		a.t.Fatalf("%s %s: %d %s", method, path, r.status, r.raw)
	}
	return r
}

const consoleIssuerURL = "https://auth.example.com/application/o/ci/"

// fixture creates a workspace, a service account that is a member of it, an inline-key issuer
// and a rule, all through the API.
type consoleFixture struct {
	*admin
	iss                    *emulator.Issuer
	ws, sa, issuer, ruleID string
}

func newConsoleFixture(t *testing.T, match map[string]any) *consoleFixture {
	t.Helper()
	s := start(t)
	f := &consoleFixture{admin: newAdmin(t, s)}
	var err error
	if f.iss, err = emulator.NewIssuer(consoleIssuerURL, "k1"); err != nil {
		t.Fatal(err)
	}
	f.ws = s.AddWorkspace("ci").ID
	f.sa = f.ok("POST", "/v1/organizations/service_accounts", map[string]any{"name": "ci-worker"}).str("id")
	f.ok("POST", "/v1/organizations/service_accounts/"+f.sa+"/workspaces", map[string]any{"workspace_id": f.ws, "workspace_role": "workspace_developer"})
	keys, _ := json.Marshal(f.iss.JWKS().Keys)
	f.issuer = f.ok("POST", "/v1/organizations/federation_issuers", map[string]any{
		"name": "authentik-ci", "issuer_url": consoleIssuerURL, "jwks": map[string]any{"type": "inline", "keys": json.RawMessage(keys)},
	}).str("id")
	if match == nil {
		match = map[string]any{"subject_prefix": "ak-ci-*", "audience": "client-1"}
	}
	f.ruleID = f.ok("POST", "/v1/organizations/federation_rules", map[string]any{
		"name": "ci", "issuer_id": f.issuer, "match": match, "workspace_id": f.ws, "oauth_scope": "workspace:inference",
		"target": map[string]any{"type": "service_account", "service_account_id": f.sa}, "token_lifetime_seconds": 600,
	}).str("id")
	return f
}

func TestConsoleAuth(t *testing.T) {
	s := start(t)
	a := newAdmin(t, s)
	me := a.ok("GET", "/v1/organizations/me", nil)
	if me.str("id") != s.OrganizationID() || me.str("type") != "organization" || !strings.HasPrefix(me.requestID, "req_") {
		t.Fatalf("me = %s, request-id %q", me.raw, me.requestID)
	}
	noScope := s.IssueConsoleToken(emulator.ConsoleToken{Scopes: []string{"user:inference"}})
	expired := s.IssueConsoleToken(emulator.ConsoleToken{Scopes: []string{"org:admin"}, ExpiresAt: time.Now().Add(-time.Second)})
	v := "2023-06-01"
	cases := []struct {
		name    string
		headers map[string]string
		status  int
		errType string
		msg     string
	}{
		{"no version", map[string]string{"authorization": "Bearer " + a.token}, 400, "invalid_request_error", "anthropic-version: header is required"},
		{"no token", map[string]string{"anthropic-version": v}, 401, "authentication_error", "authorization:"},
		{"admin key", map[string]string{"anthropic-version": v, "x-api-key": "sk-ant-admin01-abc"}, 401, "authentication_error", "Admin API keys are not accepted"},
		{"unknown token", map[string]string{"anthropic-version": v, "authorization": "Bearer sk-ant-oat01-nope"}, 401, "authentication_error", "Invalid bearer token"},
		{"expired", map[string]string{"anthropic-version": v, "authorization": "Bearer " + expired}, 401, "authentication_error", "OAuth token has expired"},
		{"no org:admin", map[string]string{"anthropic-version": v, "authorization": "Bearer " + noScope}, 403, "permission_error", "scope requirement org:admin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := a.send("GET", "/v1/organizations/service_accounts", nil, tc.headers)
			if r.status != tc.status || r.errType() != tc.errType || !strings.Contains(r.errMessage(), tc.msg) || r.str("request_id") != r.requestID {
				t.Fatalf("got %d %s", r.status, r.raw)
			}
		})
	}
	if r := a.do("GET", "/v1/organizations/nothing", nil); r.status != 404 || r.errType() != "not_found_error" {
		t.Errorf("unknown path: %d %s", r.status, r.raw)
	}
	if r := a.do("GET", "/v1/organizations/service_accounts?beta=true", nil); r.status != 200 {
		t.Errorf("?beta=true is tolerated: %d %s", r.status, r.raw)
	}
}

func TestConsoleValidation(t *testing.T) {
	f := newConsoleFixture(t, nil)
	target := map[string]any{"type": "service_account", "service_account_id": f.sa}
	rule := func(edit func(map[string]any)) map[string]any {
		b := map[string]any{"name": "r2", "issuer_id": f.issuer, "match": map[string]any{"subject_prefix": "x"}, "target": target, "oauth_scope": "workspace:developer", "workspace_id": f.ws}
		edit(b)
		return b
	}
	issuer := func(url string, jwks map[string]any) map[string]any {
		b := map[string]any{"name": "i2", "issuer_url": url}
		if jwks != nil {
			b["jwks"] = jwks
		}
		return b
	}
	const (
		sas     = "/v1/organizations/service_accounts"
		issuers = "/v1/organizations/federation_issuers"
		rules   = "/v1/organizations/federation_rules"
	)
	cases := []struct {
		name   string
		path   string
		body   any
		status int
		msg    string
	}{
		{"sa name upper", sas, map[string]any{"name": "CI"}, 400, "name: must contain only lowercase"},
		{"sa name missing", sas, map[string]any{}, 400, "name: Field required"},
		{"sa role", sas, map[string]any{"name": "x", "organization_role": "owner"}, 400, "organization_role:"},
		{"sa unknown field", sas, map[string]any{"name": "x", "email": "a@b"}, 400, "email: Extra inputs are not permitted"},
		{"sa name taken", sas, map[string]any{"name": "ci-worker"}, 409, `name: a service account named "ci-worker" already exists`},
		{"not json", sas, "name=x", 400, "request body:"},
		{"issuer http", issuers, issuer("http://auth.example.com/o/", nil), 400, "issuer_url: url must use https scheme"},
		{"issuer port", issuers, issuer("https://auth.example.com:8443/o/", nil), 400, "issuer_url: url must use port 443"},
		{"issuer ip", issuers, issuer("https://10.0.0.5/o/", nil), 400, "issuer_url: url must use a DNS hostname"},
		{"discovery base", issuers, issuer("https://auth.example.com/o/", map[string]any{"type": "discovery", "discovery_base": "https://127.0.0.1"}), 400, "jwks.discovery_base:"},
		{"explicit url", issuers, issuer("https://auth.example.com/o/", map[string]any{"type": "explicit_url", "url": "http://auth.example.com/jwks"}), 400, "jwks.url: url must use https"},
		{"explicit url missing", issuers, issuer("https://auth.example.com/o/", map[string]any{"type": "explicit_url"}), 400, "jwks.url: Field required"},
		{"jwks type", issuers, issuer("https://auth.example.com/o/", map[string]any{"type": "file"}), 400, "jwks.type:"},
		{"inline empty", issuers, issuer("https://auth.example.com/o/", map[string]any{"type": "inline", "keys": []any{}}), 400, "jwks.keys: List should have at least 1 item"},
		{"inline symmetric", issuers, issuer("https://auth.example.com/o/", map[string]any{"type": "inline", "keys": []any{map[string]any{"kty": "oct", "k": "c2VjcmV0"}}}), 400, "jwks.keys.0:"},
		{"ca pem", issuers, issuer("https://auth.example.com/o/", map[string]any{"type": "discovery", "ca_cert_pem": "not a pem"}), 400, "jwks.ca_cert_pem:"},
		{"max lifetime", issuers, map[string]any{"name": "i2", "issuer_url": "https://auth.example.com/o/", "max_jwt_lifetime_seconds": 176401}, 400, "max_jwt_lifetime_seconds: must be between 1 and 176400"},
		{"issuer url taken", issuers, issuer(consoleIssuerURL, map[string]any{"type": "inline", "keys": []any{}}), 400, "jwks.keys"},
		{"issuer url dup", issuers, map[string]any{"name": "i3", "issuer_url": consoleIssuerURL, "jwks": map[string]any{"type": "explicit_url", "url": "https://auth.example.com/jwks"}}, 409, "issuer_url:"},
		{"audience alone", rules, rule(func(b map[string]any) { b["match"] = map[string]any{"audience": "a"} }), 400, "match: at least one of subject_prefix, claims or condition"},
		{"star", rules, rule(func(b map[string]any) { b["match"] = map[string]any{"subject_prefix": "*"} }), 400, "match.subject_prefix:"},
		{"constant true", rules, rule(func(b map[string]any) { b["match"] = map[string]any{"condition": "true || claims.x == 'y'"} }), 400, "match.condition: expression is always true"},
		{"condition type", rules, rule(func(b map[string]any) { b["match"] = map[string]any{"condition": "claims.sub"} }), 400, "match.condition: expression must evaluate to bool"},
		{"condition syntax", rules, rule(func(b map[string]any) { b["match"] = map[string]any{"condition": "claims.sub =="} }), 400, "match.condition: invalid CEL"},
		{"claims type", rules, rule(func(b map[string]any) { b["match"] = map[string]any{"claims": map[string]any{"n": 1}} }), 400, "match.claims:"},
		{"lifetime", rules, rule(func(b map[string]any) { b["token_lifetime_seconds"] = 59 }), 400, "token_lifetime_seconds: must be between 60 and 86400"},
		{"attributes", rules, rule(func(b map[string]any) { b["attributes"] = map[string]any{"a": "b"} }), 400, "attributes: not yet supported"},
		{"no workspace", rules, rule(func(b map[string]any) { delete(b, "workspace_id") }), 400, "workspace_id: Field required unless applies_to_all_workspaces"},
		{"unknown workspace", rules, rule(func(b map[string]any) { b["workspace_id"] = "wrkspc_nope" }), 400, "workspace_id: workspace wrkspc_nope not found"},
		{"unknown issuer", rules, rule(func(b map[string]any) { b["issuer_id"] = "fdis_nope" }), 400, "issuer_id:"},
		{"unknown sa", rules, rule(func(b map[string]any) {
			b["target"] = map[string]any{"type": "service_account", "service_account_id": "svac_nope"}
		}), 400, "target.service_account_id:"},
		{"scope unknown", rules, rule(func(b map[string]any) { b["oauth_scope"] = "everything" }), 400, "oauth_scope: unknown scope"},
		{"scope org admin", rules, rule(func(b map[string]any) { b["oauth_scope"] = "org:admin" }), 403, "oauth_scope: rules granting org:admin"},
		{"rule name taken", rules, rule(func(b map[string]any) { b["name"] = "ci" }), 409, `name: a federation rule named "ci"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do("POST", tc.path, tc.body)
			if r.status != tc.status || !strings.HasPrefix(r.errMessage(), tc.msg) {
				t.Fatalf("got %d %s; want %d %q", r.status, r.raw, tc.status, tc.msg)
			}
		})
	}
	// issuer_url is only string-compared when Anthropic does not dial it.
	f.ok("POST", issuers, map[string]any{"name": "internal", "issuer_url": "http://10.0.0.5:9000/o/", "jwks": map[string]any{"type": "discovery", "discovery_base": "https://auth.example.com/o"}})
}

func TestConsoleArchiveAndUpdate(t *testing.T) {
	f := newConsoleFixture(t, nil)
	sa, issuer, rule := "/v1/organizations/service_accounts/"+f.sa, "/v1/organizations/federation_issuers/"+f.issuer, "/v1/organizations/federation_rules/"+f.ruleID
	for _, path := range []string{sa, issuer} {
		if r := f.do("POST", path+"/archive", nil); r.status != 400 || !strings.Contains(r.errMessage(), f.ruleID) {
			t.Fatalf("archiving %s under a live rule: %d %s", path, r.status, r.raw)
		}
	}
	if r := f.do("POST", sa, map[string]any{"name": "renamed"}); r.status != 400 || !strings.HasPrefix(r.errMessage(), "name: cannot be changed") {
		t.Errorf("renaming a service account: %d %s", r.status, r.raw)
	}
	up := f.ok("POST", rule, map[string]any{"match": map[string]any{"claims": map[string]any{"env": "prod"}}, "token_lifetime_seconds": 900})
	if m := up.obj["match"].(map[string]any); m["subject_prefix"] != nil || up.obj["token_lifetime_seconds"].(float64) != 900 {
		t.Errorf("match is replaced as a whole: %s", up.raw)
	}
	if r := f.do("POST", rule, map[string]any{"issuer_id": "fdis_other"}); r.status != 400 || !strings.HasPrefix(r.errMessage(), "issuer_id: cannot be changed") {
		t.Errorf("changing issuer_id: %d %s", r.status, r.raw)
	}
	first := f.ok("POST", rule+"/archive", nil)
	again := f.ok("POST", rule+"/archive", nil)
	if first.str("archived_at") == "" || first.str("archived_at") != again.str("archived_at") || len(first.obj["workspace_ids"].([]any)) != 0 {
		t.Errorf("archive is idempotent and empties the workspaces: %s / %s", first.raw, again.raw)
	}
	if r := f.do("POST", rule, map[string]any{"token_lifetime_seconds": 700}); r.status != 400 || !strings.Contains(r.errMessage(), "archived") {
		t.Errorf("updating an archived rule: %d %s", r.status, r.raw)
	}
	f.ok("POST", sa+"/archive", nil)
	f.ok("POST", issuer+"/archive", nil)
	if r := f.do("GET", "/v1/organizations/federation_rules/fdrl_nope", nil); r.status != 404 || r.errType() != "not_found_error" {
		t.Errorf("unknown rule: %d %s", r.status, r.raw)
	}
	// The name of an archived object is free again, and a new issuer may take the URL.
	f.ok("POST", "/v1/organizations/service_accounts", map[string]any{"name": "ci-worker"})
	f.ok("POST", "/v1/organizations/federation_issuers", map[string]any{"name": "authentik-ci", "issuer_url": consoleIssuerURL, "jwks": map[string]any{"type": "explicit_url", "url": "https://auth.example.com/jwks/"}})
	live := f.ok("GET", "/v1/organizations/federation_rules", nil)
	all := f.ok("GET", "/v1/organizations/federation_rules?include_archived=true", nil)
	if len(live.obj["data"].([]any)) != 0 || len(all.obj["data"].([]any)) != 1 {
		t.Errorf("include_archived: %s / %s", live.raw, all.raw)
	}
}

func TestConsolePagination(t *testing.T) {
	s := start(t)
	a := newAdmin(t, s)
	for i := range 45 {
		a.ok("POST", "/v1/organizations/service_accounts", map[string]any{"name": fmt.Sprintf("sa-%02d", i)})
	}
	var names []string
	path := "/v1/organizations/service_accounts?limit=20"
	for pages := 0; ; pages++ {
		r := a.ok("GET", path, nil)
		for _, d := range r.obj["data"].([]any) {
			names = append(names, d.(map[string]any)["name"].(string))
		}
		next, _ := r.obj["next_page"].(string)
		if next == "" {
			if pages != 2 {
				t.Fatalf("%d pages, want 3", pages+1)
			}
			break
		}
		path = "/v1/organizations/service_accounts?limit=20&page=" + next
	}
	if len(names) != 45 || names[0] != "sa-44" || names[44] != "sa-00" {
		t.Fatalf("newest first, each once: %v", names)
	}
	for _, q := range []string{"limit=0", "limit=101", "page=garbage", "include_archived=yes"} {
		if r := a.do("GET", "/v1/organizations/service_accounts?"+q, nil); r.status != 400 {
			t.Errorf("%s: %d", q, r.status)
		}
	}
	for i := range 3 {
		s.AddWorkspace(fmt.Sprintf("ws-%d", i))
	}
	p1 := a.ok("GET", "/v1/organizations/workspaces?limit=2", nil)
	p2 := a.ok("GET", "/v1/organizations/workspaces?limit=2&after_id="+p1.str("last_id"), nil)
	if p1.obj["has_more"] != true || len(p1.obj["data"].([]any)) != 2 || p2.obj["has_more"] != false || len(p2.obj["data"].([]any)) != 1 {
		t.Errorf("workspaces: %s / %s", p1.raw, p2.raw)
	}
}

func TestConsoleMembershipsAndRuleWorkspaces(t *testing.T) {
	f := newConsoleFixture(t, nil)
	members := "/v1/organizations/service_accounts/" + f.sa + "/workspaces"
	list := f.ok("GET", members, nil).obj["data"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["implicit"] != true || list[1].(map[string]any)["workspace_id"] != f.ws {
		t.Fatalf("memberships: %v", list)
	}
	if r := f.do("POST", members, map[string]any{"workspace_id": f.ws, "workspace_role": "workspace_developer"}); r.status != 409 {
		t.Errorf("second membership: %d %s", r.status, r.raw)
	}
	if r := f.do("POST", members, map[string]any{"workspace_id": f.ws, "workspace_role": "workspace_billing"}); r.status != 400 || !strings.HasPrefix(r.errMessage(), "workspace_role:") {
		t.Errorf("billing role: %d %s", r.status, r.raw)
	}
	if r := f.do("DELETE", members+"/default", nil); r.status != 400 {
		t.Errorf("removing the implicit membership: %d %s", r.status, r.raw)
	}
	f.ok("DELETE", members+"/"+f.ws, nil)
	f.ok("DELETE", members+"/"+f.ws, nil)
	if n := len(f.ok("GET", members, nil).obj["data"].([]any)); n != 1 {
		t.Errorf("after removal: %d memberships", n)
	}

	ws2 := f.s.AddWorkspace("second").ID
	rws := "/v1/organizations/federation_rules/" + f.ruleID + "/workspaces"
	if r := f.ok("POST", rws, map[string]any{"workspace_id": ws2}); r.str("type") != "federation_rule_workspace" {
		t.Errorf("enable: %s", r.raw)
	}
	l := f.ok("GET", rws+"?limit=1", nil)
	if len(l.obj["data"].([]any)) != 2 || l.obj["next_page"] != nil {
		t.Errorf("rule workspaces come in one page: %s", l.raw)
	}
	if r := f.do("POST", "/v1/organizations/federation_rules/"+f.ruleID, map[string]any{"workspace_id": ws2}); r.status != 400 || !strings.HasPrefix(r.errMessage(), "workspace_id: the rule is enabled in 2") {
		t.Errorf("workspace_id on a rule in two workspaces: %d %s", r.status, r.raw)
	}
	if r := f.ok("DELETE", rws+"/"+ws2, nil); r.str("type") != "federation_rule_workspace_deleted" {
		t.Errorf("disable: %s", r.raw)
	}
	f.ok("DELETE", rws+"/"+ws2, nil)
}

func TestConsoleOAuthCallerLimits(t *testing.T) {
	f := newConsoleFixture(t, nil)
	if err := f.s.EditFederationRule(f.ruleID, func(r *emulator.FederationRule) { r.OAuthScope = "org:admin" }); err != nil {
		t.Fatal(err)
	}
	rule := "/v1/organizations/federation_rules/" + f.ruleID
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"POST", rule, map[string]any{"token_lifetime_seconds": 700}},
		{"POST", rule + "/archive", nil},
		{"POST", rule + "/workspaces", map[string]any{"workspace_id": f.ws}},
		{"DELETE", rule + "/workspaces/" + f.ws, nil},
		{"POST", "/v1/organizations/federation_issuers/" + f.issuer, map[string]any{"check_jti": false}},
	} {
		if r := f.do(c.method, c.path, c.body); r.status != 403 || r.errType() != "permission_error" {
			t.Errorf("%s %s on an org:admin rule: %d %s", c.method, c.path, r.status, r.raw)
		}
	}
	fed := &admin{t: t, s: f.s, token: f.s.IssueConsoleToken(emulator.ConsoleToken{Scopes: []string{"org:admin"}, Federated: true})}
	if r := fed.do("POST", "/v1/organizations/service_accounts", map[string]any{"name": "boss", "organization_role": "admin"}); r.status != 403 {
		t.Errorf("a federated caller creating an admin account: %d %s", r.status, r.raw)
	}
	fed.ok("POST", "/v1/organizations/service_accounts", map[string]any{"name": "helper"})
}
