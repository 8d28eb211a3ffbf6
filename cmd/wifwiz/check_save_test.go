package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	authentikemu "github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/wif"
)

func openTestDB(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// createDB creates an empty database at path.
func createDB(t *testing.T, path string) {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}

func TestCheckSaveThenConnection(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, authentikemu.Provider{})
	dbPath := filepath.Join(t.TempDir(), "wifwiz.db")
	// The secret lives only in AK_SECRET; the connection keeps the reference.
	vars := map[string]string{"AK_SECRET": f.provider.ClientSecret}

	saved := runCLI(t, ctx, vars, f.goodArgs("--save", "ci-prod", "--db", dbPath, "--secret-ref", "env:AK_SECRET")...)
	if saved.code != exitOK {
		t.Fatalf("--save: exit %d\n%s%s", saved.code, saved.stdout, saved.stderr)
	}
	if !strings.Contains(saved.stdout, "connection ci-prod") {
		t.Errorf("the table does not name the saved connection:\n%s", saved.stdout)
	}

	again := runCLI(t, ctx, vars, "check", "--connection", "ci-prod", "--db", dbPath, "--json")
	if again.code != exitOK {
		t.Fatalf("--connection: exit %d\n%s%s", again.code, again.stdout, again.stderr)
	}
	r := parseReport(t, again.stdout)
	if r.Connection == nil || *r.Connection != "ci-prod" || r.status("claim.aud") != "pass" || r.status("header.kid") != "pass" {
		t.Errorf("re-verification from the DB: connection %v, claim.aud %s, header.kid %s", r.Connection, r.status("claim.aud"), r.status("header.kid"))
	}

	// A flag given overrides the stored value, for this run only.
	override := runCLI(t, ctx, vars, "check", "--connection", "ci-prod", "--db", dbPath, "--audience", "other", "--json")
	if override.code != exitFail || parseReport(t, override.stdout).status("claim.aud") != "fail" {
		t.Errorf("--audience over a stored connection: exit %d, claim.aud %s", override.code, parseReport(t, override.stdout).status("claim.aud"))
	}
	// Without the referenced variable there is no secret: a usage error naming it.
	noSecret := runCLI(t, ctx, nil, "check", "--connection", "ci-prod", "--db", dbPath)
	if noSecret.code != exitUsage || !strings.Contains(noSecret.stderr, "AK_SECRET") {
		t.Errorf("unresolvable secret ref: exit %d, stderr %q", noSecret.code, noSecret.stderr)
	}

	db := openTestDB(t, dbPath)
	c, err := db.GetConnectionByName(ctx, "ci-prod")
	if err != nil {
		t.Fatal(err)
	}
	want := wif.Connection{IssuerURL: f.issuer(), ClientID: f.provider.ClientID, SecretRef: "env:AK_SECRET",
		SubjectPrefix: testSubject, Audience: f.provider.ClientID, FederationRuleID: testRuleID,
		OrganizationID: testOrgID, ServiceAccountID: testSvacID, JWKSSource: wif.JWKSInline,
		CAPEM: string(f.emu.CAPEM()), AuthentikURL: f.emu.URL(), AppSlug: testSlug, Scope: wif.DefaultScope,
		TokenField: wif.TokenFieldAuto, TokenLifetime: wif.DefaultLifetime, MaxIdentityTokenLifetime: wif.DefaultLifetime}
	for _, fld := range wif.Fields {
		if fld.Name == wif.FieldInlineJWKS || fld.Name == wif.FieldName {
			continue
		}
		if got, w := fld.Get(*c), fld.Get(want); got != w {
			t.Errorf("stored %s = %q, want %q", fld.Name, got, w)
		}
	}
	if c.InlineJWKS == "" || !strings.Contains(c.InlineJWKS, f.emu.KeyID(testSlug)) {
		t.Error("the inline JWKS was not stored")
	}
	if c.Step != 6 {
		t.Errorf("step %d: a connection saved with both sides has no wizard step left (the pages offer verifying by it)", c.Step)
	}
	runs, err := db.ListRuns(ctx, c.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Trigger != wif.TriggerCLI || !runs[0].OK || len(runs[0].TokenFingerprint) != 64 {
		t.Fatalf("runs = %+v; want the one --save run, trigger cli, ok, with a fingerprint", runs)
	}
	events, err := db.ListEvents(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range events {
		if !strings.HasPrefix(ev.Actor, "cli:") {
			t.Errorf("event %s by %q, want cli:<user>", ev.Kind, ev.Actor)
		}
	}

	// A failing check does not overwrite the stored settings: it says so and records nothing.
	bad := runCLI(t, ctx, vars, "check", "--connection", "ci-prod", "--save", "ci-prod", "--db", dbPath, "--subject", "ak-other")
	if bad.code != exitFail || !strings.Contains(bad.stderr, "not saved") || !strings.Contains(bad.stderr, "--force") {
		t.Fatalf("failing update: exit %d\n%s%s", bad.code, bad.stdout, bad.stderr)
	}
	kept, err := db.GetConnectionByName(ctx, "ci-prod")
	if err != nil {
		t.Fatal(err)
	}
	if runs, _ = db.ListRuns(ctx, c.ID, 0); kept.Version != c.Version || kept.SubjectPrefix != testSubject || len(runs) != 1 {
		t.Fatalf("a failing --save changed the stored connection: version %d→%d subject %q, %d runs", c.Version, kept.Version, kept.SubjectPrefix, len(runs))
	}
	// With --force the row is updated (next version) and the failing run recorded.
	forced := runCLI(t, ctx, vars, "check", "--connection", "ci-prod", "--save", "ci-prod", "--db", dbPath, "--subject", "ak-other", "--force")
	if forced.code != exitFail {
		t.Fatalf("forced update: exit %d\n%s%s", forced.code, forced.stdout, forced.stderr)
	}
	c2, err := db.GetConnectionByName(ctx, "ci-prod")
	if err != nil {
		t.Fatal(err)
	}
	runs, _ = db.ListRuns(ctx, c.ID, 0)
	if c2.ID != c.ID || c2.Version != c.Version+1 || c2.SubjectPrefix != "ak-other" || c2.Audience != c.Audience || len(runs) != 2 || runs[0].OK {
		t.Errorf("after update: id %d→%d version %d→%d subject %q audience %q, %d runs", c.ID, c2.ID, c.Version, c2.Version, c2.SubjectPrefix, c2.Audience, len(runs))
	}

	db.Close()
	raw := dbBytes(t, dbPath)
	assertNoSecrets(t, "the database", raw, f.provider.ClientSecret)
	for _, res := range []cliResult{saved, again, override, noSecret, bad, forced} {
		assertNoSecrets(t, "stdout", res.stdout, f.provider.ClientSecret)
		assertNoSecrets(t, "stderr", res.stderr, f.provider.ClientSecret)
	}
}

func TestCheckSaveUpdatesByNameWithoutConnection(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, authentikemu.Provider{})
	dbPath := filepath.Join(t.TempDir(), "wifwiz.db")
	if res := runCLI(t, ctx, f.secretEnvVars(), f.goodArgs("--save", "ci", "--db", dbPath)...); res.code != exitOK {
		t.Fatalf("first save: exit %d %s", res.code, res.stderr)
	}
	// --save of an existing name keeps what the flags do not give: here only the workspace changes.
	res := runCLI(t, ctx, f.secretEnvVars(), "check", "--save", "ci", "--db", dbPath, "--workspace-id", "default")
	if res.code != exitOK {
		t.Fatalf("second save: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	c, err := openTestDB(t, dbPath).GetConnectionByName(ctx, "ci")
	if err != nil {
		t.Fatal(err)
	}
	if c.WorkspaceID != "default" || c.Audience != f.provider.ClientID || c.Version != 2 {
		t.Errorf("workspace %q audience %q version %d", c.WorkspaceID, c.Audience, c.Version)
	}
}

func TestCheckSaveRejectsBadName(t *testing.T) {
	f := newFixture(t, authentikemu.Provider{})
	dbPath := filepath.Join(t.TempDir(), "wifwiz.db")
	res := runCLI(t, context.Background(), f.secretEnvVars(), f.goodArgs("--save", " padded ", "--db", dbPath)...)
	if res.code != exitUsage || !strings.Contains(res.stderr, "--save") || f.emu.Counts()["token"] != 0 {
		t.Errorf("exit %d stderr %q, %d token requests", res.code, res.stderr, f.emu.Counts()["token"])
	}
}

// TestCheckSaveRefusalNamesTheFlag: a value --save would store and the wizard refuses is named by
// the flag that gave it, so the operator knows what to change.
func TestCheckSaveRefusalNamesTheFlag(t *testing.T) {
	f := newFixture(t, authentikemu.Provider{})
	for _, tc := range []struct{ flag, value, want string }{
		{"--subject", "a*b*", "--subject: Subject prefix may contain '*' only at the end"},
		{"--federation-rule-id", "not an id", "--federation-rule-id: "},
	} {
		db := filepath.Join(t.TempDir(), "wifwiz.db")
		r := runCLI(t, context.Background(), f.secretEnvVars(), f.goodArgs("--save", "x", "--db", db, tc.flag, tc.value)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "--save would store a value the wizard refuses: "+tc.want) {
			t.Errorf("%s %q: exit %d, stderr %q", tc.flag, tc.value, r.code, r.stderr)
		}
	}
}
