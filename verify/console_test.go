package verify

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

const (
	testIssuerID = "fdis_01issuer"
	testRuleID   = "fdrl_01abc"
	testSAID     = "svac_01abc"
	testWS       = "wrkspc_01team"
)

// withConsole gives the fixture a Console read that agrees with everything recorded: every check
// but exchange passes.
func withConsole(f *fixture) *fixture {
	f.cfg.IssuerID, f.cfg.RuleName, f.cfg.JWKSSource = testIssuerID, "ci-prod", wif.JWKSDiscovery
	f.cfg.WorkspaceID = testWS
	f.cfg.Claims = map[string]string{"acr": "goauthentik.io/providers/oauth2/default"}
	f.cfg.Condition = `claims.sub.startsWith("ak-")`
	f.obs.Console = &ConsoleObservation{
		Organization: &wif.Organization{ID: f.cfg.OrganizationID, Name: "Acme"},
		Rule: &wif.ConsoleRule{ID: testRuleID, Name: "ci-prod", IssuerID: testIssuerID,
			Match:  wif.RuleMatch{SubjectPrefix: testSub, Audience: testClientID, Claims: f.cfg.Claims, Condition: f.cfg.Condition},
			Target: wif.RuleTarget{Type: wif.TargetServiceAccount, ServiceAccountID: testSAID, ServiceAccountName: "ci"}, OAuthScope: wif.ScopeWorkspaceDeveloper,
			TokenLifetimeSeconds: 3600, WorkspaceIDs: []string{testWS}},
		Issuer: &wif.ConsoleIssuer{ID: testIssuerID, Name: "authentik-ci", IssuerURL: testIssuer, JWKS: wif.ConsoleJWKS{Type: wif.JWKSDiscovery},
			MaxJWTLifetimeSeconds: 3600, CheckJTI: true},
		Account:     &wif.ServiceAccount{ID: testSAID, Name: "ci", OrganizationRole: wif.RoleDeveloper},
		Memberships: []wif.Membership{{WorkspaceID: "default", WorkspaceRole: wif.WorkspaceRoleUser, Implicit: true}, {WorkspaceID: testWS, WorkspaceRole: wif.WorkspaceRoleDeveloper}},
	}
	disc, jwks := f.obs.Discovery, *f.obs.JWKS
	f.obs.Console.KeyDiscovery, f.obs.Console.KeyJWKS = &disc, &jwks
	return f
}

func consoleFixture() *fixture { return withConsole(newFixture()) }

func TestConsoleReadAllPass(t *testing.T) {
	f := consoleFixture()
	rep := f.report(t)
	assertInvariants(t, rep, f.token)
	for _, c := range rep.Checks {
		if c.Status != Pass && c.ID != CheckExchange {
			t.Errorf("%s: %s — %s (fix: %s)", c.ID, c.Status, c.Message, c.Fix)
		}
	}
	for _, id := range []string{CheckClaimSub, CheckClaimAud, CheckRuleClaims, CheckRuleCondition, CheckLifetime, CheckRuleLifetime} {
		if c := checkOf(t, rep, id); !strings.Contains(c.Expected, "read from the Console") {
			t.Errorf("%s does not say it uses the Console's values: %q", id, c.Expected)
		}
	}
	if rep.Console == nil || rep.Console.Rule == nil || rep.Console.Rule.ID != testRuleID || len(rep.Console.Mismatches()) != 0 {
		t.Fatalf("report's Console state %+v", rep.Console)
	}
	if c := checkOf(t, rep, CheckConsoleIssuer); !strings.Contains(c.Message, `holds the token's kid "`+testKid+`"`) {
		t.Errorf("console.issuer does not say the kid was found: %s", c.Message)
	}
}

func TestConsoleChecksSkipWithoutToken(t *testing.T) {
	rep := newFixture().report(t)
	for _, id := range []string{CheckConsoleAccess, CheckConsoleIssuer, CheckConsoleRule, CheckConsoleAccount} {
		if c := checkOf(t, rep, id); c.Status != Skip || !strings.Contains(c.Message, "No Console token") {
			t.Errorf("%s: %s %q, want a skip saying no token was given", id, c.Status, c.Message)
		}
	}
	if rep.Console != nil {
		t.Errorf("report has a Console state without a Console read: %+v", rep.Console)
	}
}

func TestConsoleAccessRefused(t *testing.T) {
	f := newFixture()
	f.obs.Console = &ConsoleObservation{Access: &ConsoleAccessError{Status: 401, Kind: "unauthorized",
		Message: "The Console token was refused: it has expired or is not valid.", Fix: "Print a fresh one: `ant auth print-credentials --access-token`."}}
	rep := f.report(t)
	assertInvariants(t, rep, f.token)
	c := checkOf(t, rep, CheckConsoleAccess)
	if c.Status != Fail || !strings.Contains(c.Actual, "HTTP 401") || !strings.Contains(c.Fix, "ant auth print-credentials --access-token") {
		t.Fatalf("console.access = %+v", c)
	}
	for _, id := range []string{CheckConsoleIssuer, CheckConsoleRule, CheckConsoleAccount} {
		if c := checkOf(t, rep, id); c.Status != Skip || !strings.Contains(c.Message, "see console.access") {
			t.Errorf("%s = %s %q", id, c.Status, c.Message)
		}
	}
	// Without the Console, the claim checks fall back to the recorded values and say nothing else.
	if c := checkOf(t, rep, CheckClaimSub); c.Status != Pass || strings.Contains(c.Expected, "read from the Console") {
		t.Errorf("claim.sub = %+v", c)
	}
}

func now() *time.Time { t := testNow.Add(-time.Hour); return &t }

func TestConsoleFailures(t *testing.T) {
	otherKey := rsaJWK(rsaKey2, "kid-other")
	cases := []struct {
		name  string
		check string
		edit  func(f *fixture)
		want  []string
	}{
		{"issuer archived", CheckConsoleIssuer, func(f *fixture) { f.obs.Console.Issuer.ArchivedAt = now() }, []string{"is archived", testIssuerID}},
		{"issuer URL differs by a slash", CheckConsoleIssuer, func(f *fixture) {
			f.obs.Console.Issuer.IssuerURL = strings.TrimSuffix(testIssuer, "/")
		}, []string{quote(strings.TrimSuffix(testIssuer, "/")), quote(testIssuer), "set the Console issuer's issuer_url to exactly"}},
		{"inline keys lack the kid", CheckConsoleIssuer, func(f *fixture) {
			keys, _ := json.Marshal([]any{otherKey})
			f.obs.Console.Issuer.JWKS = wif.ConsoleJWKS{Type: wif.JWKSInline, Keys: keys}
		}, []string{"inline keys does not hold the token's kid", `"kid-other"`, "wifwiz apply --side console"}},
		{"explicit URL lacks the kid", CheckConsoleIssuer, func(f *fixture) {
			f.obs.Console.Issuer.JWKS = wif.ConsoleJWKS{Type: wif.JWKSExplicitURL, URL: "https://keys.example.com/jwks"}
			f.obs.Console.KeyDiscovery = nil
			f.obs.Console.KeyJWKS = &Fetch{URL: "https://keys.example.com/jwks", Status: 200, Body: jwksOf(otherKey)}
		}, []string{"https://keys.example.com/jwks", "does not hold the token's kid"}},
		{"discovery's JWKS lacks the kid", CheckConsoleIssuer, func(f *fixture) {
			f.obs.Console.KeyJWKS = &Fetch{URL: f.obs.JWKS.URL, Status: 200, Body: jwksOf(otherKey)}
		}, []string{"JWKS discovery names", "does not hold the token's kid"}},
		{"discovery not public", CheckConsoleIssuer, func(f *fixture) {
			f.obs.Console.Issuer.JWKS.DiscoveryBase = "https://auth.example.com:9443/application/o/claude-ci"
		}, []string{"Anthropic cannot fetch from the issuer's jwks.discovery_base", "port 9443"}},
		{"discovery unreachable", CheckConsoleIssuer, func(f *fixture) {
			f.obs.Console.KeyDiscovery = &Fetch{URL: f.obs.Discovery.URL, Status: 404, Body: []byte("not found")}
		}, []string{"did not answer 200"}},
		{"rule archived", CheckConsoleRule, func(f *fixture) { f.obs.Console.Rule.ArchivedAt = now(); f.obs.Console.Rule.WorkspaceIDs = nil }, []string{"is archived"}},
		{"rule not found", CheckConsoleRule, func(f *fixture) {
			f.obs.Console.Rule, f.obs.Console.RuleErr = nil, "No federation rule fdrl_01abc in this organization (HTTP 404)"
		}, []string{"No federation rule fdrl_01abc"}},
		{"rule of another issuer", CheckConsoleRule, func(f *fixture) {
			f.obs.Console.IssuerForURL = &wif.ConsoleIssuer{ID: "fdis_other", Name: "right-one", IssuerURL: testIssuer}
		}, []string{"belongs to issuer " + testIssuerID, "fdis_other"}},
		{"another service account", CheckConsoleRule, func(f *fixture) {
			f.obs.Console.Rule.Target.ServiceAccountID = "svac_someone"
		}, []string{"targets service account svac_someone", "not the recorded " + testSAID}},
		{"workspace not enabled", CheckConsoleRule, func(f *fixture) { f.cfg.WorkspaceID = "wrkspc_elsewhere" }, []string{"not enabled in the recorded workspace wrkspc_elsewhere", testWS}},
		{"workspace required", CheckConsoleRule, func(f *fixture) {
			f.cfg.WorkspaceID = ""
			f.obs.Console.RuleWorkspaces = []wif.RuleWorkspace{{WorkspaceID: "wrkspc_second"}}
		}, []string{"must name its workspace", "wrkspc_second"}},
		{"recorded subject differs", CheckConsoleRule, func(f *fixture) { f.cfg.SubjectPrefix = "ak-old-client_credentials" }, []string{`Subject prefix: recorded "ak-old-client_credentials", the Console has "` + testSub + `"`}},
		{"recorded lifetime differs", CheckConsoleRule, func(f *fixture) { f.cfg.TokenLifetime = 600 * time.Second }, []string{`Token lifetime: recorded "600 s", the Console has "3600 s"`}},
		{"recorded max lifetime differs", CheckConsoleIssuer, func(f *fixture) { f.cfg.MaxIdentityTokenLifetime = 7200 * time.Second }, []string{"Maximum identity token lifetime: recorded \"7200 s\""}},
		{"recorded JWKS source differs", CheckConsoleIssuer, func(f *fixture) {
			f.cfg.JWKSSource, f.cfg.InlineJWKS = wif.JWKSInline, jwksOf(rsaJWK(rsaKey, testKid))
		}, []string{`JWKS source: recorded "inline", the Console has "discovery"`}},
		{"service account archived", CheckConsoleAccount, func(f *fixture) { f.obs.Console.Account.ArchivedAt = now() }, []string{"is archived"}},
		{"not a member", CheckConsoleAccount, func(f *fixture) { f.obs.Console.Memberships = f.obs.Console.Memberships[:1] }, []string{"not a member of workspace " + testWS}},
		{"developer under org:admin", CheckConsoleAccount, func(f *fixture) {
			f.obs.Console.Rule.OAuthScope = wif.ScopeOrgAdmin
			f.cfg.OAuthScope = wif.ScopeOrgAdmin
		}, []string{"developer organization role", "org:admin"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := consoleFixture()
			tc.edit(f)
			rep := f.report(t)
			assertInvariants(t, rep, f.token)
			c := checkOf(t, rep, tc.check)
			if c.Status != Fail {
				t.Fatalf("%s = %s: %s", tc.check, c.Status, c.Message)
			}
			text := c.Actual + " " + c.Message + " " + c.Fix
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("%s lacks %q:\nactual %s\nmessage %s\nfix %s", tc.check, w, c.Actual, c.Message, c.Fix)
				}
			}
		})
	}
}

// TestConsoleValuesWin: with the Console read, the claim and lifetime checks use the Console's
// values, not the recorded ones, and console.rule names the recorded values that differ.
func TestConsoleValuesWin(t *testing.T) {
	f := consoleFixture()
	f.cfg.SubjectPrefix, f.cfg.Audience = "ak-typo", "typo"
	f.obs.Console.Issuer.MaxJWTLifetimeSeconds = 1800
	f.cfg.MaxIdentityTokenLifetime = 1800 * time.Second
	rep := f.report(t)
	for id, want := range map[string]Status{CheckClaimSub: Pass, CheckClaimAud: Pass, CheckLifetime: Fail, CheckConsoleRule: Fail} {
		if c := checkOf(t, rep, id); c.Status != want {
			t.Errorf("%s = %s (%s), want %s", id, c.Status, c.Message, want)
		}
	}
	if c := checkOf(t, rep, CheckLifetime); !strings.Contains(c.Expected, "1800 s") || !strings.Contains(c.Expected, "read from the Console") {
		t.Errorf("lifetime does not use the Console's maximum: %q", c.Expected)
	}
	m := rep.Console.Mismatches()
	if len(m) != 2 || m[0].Field != wif.FieldSubjectPrefix || m[1].Field != wif.FieldAudience || m[0].Console != testSub {
		t.Fatalf("mismatches %+v", m)
	}
}

// TestConsoleRuleWithoutAudience: Anthropic then wants its default audience.
func TestConsoleRuleWithoutAudience(t *testing.T) {
	f := consoleFixture()
	f.cfg.Audience = ""
	f.obs.Console.Rule.Match.Audience = ""
	c := checkOf(t, f.report(t), CheckClaimAud)
	if c.Status != Fail || !strings.Contains(c.Expected, "https://api.anthropic.com") {
		t.Fatalf("claim.aud = %+v", c)
	}
	f = consoleFixture()
	f.cfg.Audience = ""
	f.obs.Console.Rule.Match.Audience = ""
	f.claims["aud"] = []any{testClientID, "https://api.anthropic.com"}
	if c := checkOf(t, f.report(t), CheckClaimAud); c.Status != Pass {
		t.Fatalf("claim.aud with the default audience = %+v", c)
	}
}

func TestRuleClaimsAndCondition(t *testing.T) {
	cases := []struct {
		name   string
		check  string
		edit   func(f *fixture)
		status Status
		want   []string
	}{
		{"claims pass", CheckRuleClaims, func(f *fixture) { f.claims["env"] = "prod"; f.cfg.Claims = map[string]string{"env": "prod"} }, Pass, nil},
		{"claims value", CheckRuleClaims, func(f *fixture) { f.claims["env"] = "dev"; f.cfg.Claims = map[string]string{"env": "prod"} }, Fail, []string{`The claim "env" is "dev", the rule wants "prod"`}},
		{"claims absent", CheckRuleClaims, func(f *fixture) { f.cfg.Claims = map[string]string{"env": "prod"} }, Fail, []string{`no claim "env"`}},
		{"claims not a string", CheckRuleClaims, func(f *fixture) { f.claims["level"] = 3; f.cfg.Claims = map[string]string{"level": "3"} }, Fail, []string{"not a string", "condition"}},
		{"condition true", CheckRuleCondition, func(f *fixture) { f.cfg.Condition = `claims.aud == "` + testClientID + `"` }, Pass, nil},
		{"condition false", CheckRuleCondition, func(f *fixture) {
			f.claims["groups"] = []any{"dev"}
			f.cfg.Condition = `claims.sub.startsWith("ak-") && "ops" in claims.groups`
		}, Fail, []string{`"ops" in claims.groups (claims.groups = ["dev"]) is false`}},
		{"condition evaluation error", CheckRuleCondition, func(f *fixture) { f.cfg.Condition = `claims.team == "infra"` }, Fail, []string{`the token has no claim (or key) "team"`, "no match"}},
		{"condition compile error", CheckRuleCondition, func(f *fixture) { f.cfg.Condition = `claims.sub.startsWith(` }, Fail, []string{"does not compile"}},
		{"condition not recorded", CheckRuleCondition, func(f *fixture) {}, Skip, []string{"--condition"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture()
			tc.edit(f)
			rep := f.report(t)
			assertInvariants(t, rep, f.token)
			c := checkOf(t, rep, tc.check)
			if c.Status != tc.status {
				t.Fatalf("%s = %s: %s / %s", tc.check, c.Status, c.Actual, c.Message)
			}
			for _, w := range tc.want {
				if !strings.Contains(c.Message+" "+c.Fix, w) {
					t.Errorf("%s lacks %q: %s / %s", tc.check, w, c.Message, c.Fix)
				}
			}
		})
	}
}

// TestConsoleConditionFromRule: the Console's condition is evaluated, not the recorded one.
func TestConsoleConditionFromRule(t *testing.T) {
	f := consoleFixture()
	f.cfg.Condition = "" // nothing recorded: not a failure, the Console's is used
	f.obs.Console.Rule.Match.Condition = `claims.sub == "someone-else"`
	rep := f.report(t)
	c := checkOf(t, rep, CheckRuleCondition)
	if c.Status != Fail || !strings.Contains(c.Message, `claims.sub == "someone-else"`) || !strings.Contains(c.Expected, "read from the Console") {
		t.Fatalf("rule.condition = %+v", c)
	}
	if r := checkOf(t, rep, CheckConsoleRule); r.Status != Pass || !strings.Contains(r.Message, "CEL condition") {
		t.Fatalf("console.rule = %s %q, want a pass naming the condition taken from the Console", r.Status, r.Message)
	}
}

func TestConsoleDrift(t *testing.T) {
	prev := consoleFixture().report(t)
	cases := []struct {
		name string
		edit func(f *fixture)
		want string
	}{
		{"rule archived", func(f *fixture) { f.obs.Console.Rule.ArchivedAt = now() }, "archived"},
		{"match edited", func(f *fixture) { f.obs.Console.Rule.Match.SubjectPrefix = "ak-*" }, "match block was edited"},
		{"lifetime changed", func(f *fixture) { f.obs.Console.Rule.TokenLifetimeSeconds = 900 }, "token lifetime"},
		{"JWKS source changed", func(f *fixture) {
			f.obs.Console.Issuer.JWKS = wif.ConsoleJWKS{Type: wif.JWKSExplicitURL, URL: f.obs.JWKS.URL}
		}, "JWKS source"},
		{"account archived", func(f *fixture) { f.obs.Console.Account.ArchivedAt = now() }, "service account was archived"},
		{"removed from workspace", func(f *fixture) { f.obs.Console.Memberships = f.obs.Console.Memberships[:1] }, "removed from workspace " + testWS},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := consoleFixture()
			tc.edit(f)
			drift := Drift(prev, f.report(t))
			found := false
			for _, d := range drift {
				if strings.HasPrefix(d.Kind, "console.") && strings.Contains(d.Message, tc.want) {
					found = true
				}
				if d.Kind == DriftCheck && strings.Contains(d.Message, "check console.") {
					t.Errorf("a console check's failure is named twice: %+v", d)
				}
			}
			if !found {
				t.Fatalf("drift %+v lacks %q", drift, tc.want)
			}
		})
	}
	if d := Drift(prev, consoleFixture().report(t)); len(d) != 0 {
		t.Fatalf("no change, but drift %+v", d)
	}
}
