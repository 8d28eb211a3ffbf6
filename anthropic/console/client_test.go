package console_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/anthropic/console"
	"github.com/wifwiz/wifwiz/anthropic/emulator"
	"github.com/wifwiz/wifwiz/wif"
)

const issuerURL = "https://auth.example.com/application/o/ci/"

// startEmulator runs the Anthropic emulator over TLS on 127.0.0.1.
func startEmulator(t *testing.T) *emulator.Server {
	t.Helper()
	s, err := emulator.NewTLS()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func client(t *testing.T, s *emulator.Server, token string, o console.Options) *console.Client {
	t.Helper()
	o.BaseURL, o.CAPEM = s.URL, s.CertPEM()
	c, err := console.New(token, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func adminToken(s *emulator.Server) string {
	return s.IssueConsoleToken(emulator.ConsoleToken{Scopes: []string{"org:admin"}})
}

func TestNewRefusesWhatIsNotAnOAuthToken(t *testing.T) {
	s := startEmulator(t)
	cases := []struct {
		token string
		want  error
		msg   string
	}{
		{"sk-ant-admin01-abcdef", console.ErrAdminKey, "Admin API key (sk-ant-admin…) is not accepted"},
		{"sk-ant-api03-abcdef", console.ErrAPIKey, "API key (sk-ant-api…) is not a Console token"},
		{"  ", console.ErrNoToken, "No Console token"},
		{"sk-ant-oat01-abc def", console.ErrMalformedToken, "whitespace"},
	}
	for _, tc := range cases {
		_, err := console.New(tc.token, console.Options{BaseURL: s.URL, CAPEM: s.CertPEM()})
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), "ant auth print-credentials --access-token") {
			t.Errorf("New(%q) = %v", tc.token, err)
		}
		if strings.Contains(err.Error(), "abcdef") {
			t.Errorf("the key is in the error: %v", err)
		}
	}
	if n := s.Stats().Requests; n != 0 {
		t.Errorf("%d requests were sent for refused tokens", n)
	}
	if _, err := console.New("sk-ant-oat01-x", console.Options{BaseURL: "http://example.com"}); err == nil {
		t.Error("plain http to a non-loopback host was accepted")
	}
}

func TestTokenNeverShown(t *testing.T) {
	s := startEmulator(t)
	token := adminToken(s)
	c := client(t, s, token, console.Options{})
	for _, out := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), c.String()} {
		if strings.Contains(out, token) || !strings.Contains(out, s.URL) {
			t.Errorf("client printed as %q", out)
		}
	}
	_, err := c.Rule(context.Background(), "fdrl_nope")
	if err == nil || strings.Contains(err.Error(), token) {
		t.Errorf("error %v", err)
	}
}

func TestErrorsExplained(t *testing.T) {
	s := startEmulator(t)
	ctx := context.Background()
	admin := client(t, s, adminToken(s), console.Options{})
	ws := s.AddWorkspace("ci")
	sa, err := admin.CreateServiceAccount(ctx, console.NewServiceAccount{Name: "ci-worker"})
	if err != nil {
		t.Fatal(err)
	}
	iss, err := admin.CreateIssuer(ctx, console.NewIssuer{Name: "authentik", IssuerURL: issuerURL,
		JWKS: &wif.ConsoleJWKS{Type: wif.JWKSExplicitURL, URL: "https://auth.example.com/jwks/"}})
	if err != nil {
		t.Fatal(err)
	}
	rule, err := admin.CreateRule(ctx, console.NewRule{Name: "ci", IssuerID: iss.ID, Match: wif.RuleMatch{SubjectPrefix: "ak-ci"},
		ServiceAccountID: sa.ID, OAuthScope: wif.ScopeWorkspaceInference, WorkspaceID: ws.ID})
	if err != nil {
		t.Fatal(err)
	}
	expired := client(t, s, s.IssueConsoleToken(emulator.ConsoleToken{Scopes: []string{"org:admin"}, ExpiresAt: time.Now().Add(-time.Minute)}), console.Options{})
	noScope := client(t, s, s.IssueConsoleToken(emulator.ConsoleToken{Scopes: []string{"user:inference"}}), console.Options{})
	federated := client(t, s, s.IssueConsoleToken(emulator.ConsoleToken{Scopes: []string{"org:admin"}, Federated: true}), console.Options{})

	cases := []struct {
		name  string
		call  func() error
		want  error
		parts []string
		check func(*console.Error) bool
	}{
		{"expired", func() error { _, err := expired.Organization(ctx); return err }, console.ErrUnauthorized,
			[]string{"expired or is not valid", "ant auth print-credentials --access-token", "HTTP 401 authentication_error"}, nil},
		{"no org:admin", func() error { _, err := noScope.ServiceAccounts(ctx, console.ListOptions{}); return err }, console.ErrForbidden,
			[]string{"lacks the org:admin scope", `ant auth login --scope "org:admin"`}, nil},
		{"invalid field", func() error {
			_, err := admin.UpdateRule(ctx, rule.ID, console.RuleUpdate{Match: &wif.RuleMatch{Condition: "true"}})
			return err
		}, console.ErrInvalid, []string{"refused the field match.condition", "always true"},
			func(e *console.Error) bool { return e.Field == "match.condition" }},
		{"not found", func() error { _, err := admin.Issuer(ctx, "fdis_nope"); return err }, console.ErrNotFound,
			[]string{"GET /v1/organizations/federation_issuers/fdis_nope", "Not found in this organization"}, nil},
		{"name taken", func() error {
			_, err := admin.CreateServiceAccount(ctx, console.NewServiceAccount{Name: "ci-worker"})
			return err
		},
			console.ErrConflict, []string{`The name "ci-worker" is already taken`}, func(e *console.Error) bool { return e.Name == "ci-worker" && e.Field == "name" }},
		{"issuer URL taken", func() error {
			_, err := admin.CreateIssuer(ctx, console.NewIssuer{Name: "other", IssuerURL: issuerURL, JWKS: &wif.ConsoleJWKS{Type: wif.JWKSExplicitURL, URL: "https://a.example.com/j"}})
			return err
		}, console.ErrConflict, []string{"issuer_url"}, func(e *console.Error) bool { return e.Field == "issuer_url" }},
		{"org:admin rule", func() error {
			_, err := admin.CreateRule(ctx, console.NewRule{Name: "boot", IssuerID: iss.ID, Match: wif.RuleMatch{SubjectPrefix: "x"}, ServiceAccountID: sa.ID, OAuthScope: wif.ScopeOrgAdmin, WorkspaceID: ws.ID})
			return err
		}, console.ErrConsoleSession, []string{"Only a Console session"}, nil},
		{"admin account from a workload", func() error {
			_, err := federated.CreateServiceAccount(ctx, console.NewServiceAccount{Name: "boss", OrganizationRole: wif.RoleAdmin})
			return err
		}, console.ErrInteractive, []string{"person's credential"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var e *console.Error
			if !errors.Is(err, tc.want) || !errors.As(err, &e) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			for _, p := range tc.parts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("%q does not say %q", err, p)
				}
			}
			if e.RequestID == "" || !strings.Contains(err.Error(), "request-id "+e.RequestID) {
				t.Errorf("no request id in %v", err)
			}
			if tc.check != nil && !tc.check(e) {
				t.Errorf("fields %+v", e)
			}
		})
	}
	// The existing object behind a 409 can be found.
	if got, ok, err := admin.ServiceAccountByName(ctx, "ci-worker"); err != nil || !ok || got.ID != sa.ID {
		t.Errorf("by name: %+v %v %v", got, ok, err)
	}
	if got, ok, err := admin.IssuerByURL(ctx, issuerURL); err != nil || !ok || got.ID != iss.ID {
		t.Errorf("by URL: %+v %v %v", got, ok, err)
	}
	// A rule the Console gave the org:admin scope cannot be changed with an OAuth token.
	if err := s.EditFederationRule(rule.ID, func(r *emulator.FederationRule) { r.OAuthScope = "org:admin" }); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ArchiveRule(ctx, rule.ID); !errors.Is(err, console.ErrConsoleSession) {
		t.Errorf("archiving an org:admin rule: %v", err)
	}
	if _, err := admin.UpdateIssuer(ctx, iss.ID, console.IssuerUpdate{CheckJTI: ptr(false)}); !errors.Is(err, console.ErrConsoleSession) {
		t.Errorf("updating the issuer of an org:admin rule: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestLifecycle(t *testing.T) {
	s := startEmulator(t)
	ctx := context.Background()
	c := client(t, s, adminToken(s), console.Options{Beta: true})
	org, err := c.Organization(ctx)
	if err != nil || org.ID != s.OrganizationID() {
		t.Fatalf("organization %+v %v", org, err)
	}
	ws, ws2 := s.AddWorkspace("ci"), s.AddWorkspace("batch")

	sa, err := c.CreateServiceAccount(ctx, console.NewServiceAccount{Name: "ci-worker", Description: "authentik CI"})
	if err != nil || sa.OrganizationRole != wif.RoleDeveloper || sa.Description != "authentik CI" {
		t.Fatalf("create SA: %+v %v", sa, err)
	}
	sa, err = c.UpdateServiceAccount(ctx, sa.ID, console.ServiceAccountUpdate{Description: ptr("")})
	if err != nil || sa.Description != "" || sa.Name != "ci-worker" {
		t.Fatalf("update SA: %+v %v", sa, err)
	}
	if _, err := c.AddMembership(ctx, sa.ID, ws.ID, wif.WorkspaceRoleDeveloper); err != nil {
		t.Fatal(err)
	}
	ms, err := c.Memberships(ctx, sa.ID)
	if err != nil || len(ms) != 2 || !ms[0].Implicit || !wif.IsMember(ms, ws.ID) || wif.IsMember(ms, ws2.ID) {
		t.Fatalf("memberships %+v %v", ms, err)
	}

	keys, _ := json.Marshal([]map[string]string{{"kty": "EC", "crv": "P-256", "kid": "k1", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}})
	iss, err := c.CreateIssuer(ctx, console.NewIssuer{Name: "authentik-ci", IssuerURL: issuerURL, JWKS: &wif.ConsoleJWKS{Type: wif.JWKSInline, Keys: keys}, MaxJWTLifetimeSeconds: 600})
	if err != nil || !iss.CheckJTI || iss.MaxJWTLifetimeSeconds != 600 || iss.JWKS.Type != wif.JWKSInline || !strings.Contains(string(iss.JWKS.Keys), `"k1"`) {
		t.Fatalf("create issuer %+v %v", iss, err)
	}
	iss, err = c.UpdateIssuer(ctx, iss.ID, console.IssuerUpdate{CheckJTI: ptr(false), ReenablePolling: true})
	if err != nil || iss.CheckJTI {
		t.Fatalf("update issuer %+v %v", iss, err)
	}

	match := wif.RuleMatch{SubjectPrefix: "ak-ci-*", Audience: "client-1", Claims: map[string]string{"env": "prod"}, Condition: `claims.ctx.team == "infra"`}
	rule, err := c.CreateRule(ctx, console.NewRule{Name: "ci", IssuerID: iss.ID, Match: match, ServiceAccountID: sa.ID, OAuthScope: wif.ScopeWorkspaceInference, TokenLifetimeSeconds: 900, WorkspaceID: ws.ID})
	if err != nil || rule.Match.Condition != match.Condition || rule.Match.Claims["env"] != "prod" || rule.Target.ServiceAccountName != "ci-worker" ||
		rule.IssuerName != "authentik-ci" || !rule.EnabledIn(ws.ID) || rule.WorkspaceRequired() || rule.TokenLifetimeSeconds != 900 {
		t.Fatalf("create rule %+v %v", rule, err)
	}
	rule, err = c.UpdateRule(ctx, rule.ID, console.RuleUpdate{TokenLifetimeSeconds: ptr(1200), Match: &wif.RuleMatch{SubjectPrefix: "ak-ci-client_credentials"}})
	if err != nil || rule.TokenLifetimeSeconds != 1200 || rule.Match.Condition != "" || rule.Match.SubjectPrefix != "ak-ci-client_credentials" {
		t.Fatalf("update rule %+v %v", rule, err)
	}
	if _, err := c.EnableRuleInWorkspace(ctx, rule.ID, ws2.ID); err != nil {
		t.Fatal(err)
	}
	rws, err := c.RuleWorkspaces(ctx, rule.ID)
	if err != nil || len(rws) != 2 {
		t.Fatalf("rule workspaces %+v %v", rws, err)
	}
	if rule, _ = c.Rule(ctx, rule.ID); !rule.WorkspaceRequired() {
		t.Errorf("a rule in two workspaces needs the workspace named: %+v", rule)
	}
	if err := c.DisableRuleInWorkspace(ctx, rule.ID, ws2.ID); err != nil {
		t.Fatal(err)
	}
	if byIssuer, err := c.Rules(ctx, console.RuleListOptions{IssuerID: iss.ID}); err != nil || len(byIssuer) != 1 {
		t.Fatalf("rules of the issuer: %v %v", byIssuer, err)
	}

	if _, err := c.ArchiveServiceAccount(ctx, sa.ID); !errors.Is(err, console.ErrInvalid) || !strings.Contains(err.Error(), rule.ID) {
		t.Fatalf("archiving the target of a live rule: %v", err)
	}
	archived, err := c.ArchiveRule(ctx, rule.ID)
	if err != nil || !archived.Archived() || len(archived.Workspaces()) != 0 {
		t.Fatalf("archive rule %+v %v", archived, err)
	}
	for _, archive := range []func() error{
		func() error { _, err := c.ArchiveServiceAccount(ctx, sa.ID); return err },
		func() error { _, err := c.ArchiveIssuer(ctx, iss.ID); return err },
	} {
		if err := archive(); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, _ := c.RuleByName(ctx, "ci"); ok {
		t.Error("an archived rule is found by name")
	}
	all, err := c.Rules(ctx, console.RuleListOptions{IncludeArchived: true})
	if err != nil || len(all) != 1 || !all[0].Archived() {
		t.Errorf("with archived: %+v %v", all, err)
	}
	if err := c.RemoveMembership(ctx, sa.ID, ws.ID); err != nil {
		t.Fatal(err)
	}
}

func TestPagination(t *testing.T) {
	s := startEmulator(t)
	ctx := context.Background()
	token := adminToken(s)
	c := client(t, s, token, console.Options{})
	for i := range 230 {
		if _, err := c.CreateServiceAccount(ctx, console.NewServiceAccount{Name: fmt.Sprintf("sa-%03d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 150 {
		s.AddWorkspace(fmt.Sprintf("ws-%03d", i))
	}
	before := s.Stats().Requests
	all, err := c.ServiceAccounts(ctx, console.ListOptions{})
	if err != nil || len(all) != 230 || all[0].Name != "sa-229" || all[229].Name != "sa-000" {
		t.Fatalf("%d accounts, %v", len(all), err)
	}
	if n := s.Stats().Requests - before; n != 3 {
		t.Errorf("%d requests for 230 accounts, want 3 pages of 100", n)
	}
	seen := map[string]bool{}
	wss, err := c.Workspaces(ctx, console.ListOptions{})
	for _, w := range wss {
		seen[w.ID] = true
	}
	if err != nil || len(wss) != 150 || len(seen) != 150 {
		t.Fatalf("%d workspaces (%d distinct), %v", len(wss), len(seen), err)
	}
	bounded := client(t, s, token, console.Options{MaxPages: 2})
	if _, err := bounded.ServiceAccounts(ctx, console.ListOptions{}); err == nil || !strings.Contains(err.Error(), "more than 2 pages") {
		t.Errorf("a list beyond MaxPages: %v", err)
	}
}
