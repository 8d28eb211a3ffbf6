package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	anthropicemu "github.com/wifwiz/wifwiz/anthropic/emulator"
	authentikemu "github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/verify"
)

// TestPlanApplyConsole: a connection saved from a check (authentik side only, a reference to the
// Console token) gets its Console side from `plan` and `apply --yes`; a check with --exchange
// then passes against the emulator, and a second plan changes nothing. The Console token never
// reaches an output or the database.
func TestPlanApplyConsole(t *testing.T) {
	f := newFixture(t, authentikemu.Provider{})
	anth, err := anthropicemu.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(anth.Close)
	anth.AllowLoopbackURLs(true)
	token := anth.IssueConsoleToken(anthropicemu.ConsoleToken{Scopes: []string{"org:admin"}})
	ws := anth.AddWorkspace("ci").ID
	db := filepath.Join(t.TempDir(), "wifwiz.db")
	vars := f.secretEnvVars()
	vars["CI_CONSOLE_TOKEN"] = token
	ctx := context.Background()
	var outputs []string
	cli := func(args ...string) cliResult {
		t.Helper()
		res := runCLI(t, ctx, vars, append(args, "--db", db)...)
		outputs = append(outputs, res.stdout, res.stderr)
		return res
	}

	saved := cli("check", "--issuer", f.issuer(), "--client-id", f.provider.ClientID, "--ca-file", f.caFile,
		"--anthropic-base-url", anth.URL, "--save", "ci", "--console-token-ref", "env:CI_CONSOLE_TOKEN")
	if !strings.Contains(saved.stdout+saved.stderr, "ci") {
		t.Fatalf("check --save: exit %d\n%s%s", saved.code, saved.stdout, saved.stderr)
	}

	plan := cli("plan", "--connection", "ci", "--side", "console", "--workspace-id", ws)
	if plan.code != exitOK {
		t.Fatalf("plan: exit %d\n%s%s", plan.code, plan.stdout, plan.stderr)
	}
	for _, want := range []string{`+ console federation issuer "authentik-claude": create`, "jwks.type = inline",
		`+ console service account "ci": create`, `+ console workspace membership "ci in ` + ws + `": create`,
		"match.subject_prefix = " + testSubject, "match.audience = " + f.provider.ClientID, "oauth_scope = workspace:inference", "4 to change"} {
		if !strings.Contains(plan.stdout, want) {
			t.Errorf("plan output lacks %q:\n%s", want, plan.stdout)
		}
	}

	apply := cli("apply", "--connection", "ci", "--side", "console", "--workspace-id", ws, "--yes")
	if apply.code != exitOK || !strings.Contains(apply.stdout, "Applied 4 changes") {
		t.Fatalf("apply: exit %d\n%s%s", apply.code, apply.stdout, apply.stderr)
	}

	check := cli("check", "--connection", "ci", "--exchange", "--json")
	r := parseReport(t, check.stdout)
	for _, id := range []string{verify.CheckConsoleAccess, verify.CheckConsoleIssuer, verify.CheckConsoleRule, verify.CheckConsoleAccount, verify.CheckExchange} {
		if r.status(id) != "pass" {
			t.Errorf("%s = %s after apply", id, r.status(id))
		}
	}
	if check.code != exitOK {
		t.Fatalf("check after apply: exit %d\n%s", check.code, check.stderr)
	}

	again := cli("plan", "--connection", "ci", "--side", "console", "--workspace-id", ws)
	if again.code != exitOK || !strings.Contains(again.stdout, "0 to change") {
		t.Fatalf("second plan: exit %d\n%s", again.code, again.stdout)
	}

	refused := cli("apply", "--connection", "ci", "--side", "console", "--scope", "workspace:developer")
	if refused.code != exitUsage || !strings.Contains(refused.stderr, "--yes") {
		t.Fatalf("apply without --yes and without a terminal: exit %d\n%s", refused.code, refused.stderr)
	}

	for i, out := range outputs {
		if strings.Contains(out, token) {
			t.Fatalf("output %d holds the Console token", i)
		}
	}
	if strings.Contains(dbBytes(t, db), token) {
		t.Fatal("the database holds the Console token")
	}
}
