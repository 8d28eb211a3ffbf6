package testenv

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/wifwiz/wifwiz/anthropic/console"
	anthemu "github.com/wifwiz/wifwiz/anthropic/emulator"
	"github.com/wifwiz/wifwiz/wif"
)

// Anthropic runs the Anthropic emulator — its token exchange and its WIF management API — over
// TLS on loopback for the test. Issuers may name https URLs on loopback, as the authentik
// emulator's are.
func Anthropic(t testing.TB) *anthemu.Server {
	t.Helper()
	s, err := anthemu.NewTLS()
	if err != nil {
		t.Fatalf("start the Anthropic emulator: %v", err)
	}
	s.AllowLoopbackURLs(true)
	t.Cleanup(s.Close)
	return s
}

// ConsoleToken issues an OAuth access token with the org:admin scope, as `ant auth
// print-credentials --access-token` prints one.
func ConsoleToken(s *anthemu.Server) string {
	return s.IssueConsoleToken(anthemu.ConsoleToken{Scopes: []string{wif.ScopeOrgAdmin}})
}

// ConsoleClient is a management API client of s.
func ConsoleClient(t testing.TB, s *anthemu.Server, token string) *console.Client {
	t.Helper()
	c, err := console.New(token, console.Options{BaseURL: s.URL, CAPEM: s.CertPEM()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ConsoleSide creates, through the management API as an admin would in the Console, what conn
// needs: an issuer with conn's inline keys, a service account that is a member of a new
// workspace, and a rule on that workspace matching conn's subject and audience. The IDs are
// recorded on the returned connection, which points at s.
func ConsoleSide(t testing.TB, s *anthemu.Server, conn wif.Connection) wif.Connection {
	t.Helper()
	ctx := context.Background()
	c := ConsoleClient(t, s, ConsoleToken(s))
	var keys struct {
		Keys json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal([]byte(conn.InlineJWKS), &keys); err != nil {
		t.Fatalf("the connection's inline JWKS: %v", err)
	}
	iss, err := c.CreateIssuer(ctx, console.NewIssuer{Name: conn.RuleName + "-issuer", IssuerURL: conn.IssuerURL,
		JWKS: &wif.ConsoleJWKS{Type: wif.JWKSInline, Keys: keys.Keys}, MaxJWTLifetimeSeconds: int(conn.MaxIdentityTokenLifetime.Seconds())})
	if err != nil {
		t.Fatalf("create issuer: %v", err)
	}
	sa, err := c.CreateServiceAccount(ctx, console.NewServiceAccount{Name: conn.RuleName + "-sa"})
	if err != nil {
		t.Fatalf("create service account: %v", err)
	}
	ws := s.AddWorkspace(conn.RuleName)
	if _, err := c.AddMembership(ctx, sa.ID, ws.ID, wif.WorkspaceRoleDeveloper); err != nil {
		t.Fatalf("add membership: %v", err)
	}
	rule, err := c.CreateRule(ctx, console.NewRule{Name: conn.RuleName, IssuerID: iss.ID, ServiceAccountID: sa.ID,
		Match:      wif.RuleMatch{SubjectPrefix: conn.SubjectPrefix, Audience: conn.Audience, Claims: conn.Claims, Condition: conn.Condition},
		OAuthScope: conn.OAuthScope, TokenLifetimeSeconds: int(conn.TokenLifetime.Seconds()), WorkspaceID: ws.ID})
	if err != nil {
		t.Fatalf("create rule: %v", err)
	}
	conn.IssuerID, conn.ServiceAccountID, conn.FederationRuleID, conn.WorkspaceID = iss.ID, sa.ID, rule.ID, ws.ID
	conn.OrganizationID, conn.AnthropicBaseURL = s.OrganizationID(), s.URL
	return conn
}
