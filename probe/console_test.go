package probe_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	anthemu "github.com/wifwiz/wifwiz/anthropic/emulator"
	akemu "github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// consoleSetup is an authentik provider and the Console side made for it in the Anthropic
// emulator, through the management API; every check passes.
type consoleSetup struct {
	ak     *akemu.Emulator
	anth   *anthemu.Server
	p      akemu.Provider
	conn   wif.Connection
	runner *probe.Runner
	token  string // the Console token
}

func newConsoleSetup(t *testing.T) *consoleSetup {
	t.Helper()
	ak := testenv.Start(t)
	p := testenv.Provider(t, ak, "console-ci")
	anth := testenv.Anthropic(t)
	conn := testenv.Connection(t, ak, p, "console-ci", testenv.SecretEnv(p))
	conn = testenv.ConsoleSide(t, anth, conn)
	return &consoleSetup{ak: ak, anth: anth, p: p, conn: conn, token: testenv.ConsoleToken(anth),
		runner: &probe.Runner{ExtraCA: ak.CAPEM(), AnthropicCA: anth.CertPEM()}}
}

func (s *consoleSetup) verify(t *testing.T, conn wif.Connection, consoleToken string, exchange bool) verify.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := s.runner.Verify(ctx, wif.ProbeRequest{Connection: conn, Secret: s.p.ClientSecret, ConsoleToken: consoleToken, Exchange: exchange})
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(rep)
	if consoleToken != "" && strings.Contains(string(js), consoleToken) {
		t.Fatal("the Console token is in the report")
	}
	return rep
}

func checkIn(t *testing.T, rep verify.Report, id string) verify.Check {
	t.Helper()
	for _, c := range rep.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %s", id)
	return verify.Check{}
}

func TestConsoleReadThroughTheAPI(t *testing.T) {
	s := newConsoleSetup(t)
	rep := s.verify(t, s.conn, s.token, true)
	for _, c := range rep.Checks {
		loopback := c.ID == verify.CheckIssuerURL || c.ID == verify.CheckIssuerPublic // the emulator listens on loopback
		if c.Status != verify.Pass && !(c.Status == verify.Skip && verify.Conditional(c.ID)) && !(loopback && c.Status == verify.Warn) {
			t.Errorf("%s: %s — %s (fix: %s)", c.ID, c.Status, c.Message, c.Fix)
		}
	}
	if c := checkIn(t, rep, verify.CheckClaimSub); !strings.Contains(c.Expected, "read from the Console") {
		t.Errorf("claim.sub does not say it uses the Console's rule: %q", c.Expected)
	}
	if rep.Console == nil || rep.Console.Rule.ID != s.conn.FederationRuleID || rep.Console.ServiceAccount.ID != s.conn.ServiceAccountID ||
		rep.Console.OrganizationID != s.anth.OrganizationID() || len(rep.Console.Differences) != 0 {
		t.Fatalf("Console state %+v", rep.Console)
	}
	// The rule is found by its name when no ID is recorded; the ID is then named as not recorded.
	byName := s.conn
	byName.FederationRuleID = ""
	rep = s.verify(t, byName, s.token, false)
	if c := checkIn(t, rep, verify.CheckConsoleRule); c.Status != verify.Pass || !strings.Contains(c.Message, "by its recorded name") || !strings.Contains(c.Message, "Federation rule ID") {
		t.Fatalf("console.rule by name = %s %q", c.Status, c.Message)
	}
}

func TestConsoleAccessRefusalsExplained(t *testing.T) {
	s := newConsoleSetup(t)
	cases := []struct {
		name  string
		token string
		want  []string
	}{
		{"expired", s.anth.IssueConsoleToken(anthemu.ConsoleToken{Scopes: []string{"org:admin"}, ExpiresAt: time.Now().Add(-time.Minute)}),
			[]string{"HTTP 401", "expired", "ant auth print-credentials --access-token"}},
		{"without org:admin", s.anth.IssueConsoleToken(anthemu.ConsoleToken{Scopes: []string{"user:inference"}}),
			[]string{"HTTP 403", "lacks the org:admin scope", "--scope \"org:admin\""}},
		{"Admin API key", "sk-ant-admin01-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", []string{"Admin API key", "not accepted"}},
	}
	t.Run("no answer", func(t *testing.T) {
		conn := s.conn
		conn.AnthropicBaseURL = "http://127.0.0.1:1"
		c := checkIn(t, s.verify(t, conn, s.token, false), verify.CheckConsoleAccess)
		if c.Status != verify.Fail || c.Actual != "no answer from the management API" || !strings.Contains(c.Fix, "base URL") {
			t.Fatalf("console.access = %+v", c)
		}
	})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep := s.verify(t, s.conn, tc.token, false)
			c := checkIn(t, rep, verify.CheckConsoleAccess)
			text := c.Actual + " " + c.Message + " " + c.Fix
			if c.Status != verify.Fail {
				t.Fatalf("console.access = %s: %s", c.Status, text)
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("console.access lacks %q: %s", w, text)
				}
			}
			if strings.Contains(text, tc.token) {
				t.Error("the token is in the report")
			}
			// Without the Console, the checks fall back to the recorded values, which are right.
			if c := checkIn(t, rep, verify.CheckClaimSub); c.Status != verify.Pass {
				t.Errorf("claim.sub = %s", c.Status)
			}
		})
	}
}

// TestConsoleFailuresAgainstTheEmulator breaks the Console side as someone in the Console would,
// and expects the matching check to name it — and the emulator's exchange to refuse.
func TestConsoleFailuresAgainstTheEmulator(t *testing.T) {
	cases := []struct {
		name  string
		check string
		edit  func(t *testing.T, s *consoleSetup) wif.Connection
		want  []string
	}{
		{"rule archived", verify.CheckConsoleRule, func(t *testing.T, s *consoleSetup) wif.Connection {
			must(t, s.anth.Archive(s.conn.FederationRuleID))
			return s.conn
		}, []string{"is archived"}},
		{"issuer archived", verify.CheckConsoleIssuer, func(t *testing.T, s *consoleSetup) wif.Connection {
			must(t, s.anth.Archive(s.conn.IssuerID))
			return s.conn
		}, []string{"is archived"}},
		{"issuer URL without its slash", verify.CheckConsoleIssuer, func(t *testing.T, s *consoleSetup) wif.Connection {
			must(t, s.anth.EditFederationIssuer(s.conn.IssuerID, func(i *anthemu.FederationIssuer) { i.IssuerURL = strings.TrimSuffix(i.IssuerURL, "/") }))
			return s.conn
		}, []string{"the recorded issuer URL ends with '/', the Console's issuer_url does not", "set the Console issuer's issuer_url to exactly"}},
		{"inline keys outdated", verify.CheckConsoleIssuer, func(t *testing.T, s *consoleSetup) wif.Connection {
			must(t, s.ak.RotateKey(s.p.Slug))
			return s.conn
		}, []string{"inline keys does not hold the token's kid", "wifwiz apply --side console"}},
		{"explicit URL without the kid", verify.CheckConsoleIssuer, func(t *testing.T, s *consoleSetup) wif.Connection {
			other := testenv.Provider(t, s.ak, "someone-else")
			must(t, s.anth.EditFederationIssuer(s.conn.IssuerID, func(i *anthemu.FederationIssuer) {
				i.JWKS = anthemu.JWKSSource{Type: "explicit_url", URL: s.ak.IssuerURL(other.Slug) + "jwks/"}
			}))
			return s.conn
		}, []string{"Anthropic cannot fetch from the issuer's jwks.url", "does not hold the token's kid"}},
		{"discovery on a private port", verify.CheckConsoleIssuer, func(t *testing.T, s *consoleSetup) wif.Connection {
			must(t, s.anth.EditFederationIssuer(s.conn.IssuerID, func(i *anthemu.FederationIssuer) { i.JWKS = anthemu.JWKSSource{Type: "discovery"} }))
			return s.conn
		}, []string{"Anthropic cannot fetch from the issuer's issuer_url", "not 443"}},
		{"another service account", verify.CheckConsoleRule, func(t *testing.T, s *consoleSetup) wif.Connection {
			c := s.conn
			c.ServiceAccountID = "svac_recordedelsewhere"
			return c
		}, []string{"targets service account svac_", "not the recorded svac_recordedelsewhere"}},
		{"workspace not enabled", verify.CheckConsoleRule, func(t *testing.T, s *consoleSetup) wif.Connection {
			c := s.conn
			c.WorkspaceID = s.anth.AddWorkspace("other").ID
			return c
		}, []string{"not enabled in the recorded workspace"}},
		{"workspace required", verify.CheckConsoleRule, func(t *testing.T, s *consoleSetup) wif.Connection {
			if _, err := testenv.ConsoleClient(t, s.anth, s.token).EnableRuleInWorkspace(context.Background(), s.conn.FederationRuleID, s.anth.AddWorkspace("second").ID); err != nil {
				t.Fatal(err)
			}
			c := s.conn
			c.WorkspaceID = ""
			return c
		}, []string{"must name its workspace"}},
		{"service account archived", verify.CheckConsoleAccount, func(t *testing.T, s *consoleSetup) wif.Connection {
			must(t, s.anth.Archive(s.conn.ServiceAccountID))
			return s.conn
		}, []string{"is archived"}},
		{"removed from the workspace", verify.CheckConsoleAccount, func(t *testing.T, s *consoleSetup) wif.Connection {
			s.anth.RemoveMembership(s.conn.ServiceAccountID, s.conn.WorkspaceID)
			return s.conn
		}, []string{"not a member of workspace"}},
		{"developer under an org:admin rule", verify.CheckConsoleAccount, func(t *testing.T, s *consoleSetup) wif.Connection {
			must(t, s.anth.EditFederationRule(s.conn.FederationRuleID, func(r *anthemu.FederationRule) { r.OAuthScope = "org:admin" }))
			return s.conn
		}, []string{"developer organization role", "org:admin"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newConsoleSetup(t)
			conn := tc.edit(t, s)
			rep := s.verify(t, conn, s.token, true)
			c := checkIn(t, rep, tc.check)
			text := c.Actual + " " + c.Message + " " + c.Fix
			if c.Status != verify.Fail {
				t.Fatalf("%s = %s: %s", tc.check, c.Status, text)
			}
			for _, w := range tc.want {
				if w != "" && !strings.Contains(text, w) {
					t.Errorf("%s lacks %q: %s", tc.check, w, text)
				}
			}
			if x := checkIn(t, rep, verify.CheckExchange); x.Status != verify.Fail {
				t.Errorf("the emulator's exchange = %s (%s): the check found a problem the exchange does not have", x.Status, x.Actual)
			}
		})
	}
}

// TestRuleMatchersAgainstTheEmulator: the Console's claims matchers and condition are evaluated
// as the emulator's exchange evaluates them.
func TestRuleMatchersAgainstTheEmulator(t *testing.T) {
	const acr = "goauthentik.io/providers/oauth2/default"
	cases := []struct {
		name   string
		match  func(m *anthemu.Match)
		check  string
		status verify.Status
		want   string
	}{
		{"claims hold", func(m *anthemu.Match) { m.Claims = map[string]string{"acr": acr} }, verify.CheckRuleClaims, verify.Pass, ""},
		{"claims differ", func(m *anthemu.Match) { m.Claims = map[string]string{"acr": "other"} }, verify.CheckRuleClaims, verify.Fail, `The claim "acr" is "` + acr + `", the rule wants "other"`},
		{"condition true", func(m *anthemu.Match) { m.Condition = `claims.acr.startsWith("goauthentik.io/")` }, verify.CheckRuleCondition, verify.Pass, ""},
		{"condition false", func(m *anthemu.Match) { m.Condition = `claims.sub.startsWith("ak-") && claims.acr == "mfa"` }, verify.CheckRuleCondition, verify.Fail,
			`claims.acr == "mfa" (claims.acr = "` + acr + `") is false`},
		{"condition evaluation error", func(m *anthemu.Match) { m.Condition = `claims.groups.exists(g, g == "ops")` }, verify.CheckRuleCondition, verify.Fail, `no claim (or key) "groups"`},
		{"condition compile error", func(m *anthemu.Match) { m.Condition = `claims.sub ==` }, verify.CheckRuleCondition, verify.Fail, "does not compile"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newConsoleSetup(t)
			must(t, s.anth.EditFederationRule(s.conn.FederationRuleID, func(r *anthemu.FederationRule) { tc.match(&r.Match) }))
			rep := s.verify(t, s.conn, s.token, true)
			c := checkIn(t, rep, tc.check)
			if c.Status != tc.status || !strings.Contains(c.Message, tc.want) || !strings.Contains(c.Expected, "read from the Console") {
				t.Fatalf("%s = %s %q (expected %q)", tc.check, c.Status, c.Message, c.Expected)
			}
			x := checkIn(t, rep, verify.CheckExchange)
			if (tc.status == verify.Pass) != (x.Status == verify.Pass) {
				t.Errorf("the check says %s but the emulator's exchange %s (%s)", c.Status, x.Status, x.Actual)
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
