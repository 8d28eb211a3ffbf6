package wif

import (
	"testing"
	"time"
)

// TestSuggestedLifetimes: pre-filled lifetimes fit the observed token, so the report does not
// fail (or warn about) a value wifwiz itself suggested.
func TestSuggestedLifetimes(t *testing.T) {
	cases := []struct {
		name                  string
		lifetime, validity    time.Duration
		wantMax, wantRuleLife time.Duration
	}{
		{"authentik's hour, one second short", 3599 * time.Second, time.Hour, time.Hour, time.Hour},
		{"two hours", 2 * time.Hour, 2 * time.Hour, 2 * time.Hour, time.Hour},
		// Twice the validity left a minute after issue: a rule asking for all of 2 × 300 s would
		// be warned about by the next verification, seconds after the token was issued.
		{"five minutes", 5 * time.Minute, 5 * time.Minute, 5 * time.Minute, 8 * time.Minute},
		{"five minutes, one second short", 299 * time.Second, 5 * time.Minute, 5 * time.Minute, 7 * time.Minute},
		{"validity unknown", 1800 * time.Second, 0, 1800 * time.Second, 58 * time.Minute},
		{"shorter than the slack", 30 * time.Second, 0, 30 * time.Second, MinTokenLifetime},
		{"beyond the Console's maximum", 60 * time.Hour, 0, MaxMaxIdentityTokenLifetime, time.Hour},
	}
	for _, tc := range cases {
		gotMax, gotRule := SuggestedLifetimes(tc.lifetime, tc.validity)
		if gotMax != tc.wantMax || gotRule != tc.wantRuleLife {
			t.Errorf("%s: %v, %v; want %v, %v", tc.name, gotMax, gotRule, tc.wantMax, tc.wantRuleLife)
		}
	}
}

func TestTakeConsole(t *testing.T) {
	c := Connection{IssuerURL: "https://a.example/application/o/x/", SubjectPrefix: "old", WorkspaceID: ""}
	iss := &ConsoleIssuer{ID: "fdis_1", Name: "x", IssuerURL: "https://a.example/application/o/x", MaxJWTLifetimeSeconds: 7200,
		JWKS: ConsoleJWKS{Type: JWKSInline, Keys: []byte(`[{"kty":"EC","kid":"k1"}]`)}}
	rule := &ConsoleRule{ID: "fdrl_1", Name: "r", Match: RuleMatch{SubjectPrefix: "ak-x", Audience: "cid", Claims: map[string]string{"env": "prod"}},
		Target: RuleTarget{ServiceAccountID: "svac_1"}, OAuthScope: ScopeWorkspaceInference, TokenLifetimeSeconds: 600, WorkspaceIDs: []string{"wrkspc_1"}}
	c.TakeConsole("org-1", iss, rule)
	if c.IssuerURL != "https://a.example/application/o/x/" {
		t.Error("the issuer URL was taken from the Console: only the token's iss can say which is right")
	}
	if c.IssuerID != "fdis_1" || c.JWKSSource != JWKSInline || c.MaxIdentityTokenLifetime != 2*time.Hour || c.FederationRuleID != "fdrl_1" ||
		c.SubjectPrefix != "ak-x" || c.Claims["env"] != "prod" || c.ServiceAccountID != "svac_1" || c.TokenLifetime != 10*time.Minute ||
		c.WorkspaceID != "wrkspc_1" || c.OrganizationID != "org-1" || c.InlineJWKS == "" {
		t.Fatalf("taken: %+v", c)
	}
}
