package actions_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// akSetup is a stored connection with only its basics, a service wired to real adapters, and
// the emulator it is for.
type akSetup struct {
	emu    *emulator.Emulator
	svc    *actions.Service
	conn   wif.Connection
	dbPath string
}

func newAKSetup(t *testing.T, opts ...emulator.Option) *akSetup {
	t.Helper()
	emu := testenv.Start(t, opts...)
	db, path := testenv.OpenStore(t)
	svc := testenv.Service(t, db, &probe.Runner{ExtraCA: emu.CAPEM()}, testenv.ServiceOptions{ResolveAnyRef: true})
	c := testenv.Create(t, db, wif.Connection{Name: "batch", AuthentikURL: emu.URL(), AppSlug: "claude-batch", ProviderName: "Claude Batch",
		MaxIdentityTokenLifetime: 30 * time.Minute, TokenLifetime: time.Hour, Step: 1})
	return &akSetup{emu: emu, svc: svc, conn: c, dbPath: path}
}

func (s *akSetup) request(token string) actions.PlanRequest {
	return actions.PlanRequest{Connection: s.conn, Side: wif.SideAuthentik, Credentials: actions.Credentials{AuthentikToken: token}}
}

func fieldsOf(st wif.PlanStep) map[string]wif.PlanField {
	out := map[string]wif.PlanField{}
	for _, f := range st.Fields {
		out[f.Name] = f
	}
	return out
}

// TestApplyAuthentikCreatesThenKeeps: the plan lists a new provider and application field by
// field; apply creates them, records their IDs and hands out the client secret once; the
// connection then verifies with authentik.provider passing; a second plan and apply change nothing.
func TestApplyAuthentikCreatesThenKeeps(t *testing.T) {
	s := newAKSetup(t)
	ctx := context.Background()
	plan, err := s.svc.Plan(ctx, s.request(s.emu.APIToken()))
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Steps) != 2 || plan.Changes() != 2 || plan.Steps[0].Action != wif.PlanCreate || plan.Steps[1].Action != wif.PlanCreate {
		t.Fatalf("plan %+v", plan)
	}
	want := map[string]string{"name": "Claude Batch", "client_type": "confidential", "redirect_uris": "(none)",
		"signing_key": wif.SelfSignedKeypairName + " (rsa)", "encryption_key": "(none)", "sub_mode": wif.SubUsername,
		"issuer_mode": wif.IssuerModePerProvider, "access_token_validity": "minutes=30",
		"authorization_flow": wif.DefaultAuthorizationFlow, "invalidation_flow": wif.DefaultInvalidationFlow, "property_mappings": "openid, profile"}
	got := fieldsOf(plan.Steps[0])
	if len(got) != len(want) {
		t.Errorf("provider fields %+v", plan.Steps[0].Fields)
	}
	for name, v := range want {
		if got[name].Wanted != v {
			t.Errorf("%s = %q, want %q", name, got[name].Wanted, v)
		}
	}
	if _, has := got["grant_types"]; has {
		t.Error("grant_types planned for authentik 2026.2")
	}
	if app := fieldsOf(plan.Steps[1]); app["slug"].Wanted != "claude-batch" || app["name"].Wanted != "Claude Batch" {
		t.Errorf("application fields %+v", plan.Steps[1].Fields)
	}

	done, err := s.svc.Apply(ctx, s.request(s.emu.APIToken()), "test")
	if err != nil {
		t.Fatal(err)
	}
	p, ok := s.emu.Provider("claude-batch")
	if !ok || p.Detached || done.ClientSecret != p.ClientSecret || p.SubMode != wif.SubUsername || p.Validity != "minutes=30" || p.Signing != emulator.RS256 {
		t.Fatalf("emulator has %+v (secret handed out: %v)", p, done.ClientSecret == p.ClientSecret)
	}
	c := done.Connection
	if c.ProviderPK != int64(p.PK) || c.ClientID != p.ClientID || c.SubjectMode != wif.SubUsername || c.AccessTokenValidity != "minutes=30" ||
		c.IssuerURL != s.emu.IssuerURL("claude-batch") || c.Audience != p.ClientID || c.SubjectPrefix != "ak-Claude Batch-client_credentials" || c.Step < actions.StepProvider {
		t.Errorf("recorded %+v", c)
	}
	stored, err := s.svc.ConnectionByName(ctx, "batch")
	if err != nil || stored.ProviderPK != c.ProviderPK || stored.ClientID != p.ClientID {
		t.Fatalf("stored %+v err %v", stored, err)
	}

	// The created objects work at once: a verification with the secret and the token passes.
	v, err := s.svc.VerifyAndRecord(ctx, actions.VerifyRequest{Connection: *stored, Secret: done.ClientSecret,
		Credentials: actions.Credentials{AuthentikToken: s.emu.ReadOnlyAPIToken()}})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{verify.CheckAuthentikProvider, verify.CheckTokenRequest, verify.CheckClaimSub, verify.CheckClaimAud, verify.CheckLifetime} {
		if ch := check(t, &v.Report, id); ch.Status != verify.Pass {
			t.Errorf("%s: %s %s %s", id, ch.Status, ch.Message, ch.Fix)
		}
	}

	s.conn = *stored
	again, err := s.svc.Plan(ctx, s.request(s.emu.APIToken()))
	if err != nil || again.Changes() != 0 || again.Steps[0].ID == "" || again.Steps[1].ID == "" {
		t.Fatalf("second plan %+v err %v, want nothing to change", again, err)
	}
	second, err := s.svc.Apply(ctx, s.request(s.emu.APIToken()), "test")
	if err != nil || second.ClientSecret != "" || second.Plan.Changes() != 0 {
		t.Fatalf("second apply %+v err %v", second.Plan, err)
	}
	if p2, _ := s.emu.Provider("claude-batch"); p2.ClientID != p.ClientID || p2.PK != p.PK {
		t.Error("the second apply replaced the provider")
	}
	assertNoSecretsStored(t, s.dbPath, done.ClientSecret, s.emu.APIToken(), s.emu.ReadOnlyAPIToken())
}

// TestPlanAuthentikUpdatesOnlyWhatDiffers: an existing provider with the typical mistakes is
// planned field by field, and apply fixes exactly those.
func TestPlanAuthentikUpdatesOnlyWhatDiffers(t *testing.T) {
	s := newAKSetup(t, emulator.WithVersion("2026.5.0"))
	p, err := s.emu.AddProvider(emulator.Provider{Slug: "claude-batch", Name: "Claude Batch", Signing: emulator.SigningNone,
		ClientSecret: strings.Repeat("s", 40), Encrypted: true, Validity: "hours=2", RedirectURIs: []string{"https://x.example/cb"}, Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	s.conn.ClientID = p.ClientID
	plan, err := s.svc.Plan(context.Background(), s.request(s.emu.APIToken()))
	if err != nil {
		t.Fatal(err)
	}
	prov, app := plan.Steps[0], plan.Steps[1]
	if prov.Action != wif.PlanUpdate || prov.ID == "" || app.Action != wif.PlanUpdate {
		t.Fatalf("plan %+v", plan)
	}
	got := fieldsOf(prov)
	for name, cur := range map[string]string{"redirect_uris": "https://x.example/cb", "signing_key": "(none)", "encryption_key": "",
		"sub_mode": wif.SubHashedUserID, "access_token_validity": "hours=2", "grant_types": "authorization_code"} {
		f, ok := got[name]
		if !ok || !strings.Contains(f.Current, cur) {
			t.Errorf("%s: %+v, want a change from %q", name, f, cur)
		}
	}
	if len(got) != 6 || got["grant_types"].Wanted != "client_credentials" || !strings.Contains(prov.Note, "subject prefix") {
		t.Errorf("fields %+v note %q", prov.Fields, prov.Note)
	}
	if f := fieldsOf(app)["provider"]; f.Current != "(none)" {
		t.Errorf("application %+v", app.Fields)
	}
	done, err := s.svc.Apply(context.Background(), s.request(s.emu.APIToken()), "test")
	if err != nil {
		t.Fatal(err)
	}
	if done.ClientSecret != "" {
		t.Error("an existing provider's secret was handed out")
	}
	after, _ := s.emu.Provider("claude-batch")
	if after.Signing != emulator.RS256 || after.Encrypted || after.Validity != "minutes=30" || len(after.RedirectURIs) != 0 || after.Detached ||
		after.SubMode != wif.SubUsername || strings.Join(after.GrantTypes, ",") != "client_credentials" || after.ClientID != p.ClientID {
		t.Errorf("after apply %+v", after)
	}
}

// TestApplyAuthentikReadOnlyToken: a token that may only read gets authentik's 403 explained,
// and nothing is recorded.
func TestApplyAuthentikReadOnlyToken(t *testing.T) {
	s := newAKSetup(t)
	if _, err := s.svc.Plan(context.Background(), s.request(s.emu.ReadOnlyAPIToken())); err != nil {
		t.Fatalf("a read-only token cannot plan: %v", err)
	}
	_, err := s.svc.Apply(context.Background(), s.request(s.emu.ReadOnlyAPIToken()), "test")
	if wif.ErrorCode(err) != wif.EINVALID || !strings.Contains(err.Error(), "HTTP 403") || !strings.Contains(err.Error(), "may read") ||
		strings.Contains(err.Error(), s.emu.ReadOnlyAPIToken()) {
		t.Fatalf("err %v, want the 403 explained without the token", err)
	}
	if _, ok := s.emu.Provider("claude-batch"); ok {
		t.Error("a provider was created")
	}
	stored, _ := s.svc.ConnectionByName(context.Background(), "batch")
	if stored.ProviderPK != 0 || stored.ClientID != "" {
		t.Errorf("recorded %+v", stored)
	}
}

// TestApplyAuthentik2026_5: from authentik 2026.5 the new provider gets only the client
// credentials grant, and the token endpoint serves it.
func TestApplyAuthentik2026_5(t *testing.T) {
	s := newAKSetup(t, emulator.WithVersion("2026.5.1"))
	plan, err := s.svc.Plan(context.Background(), s.request(s.emu.APIToken()))
	if err != nil || fieldsOf(plan.Steps[0])["grant_types"].Wanted != "client_credentials" {
		t.Fatalf("plan %+v err %v", plan, err)
	}
	done, err := s.svc.Apply(context.Background(), s.request(s.emu.APIToken()), "test")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := s.emu.Provider("claude-batch")
	if strings.Join(p.GrantTypes, ",") != "client_credentials" {
		t.Errorf("grant types %v", p.GrantTypes)
	}
	v, err := s.svc.VerifyAndRecord(context.Background(), actions.VerifyRequest{Connection: done.Connection, Secret: done.ClientSecret,
		Credentials: actions.Credentials{AuthentikToken: s.emu.APIToken()}})
	if err != nil {
		t.Fatal(err)
	}
	if ch := check(t, &v.Report, verify.CheckAuthentikProvider); ch.Status != verify.Pass || !strings.Contains(ch.Actual, `grant_types="client_credentials"`) {
		t.Errorf("authentik.provider %+v", ch)
	}
	if ch := check(t, &v.Report, verify.CheckTokenRequest); ch.Status != verify.Pass {
		t.Errorf("token.request %+v", ch)
	}
}

func TestPlanAuthentikInputs(t *testing.T) {
	s := newAKSetup(t)
	ctx := context.Background()
	if _, err := s.svc.Plan(ctx, s.request("")); wif.ErrorCode(err) != wif.EINVALID || !strings.Contains(err.Error(), "--authentik-token-file") {
		t.Errorf("no token: %v", err)
	}
	r := s.request(s.emu.APIToken())
	r.Choices.SubjectMode = wif.SubEmail
	if _, err := s.svc.Plan(ctx, r); wif.ErrorCode(err) != wif.EINVALID || !strings.Contains(err.Error(), "empty sub") {
		t.Errorf("email subject mode: %v", err)
	}
	r.Choices = actions.PlanChoices{SigningKey: "no such key"}
	if _, err := s.svc.Plan(ctx, r); wif.ErrorCode(err) != wif.EINVALID || !strings.Contains(err.Error(), wif.SelfSignedKeypairName) {
		t.Errorf("unknown signing key: %v", err)
	}
	r = s.request("wrong-token")
	if _, err := s.svc.Plan(ctx, r); wif.ErrorCode(err) != wif.EINVALID || !strings.Contains(err.Error(), "did not accept the API token") {
		t.Errorf("wrong token: %v", err)
	}
}

// TestAuditNamesAuthentikDrift: with a stored authentik token reference each audit reads the
// provider; a changed provider is named as authentik-side drift.
func TestAuditNamesAuthentikDrift(t *testing.T) {
	emu := testenv.Start(t)
	p := testenv.Provider(t, emu, "claude")
	db, path := testenv.OpenStore(t)
	c := testenv.Connection(t, emu, p, "drifty", "DRIFT_SECRET")
	c.AuthentikTokenRef, c.AuthentikTokenRefOrigin = "env:AK_TOKEN", wif.AuthentikOrigin(c)
	c = testenv.Create(t, db, c)
	env := map[string]string{"DRIFT_SECRET": p.ClientSecret, "AK_TOKEN": emu.ReadOnlyAPIToken()}
	a := newAuditor(t, db, &probe.Runner{ExtraCA: emu.CAPEM()}, env)
	first := only(t, a.Run(context.Background(), []wif.Connection{c}, nil))
	if first.Status != wif.AuditPassed || check(t, first.Report, verify.CheckAuthentikProvider).Status != verify.Pass {
		t.Fatalf("first audit %s: %+v", first.Status, check(t, first.Report, verify.CheckAuthentikProvider))
	}
	if err := emu.Update("claude", func(q *emulator.Provider) { q.Encrypted = true; q.Validity = "hours=2" }); err != nil {
		t.Fatal(err)
	}
	second := only(t, a.Run(context.Background(), []wif.Connection{c}, nil))
	kinds := driftKinds(second.Drift)
	for _, k := range []string{verify.DriftEncryptionKey, verify.DriftValidity} {
		if !strings.Contains(kinds, k) {
			t.Errorf("drift %s lacks %s", kinds, k)
		}
	}
	assertNoSecretsStored(t, path, p.ClientSecret, emu.ReadOnlyAPIToken())
}

// assertNoSecretsStored reads the SQLite file, its WAL and shared memory as an attacker would.
func assertNoSecretsStored(t *testing.T, path string, secrets ...string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil && suffix == "" {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if s != "" && bytes.Contains(b, []byte(s)) {
				t.Errorf("a secret is in %s%s", path, suffix)
			}
		}
	}
}
