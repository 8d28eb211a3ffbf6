package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	authentikemu "github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/wif"
)

// storeBasics stores a connection with only the Basics step filled in, trusting emu's CA.
func storeBasics(t *testing.T, dbPath string, emu *authentikemu.Emulator, name, slug string) {
	t.Helper()
	db := openTestDB(t, dbPath)
	c := wif.Connection{Name: name, AuthentikURL: emu.URL(), AppSlug: slug, ProviderName: "Claude " + slug, CAPEM: string(emu.CAPEM()),
		MaxIdentityTokenLifetime: time.Hour, Step: 1}
	if err := db.CreateConnection(context.Background(), &c, "test"); err != nil {
		t.Fatal(err)
	}
	db.Close()
}

// TestPlanApplyAuthentikCLI: plan prints what apply creates; apply --yes creates the provider
// and the application, writes the client secret to --client-secret-out (0600) and nowhere else;
// the next plan has nothing to change; check and export then read the provider with the token.
func TestPlanApplyAuthentikCLI(t *testing.T) {
	ctx := context.Background()
	emu, err := authentikemu.Start(authentikemu.WithVersion("2026.5.0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "wifwiz.db")
	storeBasics(t, dbPath, emu, "batch", "claude-batch")
	vars := map[string]string{authentikTokenEnv: emu.APIToken()}

	plan := runCLI(t, ctx, vars, "plan", "--db", dbPath, "--connection", "batch", "--side", "authentik")
	if plan.code != exitOK {
		t.Fatalf("plan: exit %d %s", plan.code, plan.stderr)
	}
	for _, want := range []string{`+ authentik OAuth2 provider "Claude claude-batch": create`, "sub_mode = user_username",
		"signing_key = authentik Self-signed Certificate (rsa)", "grant_types = client_credentials", "access_token_validity = hours=1",
		`+ authentik application "claude-batch": create`, "2 to change"} {
		if !strings.Contains(plan.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan.stdout)
		}
	}
	if _, ok := emu.Provider("claude-batch"); ok {
		t.Fatal("plan changed authentik")
	}

	secretFile := filepath.Join(dir, "client-secret")
	apply := runCLI(t, ctx, vars, "apply", "--db", dbPath, "--connection", "batch", "--side", "authentik", "--yes", "--client-secret-out", secretFile)
	if apply.code != exitOK {
		t.Fatalf("apply: exit %d %s", apply.code, apply.stderr)
	}
	p, ok := emu.Provider("claude-batch")
	if !ok {
		t.Fatal("no provider after apply")
	}
	b, err := os.ReadFile(secretFile)
	if err != nil || strings.TrimSpace(string(b)) != p.ClientSecret {
		t.Fatalf("--client-secret-out holds %d bytes (%v), want the new secret", len(b), err)
	}
	if st, _ := os.Stat(secretFile); st.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode %v", st.Mode().Perm())
	}
	for where, text := range map[string]string{"stdout": apply.stdout, "stderr": apply.stderr, "db": dbBytes(t, dbPath)} {
		if strings.Contains(text, p.ClientSecret) || strings.Contains(text, emu.APIToken()) {
			t.Errorf("%s holds the client secret or the API token", where)
		}
	}
	again := runCLI(t, ctx, vars, "plan", "--db", dbPath, "--connection", "batch", "--side", "authentik", "--json")
	if again.code != exitOK || !strings.Contains(again.stdout, `"action": "no change"`) || strings.Contains(again.stdout, `"action": "create"`) {
		t.Fatalf("second plan: exit %d\n%s", again.code, again.stdout)
	}

	check := runCLI(t, ctx, map[string]string{authentikTokenEnv: emu.ReadOnlyAPIToken(), secretEnv: p.ClientSecret},
		"check", "--db", dbPath, "--connection", "batch", "--json")
	if r := parseReport(t, check.stdout); r.status("authentik.provider") != "pass" || r.status("token.request") != "pass" {
		t.Errorf("check after apply: authentik.provider %s, token.request %s\n%s", r.status("authentik.provider"), r.status("token.request"), check.stdout)
	}

	exp := runCLI(t, ctx, vars, "export", "--db", dbPath, "--connection", "batch", "--format", "authentik-blueprint")
	if exp.code != exitOK || !strings.Contains(exp.stdout, "grant_types: [client_credentials]") || !strings.Contains(exp.stdout, `client_id: "`+p.ClientID+`"`) ||
		!strings.Contains(exp.stdout, "authentik 2026.5.0 has grant types") {
		t.Errorf("export with a token: exit %d\n%s", exp.code, exp.stdout)
	}
}

func TestApplyAuthentikReadOnlyTokenCLI(t *testing.T) {
	ctx := context.Background()
	emu, err := authentikemu.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	dbPath := filepath.Join(t.TempDir(), "wifwiz.db")
	storeBasics(t, dbPath, emu, "batch", "claude-batch")
	res := runCLI(t, ctx, map[string]string{authentikTokenEnv: emu.ReadOnlyAPIToken()},
		"apply", "--db", dbPath, "--connection", "batch", "--side", "authentik", "--yes")
	if res.code != exitUsage || !strings.Contains(res.stderr, "HTTP 403") || !strings.Contains(res.stderr, "may read providers and applications, but not add or change them") {
		t.Fatalf("exit %d stderr %s", res.code, res.stderr)
	}
	if strings.Contains(res.stderr+res.stdout, emu.ReadOnlyAPIToken()) {
		t.Error("the token was printed")
	}
}
