package authentik

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/internal/testissuer"
	"github.com/wifwiz/wifwiz/verify"
)

// These tests hold wifwiz against node-oidc-provider, an issuer nobody here wrote (issue 17):
// no trailing slash, JWT access tokens and no id_token, invalid_client (HTTP 401) for a wrong
// secret and an unknown client alike, no request_id, no scope member unless one is granted.

// publicAddr stands for a public DNS answer for the issuer's name, so that issuer.public sees
// what it would see on the internet; the connection itself goes to loopback through Dial.
const publicAddr = "93.184.216.34"

// independent starts the issuer as Anthropic would need it: https://issuer.test/dex on port
// 443, reached on loopback through the client's dialer.
func independent(t *testing.T) (*testissuer.Issuer, *Client) {
	t.Helper()
	iss := testissuer.Start(t, testissuer.Options{Host: "issuer.test", DefaultPort: true})
	c, err := NewClient(Options{CAPEM: iss.CAPEM, Resolver: fakeResolver{"issuer.test": {publicAddr}}, DialContext: iss.Dial})
	if err != nil {
		t.Fatal(err)
	}
	return iss, c
}

func independentConfig(iss *testissuer.Issuer) verify.Config {
	return verify.Config{
		IssuerURL: iss.URL, ClientID: iss.ClientID, TokenField: "auto",
		SubjectPrefix: iss.ClientID, Audience: iss.Audience,
		MaxIdentityTokenLifetime: time.Hour, TokenLifetime: time.Hour,
		FederationRuleID: "fdrl_01abc", OrganizationID: "0d3b1c2a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", ServiceAccountID: "svac_01abc",
	}
}

func independentRequest(iss *testissuer.Issuer) Request {
	return Request{IssuerURL: iss.URL, ClientID: iss.ClientID, ClientSecret: iss.ClientSecret, Scope: iss.Scope}
}

func verifyIndependent(t *testing.T, c *Client, cfg verify.Config, req Request) verify.Report {
	t.Helper()
	obs := c.Observe(context.Background(), req, nil)
	return verify.Run(cfg, obs, time.Now())
}

func mustCheck(t *testing.T, rep verify.Report, id string) verify.Check {
	t.Helper()
	c := checkOf(rep, id)
	if c.ID == "" {
		t.Fatalf("no check %s", id)
	}
	return c
}

// TestIndependentIssuerAllPass: a non-authentik issuer on 443 with correct values passes every
// check (the exchange is not asked for), and following a trailing-slash advice would not be
// needed: with the slash added, only the judges (discovery.issuer, claim.iss) fail, and issuer.url
// does not ask for it back (item 1).
func TestIndependentIssuerAllPass(t *testing.T) {
	iss, c := independent(t)
	rep := verifyIndependent(t, c, independentConfig(iss), independentRequest(iss))
	for _, ch := range rep.Checks {
		if ch.Status != verify.Pass && ch.ID != verify.CheckExchange && !(ch.ID == verify.CheckAuthentikProvider && ch.Status == verify.Skip) {
			t.Errorf("%s: %s — %s (fix: %s)", ch.ID, ch.Status, ch.Message, ch.Fix)
		}
	}
	if !rep.OK || rep.Token == nil || rep.Token.Field != "access_token" {
		t.Fatalf("ok=%v token %+v", rep.OK, rep.Token)
	}

	cfg := independentConfig(iss)
	cfg.IssuerURL += "/"
	req := independentRequest(iss)
	req.IssuerURL = cfg.IssuerURL
	slashed := verifyIndependent(t, c, cfg, req)
	if ch := mustCheck(t, slashed, verify.CheckIssuerURL); ch.Status != verify.Pass {
		t.Errorf("issuer.url with a slash: %s %s", ch.Status, ch.Message)
	}
	for _, id := range []string{verify.CheckDiscoveryIssuer, verify.CheckClaimIss} {
		if ch := mustCheck(t, slashed, id); ch.Status != verify.Fail || !strings.Contains(ch.Fix, `exactly "`+iss.URL+`"`) {
			t.Errorf("%s: %s, fix %q", id, ch.Status, ch.Fix)
		}
	}
}

// TestIndependentIssuerURLProblemsAtOnce: on a non-443 port and a loopback host, issuer.url
// names both at once (item 2).
func TestIndependentIssuerURLProblemsAtOnce(t *testing.T) {
	iss := testissuer.Start(t, testissuer.Options{})
	c, err := NewClient(Options{CAPEM: iss.CAPEM, Resolver: fakeResolver{"localhost": {"127.0.0.1", "::1"}}})
	if err != nil {
		t.Fatal(err)
	}
	rep := verifyIndependent(t, c, independentConfig(iss), independentRequest(iss))
	ch := mustCheck(t, rep, verify.CheckIssuerURL)
	port := strings.TrimSuffix(strings.TrimPrefix(iss.URL, "https://localhost:"), "/dex")
	for _, want := range []string{"port " + port + ", not 443", "non-public addresses", "Anthropic cannot fetch discovery"} {
		if !strings.Contains(ch.Message, want) {
			t.Errorf("issuer.url message %q lacks %q", ch.Message, want)
		}
	}
	if ch.Status != verify.Fail || strings.Contains(ch.Message, "'/'") {
		t.Errorf("issuer.url: %s %q", ch.Status, ch.Message)
	}
}

// TestIndependentTokenErrors: invalid_client names both causes; another OAuth error is quoted,
// with no request_id invented (items 3 and 4), in the report and in what wifwiz token prints.
func TestIndependentTokenErrors(t *testing.T) {
	iss, c := independent(t)
	wrongSecret := independentRequest(iss)
	wrongSecret.ClientSecret = "wrong-secret"
	unknown := independentRequest(iss)
	unknown.ClientID = "nobody"
	codeOnly := independentRequest(iss)
	codeOnly.ClientID = iss.CodeOnlyClientID
	for name, tc := range map[string]struct {
		req  Request
		want []string
	}{
		"WrongSecret":   {wrongSecret, []string{`error "invalid_client"`, "either the client ID is unknown or the client secret is wrong"}},
		"UnknownClient": {unknown, []string{`error "invalid_client"`, "either the client ID is unknown or the client secret is wrong"}},
		"NotAllowed": {codeOnly, []string{`error "invalid_request", error_description "requested grant type is not allowed for this client"`,
			"its error_description says why"}},
	} {
		t.Run(name, func(t *testing.T) {
			rep := verifyIndependent(t, c, independentConfig(iss), tc.req)
			ch := mustCheck(t, rep, verify.CheckTokenRequest)
			_, err := c.FetchToken(context.Background(), TokenRequest{TokenURL: iss.URL + "/token", IssuerURL: iss.URL,
				ClientID: tc.req.ClientID, ClientSecret: tc.req.ClientSecret, Scope: tc.req.Scope})
			var te *TokenError
			if !errors.As(err, &te) {
				t.Fatalf("FetchToken: %v", err)
			}
			for _, text := range []string{ch.Message, err.Error()} {
				for _, want := range tc.want {
					if !strings.Contains(text, want) {
						t.Errorf("%q lacks %q", text, want)
					}
				}
				for _, unwanted := range []string{"authentik", "request_id", "refused the request."} {
					if strings.Contains(text+ch.Fix, unwanted) {
						t.Errorf("%q says %q", text, unwanted)
					}
				}
			}
		})
	}
}

// TestIndependentHostMismatchFix: reached through another host than its configured issuer, a
// generic issuer still names itself: the fix says which setting to change, never "use the
// discovery base you already use" (item 5).
func TestIndependentHostMismatchFix(t *testing.T) {
	iss := testissuer.Start(t, testissuer.Options{})
	c, err := NewClient(Options{CAPEM: iss.CAPEM, Resolver: fakeResolver{}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := independentConfig(iss)
	cfg.IssuerURL = strings.Replace(iss.URL, "localhost", "127.0.0.1", 1)
	req := independentRequest(iss)
	req.IssuerURL = cfg.IssuerURL
	rep := verifyIndependent(t, c, cfg, req)
	for _, id := range []string{verify.CheckDiscoveryIssuer, verify.CheckClaimIss} {
		ch := mustCheck(t, rep, id)
		if ch.Status != verify.Fail || !strings.Contains(ch.Fix, `set the Console's Issuer URL to exactly "`+iss.URL+`", or change the issuer's configured issuer URL`) {
			t.Errorf("%s: %s, fix %q", id, ch.Status, ch.Fix)
		}
		if strings.Contains(ch.Fix, "discovery base") || strings.Contains(ch.Fix, "public URL") {
			t.Errorf("%s: circular fix %q", id, ch.Fix)
		}
	}
}

// TestIndependentSkipReason: with an untrusted CA the token is not requested because discovery
// failed, and the report says so (item 6).
func TestIndependentSkipReason(t *testing.T) {
	iss := testissuer.Start(t, testissuer.Options{Host: "issuer.test", DefaultPort: true})
	c, err := NewClient(Options{Resolver: fakeResolver{"issuer.test": {publicAddr}}, DialContext: iss.Dial})
	if err != nil {
		t.Fatal(err)
	}
	rep := verifyIndependent(t, c, independentConfig(iss), independentRequest(iss))
	ch := mustCheck(t, rep, verify.CheckTokenRequest)
	if ch.Status != verify.Skip || !strings.Contains(ch.Message, "discovery failed") || strings.Contains(ch.Message, "secret") {
		t.Errorf("token.request: %s %q", ch.Status, ch.Message)
	}
	if d := mustCheck(t, rep, verify.CheckDiscovery); !strings.Contains(d.Actual, "unknown authority") {
		t.Errorf("discovery: %q", d.Actual)
	}
}

// TestIndependentScopeShown: without a scope asked for (what --scope "" sends) the issuer
// grants none and sends no scope member: the report says "not given" (item 7).
func TestIndependentScopeShown(t *testing.T) {
	iss, c := independent(t)
	for scope, want := range map[string]string{"": "scope not given", iss.Scope: `scope "` + iss.Scope + `"`} {
		req := independentRequest(iss)
		req.Scope = scope
		ch := mustCheck(t, verifyIndependent(t, c, independentConfig(iss), req), verify.CheckTokenRequest)
		if ch.Status != verify.Pass || !strings.Contains(ch.Actual, want) || !strings.Contains(ch.Actual, "expires_in 3600 s") {
			t.Errorf("scope %q: %s %q, want %q", scope, ch.Status, ch.Actual, want)
		}
	}
}

// TestIndependentMissingIDToken: asked for the id_token, which client credentials do not give
// here, check and token say the same thing: request the openid scope (item 8).
func TestIndependentMissingIDToken(t *testing.T) {
	iss, c := independent(t)
	cfg := independentConfig(iss)
	cfg.TokenField = "id_token"
	ch := mustCheck(t, verifyIndependent(t, c, cfg, independentRequest(iss)), verify.CheckTokenRequest)
	set, err := c.FetchToken(context.Background(), TokenRequest{TokenURL: iss.URL + "/token", ClientID: iss.ClientID, ClientSecret: iss.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	_, _, pickErr := verify.PickToken(set.IDToken, set.AccessToken, "id_token")
	var pe *verify.PickError
	if !errors.As(pickErr, &pe) || ch.Status != verify.Fail || !strings.Contains(ch.Message, pe.Problem) || !strings.Contains(strings.ToLower(ch.Fix), strings.ToLower(pe.Fix)) {
		t.Fatalf("check %s %q / %q; token says %v", ch.Status, ch.Message, ch.Fix, pickErr)
	}
	if !strings.Contains(pe.Fix, "openid scope") {
		t.Errorf("fix %q does not ask for the openid scope", pe.Fix)
	}
}

// TestIndependentFreshKey: after the issuer publishes a key and signs with it at once, a report
// given the key history warns that Anthropic may not know the key for about a minute (item 9).
func TestIndependentFreshKey(t *testing.T) {
	iss, c := independent(t)
	first := c.Observe(context.Background(), independentRequest(iss), nil)
	seenAt := time.Now().Add(-time.Hour)
	history := map[string]time.Time{}
	for _, kid := range kidsOf(t, first.JWKS) {
		history[kid] = seenAt
	}
	newKid := iss.Rotate(t)
	obs := c.Observe(context.Background(), independentRequest(iss), nil)
	obs.KidFirstSeen = history // the new kid is not in it: first seen now
	rep := verify.Run(independentConfig(iss), obs, time.Now())
	ch := mustCheck(t, rep, verify.CheckHeaderKid)
	if ch.Status != verify.Warn || !strings.Contains(ch.Actual, newKid) || !strings.Contains(ch.Message, "about a minute") {
		t.Errorf("header.kid: %s %q %q", ch.Status, ch.Actual, ch.Message)
	}
	if !rep.OK {
		t.Error("a fresh key is a warning, not a failure")
	}
}

func kidsOf(t *testing.T, f *verify.Fetch) []string {
	t.Helper()
	if f == nil || f.Status != 200 {
		t.Fatalf("JWKS %+v", f)
	}
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(f.Body, &set); err != nil || len(set.Keys) == 0 {
		t.Fatalf("JWKS body: %v", err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	return kids
}
