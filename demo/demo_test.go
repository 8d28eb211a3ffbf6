package demo_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/demo"
	"github.com/wifwiz/wifwiz/wif"
)

func start(t *testing.T) *demo.Demo {
	t.Helper()
	d, err := demo.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// TestDemoConnectionRecordsUsableReferences: the demo connection's three references are ones the
// default web policy allows, bound to where their values go, and the demo answers each with a
// value its emulators accept.
func TestDemoConnectionRecordsUsableReferences(t *testing.T) {
	d := start(t)
	c := d.Connection()
	policy := wif.SecretPolicy{EnvPrefix: wif.DefaultSecretEnvPrefix}
	// An operator's own prefix (serve --secret-env-prefix ACME_) with the demo's names, as
	// serve --demo sets them: the demo's references stay usable.
	other := wif.SecretPolicy{EnvPrefix: "ACME_", EnvNames: demo.EnvNames()}
	getenv := d.Getenv(func(string) string { return "" })
	for _, r := range []struct{ ref, origin, want string }{
		{c.SecretRef, c.SecretRefOrigin, wif.SecretOrigin(c)},
		{c.AuthentikTokenRef, c.AuthentikTokenRefOrigin, wif.AuthentikOrigin(c)},
		{c.ConsoleTokenRef, c.ConsoleTokenRefOrigin, wif.ConsoleOrigin(c)},
	} {
		if !policy.Allows(r.ref) {
			t.Errorf("%s: not allowed by the default policy", r.ref)
		}
		if !other.Allows(r.ref) {
			t.Errorf("%s: not allowed under another prefix with the demo's names", r.ref)
		}
		if r.origin == "" || r.origin != r.want {
			t.Errorf("%s bound to %q, want %q", r.ref, r.origin, r.want)
		}
		if getenv(strings.TrimPrefix(r.ref, "env:")) == "" {
			t.Errorf("%s: the demo gives no value", r.ref)
		}
	}
	if got := getenv(demo.AuthentikTokenEnv); got != d.Authentik.APIToken() {
		t.Error("the authentik token reference does not give the emulator's API token")
	}
	if getenv("HOME_OF_SOMEONE") != "" {
		t.Error("another name was answered")
	}
	if first, second := getenv(demo.ConsoleTokenEnv), getenv(demo.ConsoleTokenEnv); first != second {
		t.Error("a fresh Console token for every read")
	}

	status := func(path string) int {
		req, _ := http.NewRequest(http.MethodGet, d.Anthropic.URL+path, nil)
		req.Header.Set("anthropic-version", "2023-06-01")
		req.Header.Set("authorization", "Bearer "+getenv(demo.ConsoleTokenEnv))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, path := range []string{"/v1/organizations/me", "/v1/organizations/federation_rules/" + demo.FederationRuleID,
		"/v1/organizations/federation_issuers/" + demo.IssuerID, "/v1/organizations/service_accounts/" + demo.ServiceAccountID} {
		if got := status(path); got != http.StatusOK {
			t.Errorf("GET %s with the demo's Console token: %d", path, got)
		}
	}
}

// TestDemoConsoleMatchesTheConnection: the Console holds the issuer, service account and rule
// the demo connection names, matching the demo provider's tokens.
func TestDemoConsoleMatchesTheConnection(t *testing.T) {
	d := start(t)
	c := d.Connection()
	if d.Anthropic.OrganizationID() != c.OrganizationID {
		t.Fatalf("organization %s, connection records %s", d.Anthropic.OrganizationID(), c.OrganizationID)
	}
	r, ok := d.Anthropic.FederationRule(c.FederationRuleID)
	if !ok || r.IssuerID != demo.IssuerID || r.Target.ServiceAccountID != c.ServiceAccountID || r.Name != c.RuleName ||
		r.Match.SubjectPrefix != wif.ServiceAccountUsername(c.ProviderName) || r.Match.Audience != c.ClientID ||
		r.OAuthScope != wif.DefaultOAuthScope || len(r.WorkspaceIDs) != 1 || r.WorkspaceIDs[0] != wif.DefaultWorkspace {
		t.Fatalf("rule %+v", r)
	}
	iss, ok := d.Anthropic.FederationIssuer(demo.IssuerID)
	if !ok || iss.IssuerURL != c.IssuerURL || iss.JWKS.Type != wif.JWKSInline || !strings.Contains(string(iss.JWKS.Keys), d.Authentik.KeyID(demo.Slug)) {
		t.Fatalf("issuer %+v, provider key %s", iss, d.Authentik.KeyID(demo.Slug))
	}
	if a, ok := d.Anthropic.ServiceAccount(c.ServiceAccountID); !ok || a.ArchivedAt != nil {
		t.Fatalf("service account %+v", a)
	}
}

// TestRebindKeepsTheDemoUsable: after a restart (new ports), a stored demo connection's
// references are bound to the new URLs, and Console IDs of objects an earlier run created — gone
// with it — point at the demo's again; a reference the person set is left alone.
func TestRebindKeepsTheDemoUsable(t *testing.T) {
	first := start(t)
	old := first.Connection()
	old.ID, old.FederationRuleID, old.IssuerID, old.RuleName = 7, "fdrl_madebyanearlierrun", "fdis_madebyanearlierrun", "demo"
	second := start(t)
	c := second.Rebind(old, "")
	fresh := second.Connection()
	if c.AuthentikTokenRefOrigin != wif.AuthentikOrigin(c) || c.ConsoleTokenRefOrigin != wif.ConsoleOrigin(c) || c.SecretRefOrigin != wif.SecretOrigin(c) {
		t.Fatalf("origins %q %q %q", c.AuthentikTokenRefOrigin, c.ConsoleTokenRefOrigin, c.SecretRefOrigin)
	}
	if c.AuthentikTokenRefOrigin == old.AuthentikTokenRefOrigin || c.ConsoleTokenRefOrigin == old.ConsoleTokenRefOrigin {
		t.Fatal("the references kept the earlier run's origins")
	}
	if c.AnthropicBaseURL != fresh.AnthropicBaseURL || c.AuthentikURL != fresh.AuthentikURL {
		t.Fatalf("URLs %s %s", c.AnthropicBaseURL, c.AuthentikURL)
	}
	if c.FederationRuleID != demo.FederationRuleID || c.IssuerID != demo.IssuerID || c.RuleName != demo.RuleName || c.ID != 7 {
		t.Fatalf("Console IDs %s %s %s", c.FederationRuleID, c.IssuerID, c.RuleName)
	}

	mine := old
	mine.ConsoleTokenRef, mine.ConsoleTokenRefOrigin = "env:WIFWIZ_SECRET_MINE", "https://api.example.com"
	if got := second.Rebind(mine, ""); got.ConsoleTokenRefOrigin != "https://api.example.com" {
		t.Fatalf("a person's reference was rebound to %s", got.ConsoleTokenRefOrigin)
	}
}
