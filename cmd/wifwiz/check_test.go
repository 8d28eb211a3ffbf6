package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	authentikemu "github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/verify"
)

// jsonReport is the JSON report of docs/verification.md as a script reads it.
type jsonReport struct {
	Connection *string `json:"connection"`
	Issuer     string  `json:"issuer"`
	StartedAt  string  `json:"started_at"`
	DurationMS *int64  `json:"duration_ms"`
	Token      *struct {
		Field  string         `json:"field"`
		SHA256 string         `json:"sha256"`
		Header map[string]any `json:"header"`
		Claims map[string]any `json:"claims"`
	} `json:"token"`
	Checks []struct {
		ID       string `json:"id"`
		Status   string `json:"status"`
		Expected string `json:"expected"`
		Actual   string `json:"actual"`
		Message  string `json:"message"`
		Fix      string `json:"fix"`
	} `json:"checks"`
	Summary *struct{ Pass, Warn, Fail, Skip int } `json:"summary"`
	OK      *bool                                 `json:"ok"`
}

func parseReport(t *testing.T, stdout string) jsonReport {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, stdout)
	}
	return r
}

func (r jsonReport) status(id string) string {
	for _, c := range r.Checks {
		if c.ID == id {
			return c.Status
		}
	}
	return "(missing)"
}

func (r jsonReport) nonPass() map[string]string {
	out := map[string]string{}
	for _, c := range r.Checks {
		if c.Status != "pass" {
			out[c.ID] = c.Status
		}
	}
	return out
}

func TestCheckGoodSetupPasses(t *testing.T) {
	f := newFixture(t, authentikemu.Provider{})
	res := runCLI(t, context.Background(), f.secretEnvVars(), f.goodArgs()...)
	if res.code != exitOK {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	for _, id := range verify.CheckIDs {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(id) + ` +(pass|warn|skip)( |$)`).MatchString(res.stdout) {
			t.Errorf("the table has no row for %s:\n%s", id, res.stdout)
		}
	}
	// The emulator listens on a random port: Anthropic could not fetch from it, but the Console
	// trusts the inline JWKS, so this is a warning, explained with a fix.
	for _, id := range []string{verify.CheckIssuerURL} {
		row := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(id) + ` +warn .*\n +\S.*\n +fix: \S`)
		if !row.MatchString(res.stdout) {
			t.Errorf("%s: want a warn row with message and fix lines:\n%s", id, res.stdout)
		}
	}
	if !strings.Contains(res.stdout, "claim.sub") || !strings.Contains(res.stdout, testSubject) {
		t.Errorf("the table does not show the token's sub %q", testSubject)
	}
	if !regexp.MustCompile(`(?m)^\d+ pass, 1 warn, 0 fail, 8 skip — OK with warnings$`).MatchString(res.stdout) {
		t.Errorf("summary line missing or wrong:\n%s", res.stdout)
	}
	if strings.Contains(res.stdout, "\x1b[") {
		t.Error("colours written to a buffer, which is not a terminal")
	}
	assertNoSecrets(t, "stdout", res.stdout, f.provider.ClientSecret)
	assertNoSecrets(t, "stderr", res.stderr, f.provider.ClientSecret)
}

func TestCheckJSONReport(t *testing.T) {
	f := newFixture(t, authentikemu.Provider{})
	res := runCLI(t, context.Background(), f.secretEnvVars(), f.goodArgs("--json")...)
	if res.code != exitOK {
		t.Fatalf("exit %d, want 0\n%s%s", res.code, res.stdout, res.stderr)
	}
	r := parseReport(t, res.stdout)
	var ids []string
	for _, c := range r.Checks {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, verify.CheckIDs) {
		t.Errorf("check ids = %v\nwant %v", ids, verify.CheckIDs)
	}
	if r.Summary == nil || r.OK == nil || !*r.OK || r.DurationMS == nil || r.StartedAt == "" {
		t.Fatalf("summary/ok/duration_ms/started_at missing: %s", res.stdout)
	}
	if got := r.Summary.Pass + r.Summary.Warn + r.Summary.Fail + r.Summary.Skip; got != len(verify.CheckIDs) || r.Summary.Fail != 0 {
		t.Errorf("summary %+v does not count %d checks without failure", *r.Summary, len(verify.CheckIDs))
	}
	if r.Connection != nil || r.Issuer != f.issuer() {
		t.Errorf("connection %v issuer %q; want null and %q", r.Connection, r.Issuer, f.issuer())
	}
	if r.Token == nil || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(r.Token.SHA256) || r.Token.Field != "id_token" {
		t.Fatalf("token = %+v; want field id_token and a hex sha256", r.Token)
	}
	if r.Token.Claims["sub"] != testSubject || r.Token.Claims["aud"] != f.provider.ClientID {
		t.Errorf("claims sub %v aud %v", r.Token.Claims["sub"], r.Token.Claims["aud"])
	}
	want := map[string]string{"issuer.url": "warn"}
	for _, id := range verify.CheckIDs {
		if verify.Conditional(id) { // no Console token, claims, condition or exchange given
			want[id] = "skip"
		}
	}
	if !mapsEqual(r.nonPass(), want) {
		t.Errorf("non-pass verdicts %v, want %v", r.nonPass(), want)
	}
	assertNoSecrets(t, "stdout", res.stdout, f.provider.ClientSecret)
}

func TestCheckBadSetupFails(t *testing.T) {
	f := newFixture(t, authentikemu.Provider{})
	cases := []struct {
		name      string
		args      []string
		failing   string
		fixNeedle string
	}{
		{"issuer without trailing slash", replaceArg(f.goodArgs(), "--issuer", strings.TrimSuffix(f.issuer(), "/")),
			verify.CheckIssuerURL, "Issuer URL to exactly \"" + f.issuer() + "\""},
		{"wrong audience", replaceArg(f.goodArgs(), "--audience", "not-the-client-id"), verify.CheckClaimAud, "Client ID"},
		{"malformed rule ID is the ids check, not a usage error", replaceArg(f.goodArgs(), "--federation-rule-id", "fdrl 01"),
			verify.CheckConsoleIDs, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := runCLI(t, context.Background(), f.secretEnvVars(), append(tc.args, "--json")...)
			if res.code != exitFail {
				t.Fatalf("exit %d, want 1\n%s%s", res.code, res.stdout, res.stderr)
			}
			r := parseReport(t, res.stdout)
			if r.status(tc.failing) != "fail" || r.OK == nil || *r.OK {
				t.Fatalf("%s = %s, ok %v; want fail, false", tc.failing, r.status(tc.failing), r.OK)
			}
			text := runCLI(t, context.Background(), f.secretEnvVars(), tc.args...)
			row := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(tc.failing) + ` +fail .*\n( +\S.*\n)? +fix: .*` + regexp.QuoteMeta(tc.fixNeedle))
			if text.code != exitFail || !row.MatchString(text.stdout) || !strings.Contains(text.stdout, "FAILED") {
				t.Errorf("exit %d; want a fail row for %s with a fix mentioning %q and FAILED:\n%s", text.code, tc.failing, tc.fixNeedle, text.stdout)
			}
		})
	}
}

func TestCheckUsageErrors(t *testing.T) {
	f := newFixture(t, authentikemu.Provider{})
	db := filepath.Join(t.TempDir(), "wifwiz.db")
	missing := filepath.Join(t.TempDir(), "nope")
	createDB(t, db)
	cases := []struct {
		name   string
		vars   map[string]string
		args   []string
		needle string
	}{
		{"missing issuer", f.secretEnvVars(), []string{"check", "--client-id", "x"}, "--issuer"},
		{"missing client id", f.secretEnvVars(), []string{"check", "--issuer", f.issuer()}, "--client-id"},
		{"unreadable secret file", nil, f.goodArgs("--client-secret-file", missing), "--client-secret-file " + missing},
		{"no secret at all", nil, f.goodArgs(), secretEnv},
		{"unknown connection", f.secretEnvVars(), []string{"check", "--connection", "ghost", "--db", db}, `no connection named "ghost"`},
		{"connection in a missing database", f.secretEnvVars(), []string{"check", "--connection", "ci", "--db", missing}, "no database at --db " + missing},
		{"bad lifetime", f.secretEnvVars(), f.goodArgs("--token-lifetime", "an hour"), "--token-lifetime"},
		{"bad lifetime from the environment", map[string]string{secretEnv: "s", "WIFWIZ_MAX_IDENTITY_TOKEN_LIFETIME": "-5"},
			f.goodArgs(), "--max-identity-token-lifetime"},
		{"secret-ref without save", f.secretEnvVars(), f.goodArgs("--secret-ref", "env:X"), "--save"},
		{"secret-ref that is not a reference", f.secretEnvVars(), f.goodArgs("--save", "ci", "--db", db, "--secret-ref", "hunter2"), "env:NAME"},
		{"unreadable ca file", f.secretEnvVars(), f.goodArgs("--ca-file", missing), "--ca-file"},
		{"jwks file that is not a JWKS", f.secretEnvVars(), f.goodArgs("--jwks-file", f.caFile), "--jwks-file"},
		{"bad token field", f.secretEnvVars(), f.goodArgs("--token-field", "both"), "--token-field"},
		{"unknown flag", f.secretEnvVars(), f.goodArgs("--client-secret", "s"), "client-secret"},
		{"bad anthropic base url", f.secretEnvVars(), f.goodArgs("--exchange", "--anthropic-base-url", "http://example.com"), "--anthropic-base-url"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.emu.Counts()["token"]
			res := runCLI(t, context.Background(), tc.vars, tc.args...)
			if res.code != exitUsage {
				t.Fatalf("exit %d, want 2\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
			}
			if lines := strings.Split(strings.TrimSuffix(res.stderr, "\n"), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "wifwiz check: ") {
				t.Errorf("stderr is not one \"wifwiz check: …\" line: %q", res.stderr)
			}
			if !strings.Contains(res.stderr, tc.needle) || res.stdout != "" {
				t.Errorf("stderr %q does not name %q (stdout %q)", res.stderr, tc.needle, res.stdout)
			}
			if f.emu.Counts()["token"] != before {
				t.Error("a token was requested for a wrong invocation")
			}
			if strings.Contains(res.stderr, "hunter2") {
				t.Error("the mistaken secret reference was echoed")
			}
		})
	}
}

func TestCheckRequireIDs(t *testing.T) {
	f := newFixture(t, authentikemu.Provider{})
	var args []string
	for _, a := range f.goodArgs() {
		if strings.HasSuffix(a, "-id") && a != "--client-id" || strings.HasPrefix(a, "fdrl_") || strings.HasPrefix(a, "svac_") || a == testOrgID {
			continue
		}
		args = append(args, a)
	}
	for _, tc := range []struct {
		extra  []string
		code   int
		status string
	}{{nil, exitOK, "skip"}, {[]string{"--require-ids"}, exitFail, "fail"}} {
		res := runCLI(t, context.Background(), f.secretEnvVars(), append(args, append(tc.extra, "--json")...)...)
		if got := parseReport(t, res.stdout).status(verify.CheckConsoleIDs); res.code != tc.code || got != tc.status {
			t.Errorf("%v without Console IDs: exit %d, ids %s; want %d, %s", tc.extra, res.code, got, tc.code, tc.status)
		}
	}
}

func TestCheckHelp(t *testing.T) {
	res := runCLI(t, context.Background(), nil, "check", "--help")
	for _, flag := range []string{"-issuer", "-discovery-base", "-token-url", "-client-id", "-client-secret-file", "-scope",
		"-token-field", "-subject", "-audience", "-max-identity-token-lifetime", "-token-lifetime", "-federation-rule-id",
		"-organization-id", "-service-account-id", "-workspace-id", "-require-ids", "-ca-file", "-jwks-file", "-exchange",
		"-anthropic-base-url", "-connection", "-db", "-save", "-secret-ref", "-json"} {
		if !strings.Contains(res.stdout, "  "+flag+" ") && !strings.Contains(res.stdout, "  "+flag+"\n") {
			t.Errorf("--help does not list %s", flag)
		}
	}
	if res.code != exitOK {
		t.Errorf("exit %d", res.code)
	}
}

func replaceArg(args []string, flag, value string) []string {
	out := slices.Clone(args)
	i := slices.Index(out, flag)
	out[i+1] = value
	return out
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestCheckEmptyScopeSendsNone: --scope "" requests no scope at all, not the default (issue 17
// item 7): authentik then grants none.
func TestCheckEmptyScopeSendsNone(t *testing.T) {
	f := newFixture(t, authentikemu.Provider{})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, `scope "openid profile"`},
		{[]string{"--scope", ""}, `scope ""`},
		{[]string{"--scope", "profile"}, `scope "profile"`},
	} {
		res := runCLI(t, context.Background(), f.secretEnvVars(), f.goodArgs(append([]string{"--json"}, tc.args...)...)...)
		var actual string
		for _, c := range parseReport(t, res.stdout).Checks {
			if c.ID == verify.CheckTokenRequest {
				actual = c.Actual
			}
		}
		if !strings.Contains(actual, tc.want) {
			t.Errorf("%q: token.request %q, want %s", tc.args, actual, tc.want)
		}
	}
}

// TestEmptyTokenFileSaysWhatToWrite: an empty token or secret file is a usage error that names
// what belongs in it, before any request.
func TestEmptyTokenFileSaysWhatToWrite(t *testing.T) {
	empty := writeTestFile(t, t.TempDir(), "empty", "\n")
	base := []string{"check", "--issuer", "https://authentik.invalid/application/o/a/", "--client-id", "c"}
	for _, tc := range []struct {
		flag string
		vars map[string]string
		want string
	}{
		{"--console-token-file", map[string]string{secretEnv: "s"}, "--console-token-file " + empty + " is empty: write an Anthropic OAuth access token with the org:admin scope into it"},
		{"--authentik-token-file", map[string]string{secretEnv: "s"}, "--authentik-token-file " + empty + " is empty: write an authentik API token into it"},
		{"--client-secret-file", nil, "--client-secret-file " + empty + " is empty: write the provider's Client Secret into it"},
	} {
		r := runCLI(t, context.Background(), tc.vars, append(base, tc.flag, empty)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 saying %q", tc.flag, r.code, r.stderr, tc.want)
		}
	}
}
