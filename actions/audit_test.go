package actions_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/wifwiz/wifwiz/actions"
	anthemu "github.com/wifwiz/wifwiz/anthropic/emulator"
	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/secretref"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// auditor audits conns with a service wired like the command line's.
type auditor struct {
	svc         *actions.Service
	concurrency int
}

func newAuditor(t *testing.T, db *store.DB, runner *probe.Runner, env map[string]string) *auditor {
	return &auditor{svc: testenv.Service(t, db, runner, testenv.ServiceOptions{Env: env, ResolveAnyRef: true})}
}

func (a *auditor) Run(ctx context.Context, conns []wif.Connection, progress func(actions.AuditResult)) actions.AuditOutcome {
	o, err := a.svc.Audit(ctx, actions.AuditRequest{Connections: conns, Progress: progress, Concurrency: a.concurrency})
	if err != nil {
		panic(err)
	}
	return o
}

func only(t *testing.T, o actions.AuditOutcome) actions.AuditResult {
	t.Helper()
	if len(o.Results) != 1 {
		t.Fatalf("results = %d, want 1", len(o.Results))
	}
	return o.Results[0]
}

func check(t *testing.T, rep *verify.Report, id string) verify.Check {
	t.Helper()
	if rep == nil {
		t.Fatal("no report")
	}
	for _, c := range rep.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %s", id)
	return verify.Check{}
}

func driftKinds(ds []wif.Drift) string {
	var ks []string
	for _, d := range ds {
		ks = append(ks, d.Kind)
	}
	return strings.Join(ks, ",")
}

func TestAuditKeyRotation(t *testing.T) {
	ctx := context.Background()
	emu := testenv.Start(t)
	p := testenv.Provider(t, emu, "batch")
	db, _ := testenv.OpenStore(t)
	conn := testenv.Create(t, db, testenv.Connection(t, emu, p, "batch", "BATCH_SECRET"))
	a := newAuditor(t, db, &probe.Runner{ExtraCA: emu.CAPEM()}, map[string]string{"BATCH_SECRET": p.ClientSecret})

	first := only(t, a.Run(ctx, []wif.Connection{conn}, nil))
	if first.Status != wif.AuditPassed || first.Run == nil || !first.Report.OK {
		t.Fatalf("first audit: status %s, reason %q, report %+v", first.Status, first.Reason, first.Report)
	}
	oldKid := emu.KeyID(p.Slug)
	if err := emu.RotateKey(p.Slug); err != nil {
		t.Fatal(err)
	}
	second := only(t, a.Run(ctx, []wif.Connection{conn}, nil))
	if second.Status != wif.AuditFailed {
		t.Fatalf("after rotation: status %s, want failed (the inline JWKS lacks the new key)", second.Status)
	}
	kid := check(t, second.Report, verify.CheckHeaderKid)
	if kid.Status != verify.Fail || !strings.Contains(kid.Fix, "paste it into the Console") {
		t.Errorf("header.kid = %+v, want a failure whose fix is to paste the current JWKS", kid)
	}
	if got := driftKinds(second.Drift); got != verify.DriftKid+","+verify.DriftInlineJWKS {
		t.Fatalf("drift kinds = %s, want kid,inline_jwks: %+v", got, second.Drift)
	}
	if d := second.Drift[0]; d.Before != oldKid || d.After != emu.KeyID(p.Slug) {
		t.Errorf("kid drift = %+v, want %s → %s", d, oldKid, emu.KeyID(p.Slug))
	}
	stored, err := db.GetRun(ctx, second.Run.ID)
	if err != nil || stored.Trigger != wif.TriggerAudit || len(stored.Drift) != 2 {
		t.Fatalf("stored run = %+v, %v; want an audit run with its drift", stored, err)
	}
	events, _ := db.ListEvents(ctx, conn.ID)
	if events[0].Kind != wif.EventVerified || events[0].Actor != actions.AuditActor {
		t.Errorf("newest event = %+v, want verified by audit", events[0])
	}
}

// A changed sub mode fails the rule and is named as drift; a shorter token validity still passes
// but is named as drift, so the connection is drifted rather than passed.
func TestAuditSubModeAndValidityChange(t *testing.T) {
	ctx := context.Background()
	emu := testenv.Start(t)
	sub := testenv.Provider(t, emu, "sub")
	validity := testenv.Provider(t, emu, "validity")
	db, _ := testenv.OpenStore(t)
	conns := []wif.Connection{
		testenv.Create(t, db, testenv.Connection(t, emu, sub, "sub", "S1")),
		testenv.Create(t, db, testenv.Connection(t, emu, validity, "validity", "S2")),
	}
	a := newAuditor(t, db, &probe.Runner{ExtraCA: emu.CAPEM()}, map[string]string{"S1": sub.ClientSecret, "S2": validity.ClientSecret})

	if o := a.Run(ctx, conns, nil); o.Summary.Passed != 2 {
		t.Fatalf("first audit summary = %+v, want 2 passed: %+v", o.Summary, o.Results)
	}
	if err := emu.SetSubMode(sub.Slug, wif.SubHashedUserID); err != nil {
		t.Fatal(err)
	}
	if err := emu.Update(validity.Slug, func(p *emulator.Provider) { p.Validity = "minutes=30" }); err != nil {
		t.Fatal(err)
	}
	o := a.Run(ctx, conns, nil)
	if o.Summary != (wif.AuditSummary{Total: 2, Failed: 1, Drifted: 1}) || o.OK() {
		t.Fatalf("summary = %+v, want 1 failed, 1 drifted: %+v", o.Summary, o.Results)
	}
	if r := o.Results[0]; r.Status != wif.AuditFailed || !strings.HasPrefix(driftKinds(r.Drift), verify.DriftSub) {
		t.Errorf("sub: status %s, drift %+v; want failed with a sub drift first", r.Status, r.Drift)
	}
	if c := check(t, o.Results[0].Report, verify.CheckClaimSub); c.Status != verify.Fail || c.Fix == "" {
		t.Errorf("claim.sub = %+v, want a failure with a fix", c)
	}
	if r := o.Results[1]; r.Status != wif.AuditDrifted || driftKinds(r.Drift) != verify.DriftLifetime {
		t.Errorf("validity: status %s, drift %+v; want drifted with a lifetime drift", r.Status, r.Drift)
	} else if d := r.Drift[0]; d.Before != "3600 s" || d.After != "1800 s" {
		t.Errorf("lifetime drift = %+v", d)
	}
}

func TestAuditSkips(t *testing.T) {
	ctx := context.Background()
	emu := testenv.Start(t)
	p := testenv.Provider(t, emu, "app")
	db, _ := testenv.OpenStore(t)
	noSecret := testenv.Create(t, db, testenv.Connection(t, emu, p, "no-secret", "UNSET_SECRET"))
	draft := testenv.Create(t, db, wif.Connection{Name: "draft"})
	emu.ResetCounts()
	a := newAuditor(t, db, &probe.Runner{ExtraCA: emu.CAPEM()}, nil)
	var heard []string
	o := a.Run(ctx, []wif.Connection{noSecret, draft}, func(r actions.AuditResult) { heard = append(heard, r.Connection.Name) })
	if o.Summary != (wif.AuditSummary{Total: 2, Skipped: 2}) || !o.OK() {
		t.Fatalf("summary = %+v, want 2 skipped", o.Summary)
	}
	if r := o.Results[0]; !strings.HasPrefix(r.Reason, "secret not available") || !strings.Contains(r.Reason, "UNSET_SECRET") || r.Run != nil {
		t.Errorf("no-secret = %+v, want skipped naming the variable, no run", r)
	}
	if r := o.Results[1]; !strings.Contains(r.Reason, "not set up yet") {
		t.Errorf("draft = %+v", r)
	}
	if len(heard) != 2 {
		t.Errorf("progress heard %v, want both connections", heard)
	}
	if runs, _ := db.ListRuns(ctx, noSecret.ID, 0); len(runs) != 0 {
		t.Errorf("a skipped connection got %d runs", len(runs))
	}
	if n := emu.Counts()["token"]; n != 0 {
		t.Errorf("token requests = %d, want none without a secret", n)
	}
}

// gate holds every verification until released, counting how many run at once.
type gate struct {
	mu      sync.Mutex
	in, max int
	batches int
	entered chan struct{}
	release chan struct{}
}

func (g *gate) Verify(ctx context.Context, req wif.ProbeRequest) (verify.Report, error) {
	return verify.Report{}, context.Canceled // an audit must verify through its batch
}

func (g *gate) Batch() actions.VerifyFunc {
	g.mu.Lock()
	g.batches++
	g.mu.Unlock()
	return func(ctx context.Context, req wif.ProbeRequest) (verify.Report, error) {
		g.mu.Lock()
		g.in++
		g.max = max(g.max, g.in)
		g.mu.Unlock()
		g.entered <- struct{}{}
		<-g.release
		g.mu.Lock()
		g.in--
		g.mu.Unlock()
		if req.Secret != "s" {
			return verify.Report{}, context.Canceled // the test fails on a Failed status
		}
		return verify.Report{OK: true}, nil
	}
}

func (g *gate) CurrentJWKS(context.Context, wif.Connection) (string, error) { return "", nil }

func TestAuditConcurrencyBound(t *testing.T) {
	const n, limit = 40, 5
	db, _ := testenv.OpenStore(t)
	var conns []wif.Connection
	for i := range n {
		c := wif.Connection{Name: "c" + string(rune('a'+i/26)) + string(rune('a'+i%26)), IssuerURL: "https://auth.example.com/application/o/x/", SecretRef: "env:S"}
		conns = append(conns, testenv.Create(t, db, c))
	}
	g := &gate{entered: make(chan struct{}, n), release: make(chan struct{})}
	svc := actions.New(actions.Deps{Store: db, Verifier: g, Secrets: secretref.Resolver{Getenv: testenv.Env(map[string]string{"S": "s"})}, ResolveAnyRef: true})
	done := make(chan actions.AuditOutcome)
	go func() {
		o, err := svc.Audit(context.Background(), actions.AuditRequest{Connections: conns, Concurrency: limit})
		if err != nil {
			t.Error(err)
		}
		done <- o
	}()
	for range limit { // the first `limit` verifications start and block
		<-g.entered
	}
	close(g.release)
	o := <-done
	if o.Summary.Passed != n {
		t.Fatalf("summary = %+v, want %d passed", o.Summary, n)
	}
	if g.max != limit {
		t.Fatalf("at most %d verifications ran at once, want exactly the limit %d", g.max, limit)
	}
	if g.batches != 1 {
		t.Fatalf("the audit made %d batches, want one shared by every connection", g.batches)
	}
}

// TestAuditConsoleDrift: with a stored reference to a Console token, each audit reads the Console
// and names what changed there — a rule edited, a service account removed from its workspace —
// next to the token-side drift.
func TestAuditConsoleDrift(t *testing.T) {
	ctx := context.Background()
	emu := testenv.Start(t)
	p := testenv.Provider(t, emu, "console-audit")
	anth := testenv.Anthropic(t)
	db, _ := testenv.OpenStore(t)
	conn := testenv.ConsoleSide(t, anth, testenv.Connection(t, emu, p, "console-audit", "AUDIT_SECRET"))
	conn.ConsoleTokenRef = "env:AUDIT_CONSOLE_TOKEN"
	conn = testenv.Create(t, db, conn)
	env := map[string]string{"AUDIT_SECRET": p.ClientSecret, "AUDIT_CONSOLE_TOKEN": testenv.ConsoleToken(anth)}
	a := newAuditor(t, db, &probe.Runner{ExtraCA: emu.CAPEM(), AnthropicCA: anth.CertPEM()}, env)

	first := only(t, a.Run(ctx, []wif.Connection{conn}, nil))
	if first.Status != wif.AuditPassed || first.Report.Console == nil {
		t.Fatalf("first audit: %s %q, Console read: %v", first.Status, first.Reason, first.Report != nil && first.Report.Console != nil)
	}
	if err := anth.EditFederationRule(conn.FederationRuleID, func(r *anthemu.FederationRule) { r.TokenLifetimeSeconds = 900 }); err != nil {
		t.Fatal(err)
	}
	anth.RemoveMembership(conn.ServiceAccountID, conn.WorkspaceID)
	if err := emu.RotateKey(p.Slug); err != nil {
		t.Fatal(err)
	}
	second := only(t, a.Run(ctx, []wif.Connection{conn}, nil))
	if second.Status != wif.AuditFailed {
		t.Fatalf("second audit: %s", second.Status)
	}
	kinds := driftKinds(second.Drift)
	for _, want := range []string{verify.DriftKid, verify.DriftConsoleRule, verify.DriftConsoleAccount} {
		if !strings.Contains(kinds, want) {
			t.Errorf("drift kinds %s lack %s: %+v", kinds, want, second.Drift)
		}
	}
	var msgs []string
	for _, d := range second.Drift {
		msgs = append(msgs, d.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"token lifetime was changed in the Console", "removed from workspace " + conn.WorkspaceID} {
		if !strings.Contains(all, want) {
			t.Errorf("drift does not say %q:\n%s", want, all)
		}
	}
}
