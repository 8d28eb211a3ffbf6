package anthropic_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/wifwiz/wifwiz/anthropic"
	"github.com/wifwiz/wifwiz/anthropic/emulator"
	"github.com/wifwiz/wifwiz/verify"
)

const (
	issuerURL = "https://auth.example.com/application/o/claude/"
	subject   = "ak-claude-client_credentials"
	audience  = "client-abc"
	ruleID    = "fdrl_01test"
	orgID     = "3f1c2a7e-5b7d-4d2a-9a51-0c8f3e2b1d44"
	svacID    = "svac_01test"
)

// fixture is an emulator with one rule trusting one test issuer, a client for it and a fixed clock.
type fixture struct {
	t      *testing.T
	now    time.Time
	issuer *emulator.Issuer
	emu    *emulator.Server
	client *anthropic.Client
}

func newFixture(t *testing.T, edit func(*emulator.Rule)) *fixture {
	t.Helper()
	iss, err := emulator.NewIssuer(issuerURL, "key-1")
	if err != nil {
		t.Fatal(err)
	}
	rule := emulator.Rule{
		ID: ruleID, OrganizationID: orgID, ServiceAccountID: svacID, IssuerURL: issuerURL,
		JWKS: iss.JWKS(), SubjectPrefix: subject, Audience: audience,
	}
	if edit != nil {
		edit(&rule)
	}
	emu, err := emulator.New(rule)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emu.Close)
	f := &fixture{t: t, now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC), issuer: iss, emu: emu}
	emu.SetNow(func() time.Time { return f.now })
	f.client, err = anthropic.NewClient(anthropic.Options{BaseURL: emu.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// claims are valid claims for the fixture's rule: issued now, valid 10 minutes.
func (f *fixture) claims() map[string]any {
	return map[string]any{
		"iss": issuerURL, "sub": subject, "aud": audience,
		"iat": f.now.Unix(), "exp": f.now.Add(10 * time.Minute).Unix(),
		"jti": fmt.Sprintf("jti-%d", time.Now().UnixNano()),
	}
}

func (f *fixture) sign(edit func(map[string]any)) string {
	f.t.Helper()
	c := f.claims()
	if edit != nil {
		edit(c)
	}
	raw, err := f.issuer.Sign(c)
	if err != nil {
		f.t.Fatal(err)
	}
	return raw
}

func (f *fixture) request(assertion string) anthropic.Request {
	return anthropic.Request{Assertion: assertion, FederationRuleID: ruleID, OrganizationID: orgID, ServiceAccountID: svacID}
}

func (f *fixture) exchange(r anthropic.Request) verify.Exchange {
	return f.client.Exchange(context.Background(), r)
}

func (f *fixture) lastDenial() string {
	d := f.emu.Denials()
	if len(d) == 0 {
		return ""
	}
	return d[len(d)-1]
}

func TestExchangeSuccess(t *testing.T) {
	f := newFixture(t, nil)
	got := f.exchange(f.request(f.sign(nil)))
	if got.Status != 200 || got.Err != "" || got.ErrorType != "" {
		t.Fatalf("exchange = %+v, want 200; denials %v", got, f.emu.Denials())
	}
	if got.Scope != "workspace:developer" {
		t.Errorf("Scope = %q", got.Scope)
	}
	// 10 minutes of validity left: min(3600, 2 × 600) = 1200.
	if got.ExpiresIn != 1200 {
		t.Errorf("ExpiresIn = %d, want 1200", got.ExpiresIn)
	}
	if got.URL != f.emu.URL+"/v1/oauth/token" {
		t.Errorf("URL = %q", got.URL)
	}
	if got.TokenPrefix != "sk-ant-oat01…" {
		t.Errorf("TokenPrefix = %q", got.TokenPrefix)
	}
	issued := f.emu.AccessTokens()
	if len(issued) != 1 {
		t.Fatalf("emulator issued %d tokens", len(issued))
	}
	if dump := fmt.Sprintf("%+v", got); strings.Contains(dump, issued[0]) || strings.Contains(dump, issued[0][13:]) {
		t.Errorf("the access token appears in the result: %s", dump)
	}
}

func TestExchangeMintedLifetime(t *testing.T) {
	cases := []struct {
		name      string
		rule      time.Duration
		remaining time.Duration
		want      int
	}{
		{"rule shorter", 900 * time.Second, 10 * time.Minute, 900},
		{"twice the remaining validity", 3600 * time.Second, 10 * time.Minute, 1200},
		{"at least 60 s", 3600 * time.Second, 20 * time.Second, 60},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(r *emulator.Rule) { r.TokenLifetime = tc.rule; r.Scope = "workspace:inference" })
			got := f.exchange(f.request(f.sign(func(c map[string]any) {
				c["exp"] = f.now.Add(tc.remaining).Unix()
			})))
			if got.Status != 200 || got.ExpiresIn != tc.want || got.Scope != "workspace:inference" {
				t.Fatalf("exchange = %+v, want 200 with expires_in %d", got, tc.want)
			}
		})
	}
}

func TestExchangeBadRequestNamesTheField(t *testing.T) {
	f := newFixture(t, nil)
	tok := f.sign(nil)
	cases := []struct {
		name  string
		edit  func(*anthropic.Request)
		field string
	}{
		{"rule ID prefix", func(r *anthropic.Request) { r.FederationRuleID = "fdis_01test" }, "federation_rule_id"},
		{"missing organization", func(r *anthropic.Request) { r.OrganizationID = "" }, "organization_id"},
		{"organization not a UUID", func(r *anthropic.Request) { r.OrganizationID = "org-1" }, "organization_id"},
		{"service account prefix", func(r *anthropic.Request) { r.ServiceAccountID = "user_01" }, "service_account_id"},
		{"malformed workspace", func(r *anthropic.Request) { r.WorkspaceID = "ws 1" }, "workspace_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := f.request(tok)
			tc.edit(&req)
			got := f.exchange(req)
			if got.Status != 400 || got.ErrorType != "invalid_request_error" || !strings.HasPrefix(got.Message, tc.field+":") {
				t.Fatalf("exchange = %+v, want 400 invalid_request_error naming %s", got, tc.field)
			}
		})
	}
	if n := len(f.emu.Denials()); n != 0 {
		t.Errorf("bad requests were recorded as denials: %v", f.emu.Denials())
	}
}

func TestExchangeDeniedForEachMismatch(t *testing.T) {
	cases := []struct {
		name   string
		rule   func(*emulator.Rule)
		claims func(f *fixture, c map[string]any)
		token  func(f *fixture) string // overrides claims when set
		reason string
	}{
		{name: "iss without trailing slash", claims: func(_ *fixture, c map[string]any) { c["iss"] = strings.TrimSuffix(issuerURL, "/") }, reason: emulator.DenyIss},
		{name: "iss other host", claims: func(_ *fixture, c map[string]any) { c["iss"] = "https://10.0.0.5/application/o/claude/" }, reason: emulator.DenyIss},
		{name: "sub hashed", claims: func(_ *fixture, c map[string]any) { c["sub"] = strings.Repeat("ab", 32) }, reason: emulator.DenySub},
		{name: "sub missing", claims: func(_ *fixture, c map[string]any) { delete(c, "sub") }, reason: emulator.DenySub},
		{name: "sub case", claims: func(_ *fixture, c map[string]any) { c["sub"] = strings.ToUpper(subject) }, reason: emulator.DenySub},
		{name: "aud", claims: func(_ *fixture, c map[string]any) { c["aud"] = []string{"other", "client-ABC"} }, reason: emulator.DenyAud},
		{name: "expired beyond leeway", claims: func(f *fixture, c map[string]any) {
			c["iat"] = f.now.Add(-10 * time.Minute).Unix()
			c["exp"] = f.now.Add(-31 * time.Second).Unix()
		}, reason: emulator.DenyExp},
		{name: "iat in the future", claims: func(f *fixture, c map[string]any) { c["iat"] = f.now.Add(time.Minute).Unix() }, reason: emulator.DenyIat},
		{name: "nbf in the future", claims: func(f *fixture, c map[string]any) { c["nbf"] = f.now.Add(time.Minute).Unix() }, reason: emulator.DenyNbf},
		{name: "lifetime above maximum", rule: func(r *emulator.Rule) { r.MaxIdentityTokenLifetime = 5 * time.Minute }, reason: emulator.DenyLifetime},
		{name: "HS256", token: func(f *fixture) string { return hmacToken(f.t, f.claims()) }, reason: emulator.DenyAlg},
		{name: "unknown kid", token: func(f *fixture) string { return otherIssuerToken(f, "key-2") }, reason: emulator.DenyKID},
		{name: "bad signature", token: func(f *fixture) string { return otherIssuerToken(f, "key-1") }, reason: emulator.DenySignature},
		{name: "archived rule", rule: func(r *emulator.Rule) { r.Archived = true }, reason: emulator.DenyRule},
		{name: "subject prefix", rule: func(r *emulator.Rule) { r.SubjectPrefix = "ak-other-*" }, reason: emulator.DenySub},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.rule)
			var tok string
			if tc.token != nil {
				tok = tc.token(f)
			} else {
				tok = f.sign(func(c map[string]any) {
					if tc.claims != nil {
						tc.claims(f, c)
					}
				})
			}
			got := f.exchange(f.request(tok))
			if got.Status != 401 || got.ErrorType != "authentication_error" || got.Message != "Authentication failed" {
				t.Fatalf("exchange = %+v, want 401 authentication_error", got)
			}
			if d := f.lastDenial(); !strings.HasPrefix(d, tc.reason+":") {
				t.Fatalf("denial = %q, want reason %q", d, tc.reason)
			}
		})
	}
}

func TestExchangeWithinLeewayIsAccepted(t *testing.T) {
	f := newFixture(t, nil)
	tok := f.sign(func(c map[string]any) {
		c["iat"] = f.now.Add(25 * time.Second).Unix()
		c["nbf"] = f.now.Add(25 * time.Second).Unix()
		c["exp"] = f.now.Add(20 * time.Minute).Unix()
	})
	if got := f.exchange(f.request(tok)); got.Status != 200 {
		t.Fatalf("exchange = %+v, denials %v", got, f.emu.Denials())
	}
}

func TestExchangeReplayRefused(t *testing.T) {
	f := newFixture(t, nil)
	tok := f.sign(nil)
	if got := f.exchange(f.request(tok)); got.Status != 200 {
		t.Fatalf("first exchange = %+v", got)
	}
	got := f.exchange(f.request(tok))
	if got.Status != 401 || !strings.HasPrefix(f.lastDenial(), emulator.DenyReplay+":") {
		t.Fatalf("second exchange = %+v, denial %q; want a jti replay denial", got, f.lastDenial())
	}
}

func TestExchangeWorkspace(t *testing.T) {
	f := newFixture(t, func(r *emulator.Rule) { r.Workspaces = []string{"wrkspc_01a", "default"} })
	got := f.exchange(f.request(f.sign(nil)))
	if got.Status != 401 || !strings.HasPrefix(f.lastDenial(), emulator.DenyWorkspace+":") {
		t.Fatalf("without workspace_id: %+v, denial %q", got, f.lastDenial())
	}
	req := f.request(f.sign(nil))
	req.WorkspaceID = "wrkspc_01b"
	if got := f.exchange(req); got.Status != 401 || !strings.HasPrefix(f.lastDenial(), emulator.DenyWorkspace+":") {
		t.Fatalf("with a workspace not enabled: %+v, denial %q", got, f.lastDenial())
	}
	req = f.request(f.sign(nil))
	req.WorkspaceID = "wrkspc_01a"
	if got := f.exchange(req); got.Status != 200 {
		t.Fatalf("with workspace_id: %+v, denials %v", got, f.emu.Denials())
	}
}

func TestExchangeRefusesLargeAssertionLocally(t *testing.T) {
	f := newFixture(t, nil)
	got := f.exchange(f.request(strings.Repeat("a", anthropic.MaxAssertionBytes+1)))
	if got.Status != 0 || !strings.Contains(got.Err, "16384") {
		t.Fatalf("exchange = %+v, want a local refusal", got)
	}
	if got := f.exchange(f.request("  \n")); got.Status != 0 || got.Err == "" {
		t.Fatalf("empty assertion: %+v, want a local refusal", got)
	}
	if n := f.emu.Stats().Requests; n != 0 {
		t.Errorf("emulator saw %d requests, want 0", n)
	}
}

func TestExchangeOverTLSWithCAPEM(t *testing.T) {
	iss, err := emulator.NewIssuer(issuerURL, "key-1")
	if err != nil {
		t.Fatal(err)
	}
	emu, err := emulator.NewTLS(emulator.Rule{
		ID: ruleID, OrganizationID: orgID, ServiceAccountID: svacID, IssuerURL: issuerURL,
		JWKS: iss.JWKS(), SubjectPrefix: "ak-*", Audience: audience,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	tok, err := iss.Mint(subject, audience, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req := anthropic.Request{Assertion: tok, FederationRuleID: ruleID, OrganizationID: orgID}

	untrusted, err := anthropic.NewClient(anthropic.Options{BaseURL: emu.URL})
	if err != nil {
		t.Fatal(err)
	}
	if got := untrusted.Exchange(context.Background(), req); got.Err == "" || got.Status != 0 {
		t.Fatalf("without the CA: %+v, want a TLS error", got)
	}
	trusted, err := anthropic.NewClient(anthropic.Options{BaseURL: emu.URL, CAPEM: emu.CertPEM()})
	if err != nil {
		t.Fatal(err)
	}
	if got := trusted.Exchange(context.Background(), req); got.Status != 200 {
		t.Fatalf("with the CA: %+v, denials %v", got, emu.Denials())
	}
}

func hmacToken(t *testing.T, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithHeader("kid", "key-1")
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("0123456789abcdef0123456789abcdef")}, opts)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// otherIssuerToken signs valid claims with a key the rule does not know, under kid.
func otherIssuerToken(f *fixture, kid string) string {
	other, err := emulator.NewIssuer(issuerURL, kid)
	if err != nil {
		f.t.Fatal(err)
	}
	raw, err := other.Sign(f.claims())
	if err != nil {
		f.t.Fatal(err)
	}
	return raw
}
