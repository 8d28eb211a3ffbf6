package actions_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	anthemu "github.com/wifwiz/wifwiz/anthropic/emulator"
	akemu "github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// planSetup is a stored connection whose authentik side works and whose Console side does not
// exist yet, with a sample token recorded — what the wizard has after step 3.
type planSetup struct {
	ak    *akemu.Emulator
	anth  *anthemu.Server
	p     akemu.Provider
	db    *store.DB
	svc   *actions.Service
	conn  wif.Connection
	token string
	ws    string
}

func newPlanSetup(t *testing.T) *planSetup {
	t.Helper()
	ak := testenv.Start(t)
	p := testenv.Provider(t, ak, "plan-ci")
	anth := testenv.Anthropic(t)
	db, _ := testenv.OpenStore(t)
	conn := testenv.Connection(t, ak, p, "plan-ci", testenv.SecretEnv(p))
	conn.ServiceAccountID, conn.FederationRuleID, conn.OrganizationID, conn.IssuerID = "", "", "", ""
	conn.JWKSSource, conn.InlineJWKS, conn.SubjectPrefix, conn.TokenLifetime = "", "", "", 0
	conn.AnthropicBaseURL, conn.Step = anth.URL, actions.StepSample
	conn = testenv.Create(t, db, conn)
	runner := &probe.Runner{ExtraCA: ak.CAPEM(), AnthropicCA: anth.CertPEM()}
	svc := testenv.Service(t, db, runner, testenv.ServiceOptions{Env: map[string]string{testenv.SecretEnv(p): p.ClientSecret}, ResolveAnyRef: true})
	s := &planSetup{ak: ak, anth: anth, p: p, db: db, svc: svc, conn: conn, token: testenv.ConsoleToken(anth), ws: anth.AddWorkspace("batch").ID}
	s.verify(t, false) // the sample token the rule's subject comes from
	return s
}

func (s *planSetup) request() actions.PlanRequest {
	return actions.PlanRequest{Connection: s.conn, Side: wif.SideConsole, Credentials: actions.Credentials{ConsoleToken: s.token},
		Choices: actions.PlanChoices{WorkspaceID: s.ws}}
}

func (s *planSetup) verify(t *testing.T, exchange bool) verify.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := s.svc.VerifyAndRecord(ctx, actions.VerifyRequest{Connection: s.conn, UseStoredSecret: true, Exchange: exchange,
		Credentials: actions.Credentials{ConsoleToken: s.token}, Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return v.Report
}

func (s *planSetup) apply(t *testing.T) actions.Applied {
	t.Helper()
	done, err := s.svc.Apply(context.Background(), s.request(), "test")
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	s.conn = done.Connection
	return done
}

func stepOf(t *testing.T, plan wif.Plan, object string) wif.PlanStep {
	t.Helper()
	for _, st := range plan.Steps {
		if st.Object == object {
			return st
		}
	}
	t.Fatalf("no %s step in %+v", object, plan)
	return wif.PlanStep{}
}

func TestConsolePlanApplyExchange(t *testing.T) {
	s := newPlanSetup(t)
	ctx := context.Background()
	sub := wif.ServiceAccountUsername(s.p.Name)

	plan, err := s.svc.Plan(ctx, s.request())
	if err != nil {
		t.Fatal(err)
	}
	if plan.Changes() != 4 {
		t.Fatalf("plan %+v, want 4 creations", plan)
	}
	iss := stepOf(t, plan, "federation issuer")
	if f := fieldsOf(iss)["jwks.type"]; iss.Action != wif.PlanCreate || f.Wanted != wif.JWKSInline {
		t.Errorf("issuer step %+v: the emulator is not public, so its keys go inline", iss)
	}
	if f := fieldsOf(iss)["jwks.keys (kid)"]; f.Wanted != s.ak.KeyID(s.p.Slug) {
		t.Errorf("inline keys %q, want the provider's kid %q", f.Wanted, s.ak.KeyID(s.p.Slug))
	}
	rule := stepOf(t, plan, "federation rule")
	for name, want := range map[string]string{"match.subject_prefix": sub, "match.audience": s.p.ClientID, "oauth_scope": wif.ScopeWorkspaceInference, "workspace_id": s.ws} {
		if f := fieldsOf(rule)[name]; f.Wanted != want {
			t.Errorf("rule %s = %q, want %q", name, f.Wanted, want)
		}
	}
	if m := stepOf(t, plan, "workspace membership"); m.Action != wif.PlanCreate {
		t.Errorf("membership step %+v", m)
	}
	if n := len(s.anth.History()); n != 0 || s.anth.Stats().Issued != 0 {
		t.Fatal("planning changed something")
	}

	done := s.apply(t)
	c := done.Connection
	if !strings.HasPrefix(c.IssuerID, "fdis_") || !strings.HasPrefix(c.ServiceAccountID, "svac_") || !strings.HasPrefix(c.FederationRuleID, "fdrl_") ||
		c.OrganizationID != s.anth.OrganizationID() || c.WorkspaceID != s.ws || c.SubjectPrefix != sub || c.JWKSSource != wif.JWKSInline {
		t.Fatalf("recorded connection %+v", c)
	}
	stored, err := s.db.GetConnection(ctx, c.ID)
	if err != nil || stored.FederationRuleID != c.FederationRuleID || stored.IssuerID != c.IssuerID {
		t.Fatalf("the IDs were not stored: %+v %v", stored, err)
	}
	if !slices.ContainsFunc(s.anth.Memberships(c.ServiceAccountID), func(m anthemu.Membership) bool { return m.WorkspaceID == s.ws }) {
		t.Fatal("the service account is not a member of the workspace")
	}
	if r, ok := s.anth.FederationRule(c.FederationRuleID); !ok || r.Match.SubjectPrefix != sub || r.Target.ServiceAccountID != c.ServiceAccountID {
		t.Fatalf("the emulator's rule %+v", r)
	}

	rep := s.verify(t, true)
	for _, ch := range rep.Checks {
		if ch.Status == verify.Fail {
			t.Errorf("%s fails after apply: %s", ch.ID, ch.Message)
		}
	}
	if x := check(t, &rep, verify.CheckExchange); x.Status != verify.Pass {
		t.Fatalf("the live exchange after apply: %s %s %s; history %+v", x.Status, x.Actual, x.Message, s.anth.History())
	}

	again, err := s.svc.Plan(ctx, s.request())
	if err != nil {
		t.Fatal(err)
	}
	if again.Changes() != 0 {
		t.Fatalf("a second plan still changes: %+v", again)
	}
	second := s.apply(t)
	if second.Plan.Changes() != 0 || second.Connection.FederationRuleID != c.FederationRuleID {
		t.Fatalf("a second apply changed something: %+v", second.Plan)
	}
}

// TestConsoleApplyKeepsInlineKeysCurrent: after authentik rotated its key, the plan adds the new
// key and keeps the old one; the exchange with a token signed by the new key then passes.
func TestConsoleApplyKeepsInlineKeysCurrent(t *testing.T) {
	s := newPlanSetup(t)
	s.apply(t)
	oldKid := s.ak.KeyID(s.p.Slug)
	if err := s.ak.RotateKey(s.p.Slug); err != nil {
		t.Fatal(err)
	}
	newKid := s.ak.KeyID(s.p.Slug)
	if rep := s.verify(t, false); check(t, &rep, verify.CheckConsoleIssuer).Status != verify.Fail {
		t.Fatal("console.issuer does not see that the inline keys lack the new kid")
	}
	plan, err := s.svc.Plan(context.Background(), s.request())
	if err != nil {
		t.Fatal(err)
	}
	iss := stepOf(t, plan, "federation issuer")
	f, ok := fieldsOf(iss)["jwks.keys (kid)"]
	if iss.Action != wif.PlanUpdate || !ok || f.Current != oldKid || f.Wanted != oldKid+", "+newKid || !strings.Contains(iss.Note, oldKid) {
		t.Fatalf("issuer step %+v", iss)
	}
	if plan.Changes() != 1 {
		t.Fatalf("the rotation changes more than the issuer: %+v", plan)
	}
	s.apply(t)
	got, _ := s.anth.FederationIssuer(s.conn.IssuerID)
	var keys []struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(got.JWKS.Keys, &keys); err != nil || len(keys) != 2 || keys[0].Kid != oldKid || keys[1].Kid != newKid {
		t.Fatalf("the issuer's keys after apply: %s", got.JWKS.Keys)
	}
	rep := s.verify(t, true)
	if x := check(t, &rep, verify.CheckExchange); x.Status != verify.Pass {
		t.Fatalf("exchange after the rotation was applied: %s %s", x.Status, x.Message)
	}
}

func TestConsoleApplyRefusesAnotherPlan(t *testing.T) {
	s := newPlanSetup(t)
	plan, err := s.svc.Plan(context.Background(), s.request())
	if err != nil {
		t.Fatal(err)
	}
	r := s.request()
	r.ExpectDigest = actions.PlanDigest(plan)
	r.Choices.OAuthScope = wif.ScopeWorkspaceDeveloper // not the plan that was shown
	if _, err := s.svc.Apply(context.Background(), r, "test"); wif.ErrorCode(err) != wif.ECONFLICT {
		t.Fatalf("apply of another plan: %v", err)
	}
	if _, ok, _ := testenv.ConsoleClient(t, s.anth, s.token).IssuerByURL(context.Background(), s.conn.IssuerURL); ok {
		t.Fatal("something was created although the plan differed")
	}
	r.Choices.OAuthScope = ""
	if _, err := s.svc.Apply(context.Background(), r, "test"); err != nil {
		t.Fatalf("apply of the plan shown: %v", err)
	}
}

func TestConsolePlanExplainsRefusals(t *testing.T) {
	s := newPlanSetup(t)
	cases := map[string]string{
		s.anth.IssueConsoleToken(anthemu.ConsoleToken{Scopes: []string{"user:inference"}}):                                   "lacks the org:admin scope",
		s.anth.IssueConsoleToken(anthemu.ConsoleToken{Scopes: []string{"org:admin"}, ExpiresAt: time.Now().Add(-time.Hour)}): "ant auth print-credentials --access-token",
		"": "Give an Anthropic OAuth access token",
	}
	for token, want := range cases {
		r := s.request()
		r.Credentials.ConsoleToken = token
		_, err := s.svc.Plan(context.Background(), r)
		if wif.ErrorCode(err) != wif.EINVALID || !strings.Contains(err.Error(), want) {
			t.Errorf("plan with a refused token: %v, want an explained error containing %q", err, want)
		}
		if token != "" && strings.Contains(err.Error(), token) {
			t.Error("the token is in the error")
		}
	}
}

// TestConsoleTakeValues: the wizard's "Take the Console's values" records what the last report
// read from the Console, and the next verification has no recorded value differing.
func TestConsoleTakeValues(t *testing.T) {
	s := newPlanSetup(t)
	s.apply(t)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.anth.EditFederationRule(s.conn.FederationRuleID, func(r *anthemu.FederationRule) {
		r.TokenLifetimeSeconds, r.Match.Claims = 900, map[string]string{"acr": "goauthentik.io/providers/oauth2/default"}
	}))
	rep := s.verify(t, false)
	if c := check(t, &rep, verify.CheckConsoleRule); c.Status != verify.Fail || !strings.Contains(c.Message, `Token lifetime: recorded "3600 s", the Console has "900 s"`) {
		t.Fatalf("console.rule = %s %q", c.Status, c.Message)
	}
	saved, err := s.svc.TakeConsoleValues(context.Background(), s.conn, "test")
	if err != nil || !saved.OK() {
		t.Fatalf("take: %+v %v", saved, err)
	}
	s.conn = saved.Connection
	if s.conn.TokenLifetime != 900*time.Second || s.conn.Claims["acr"] == "" {
		t.Fatalf("taken connection %+v", s.conn)
	}
	rep = s.verify(t, false)
	if c := check(t, &rep, verify.CheckConsoleRule); c.Status != verify.Pass || len(rep.Console.Differences) != 0 {
		t.Fatalf("after taking: console.rule %s %q, differences %+v", c.Status, c.Message, rep.Console.Differences)
	}
}

// TestConsolePlanUnreadableKeys: when the keys that go inline cannot be read, the plan says why
// and what to check, and plans nothing.
func TestConsolePlanUnreadableKeys(t *testing.T) {
	s := newPlanSetup(t)
	s.ak.Close()
	_, err := s.svc.Plan(context.Background(), s.request())
	if wif.ErrorCode(err) != wif.EINVALID || !strings.Contains(err.Error(), "could not read them") ||
		!strings.Contains(err.Error(), "check the issuer URL and the CA certificate") {
		t.Fatalf("plan with the issuer down: %v", err)
	}
}
