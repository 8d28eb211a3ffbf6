package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	authentikemu "github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/verify"
)

func (f *fixture) tokenArgs(out string, extra ...string) []string {
	args := []string{"token", "--out", out, "--issuer", f.issuer(), "--client-id", f.provider.ClientID, "--ca-file", f.caFile}
	return append(args, extra...)
}

// readToken reads the token file and decodes the token in it.
func readToken(t *testing.T, path string) (raw string, claims map[string]any) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("token file: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, want 0600", info.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw = strings.TrimSpace(string(b))
	if !jwtPattern.MatchString(raw) || jwtPattern.FindString(raw) != raw {
		t.Fatalf("token file holds %d bytes that are not exactly one JWT", len(b))
	}
	_, claims, err = verify.DecodeToken(raw)
	if err != nil {
		t.Fatalf("DecodeToken: %v", err)
	}
	return raw, claims
}

func TestTokenOnceWritesTheIDToken(t *testing.T) {
	f := newFixture(t, authentikemu.Provider{})
	out := filepath.Join(t.TempDir(), "identity-token")
	res := runCLI(t, context.Background(), f.secretEnvVars(), f.tokenArgs(out, "--once")...)
	if res.code != exitOK {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	_, claims := readToken(t, out)
	if claims["iss"] != f.issuer() || claims["aud"] != f.provider.ClientID || claims["sub"] != testSubject {
		t.Errorf("claims iss %v aud %v sub %v", claims["iss"], claims["aud"], claims["sub"])
	}
	// authentik's access token carries scope and azp; the id_token does not.
	if _, ok := claims["scope"]; ok {
		t.Error("the file holds the access token; the default --token-field is id_token")
	}
	if f.emu.Counts()["token"] != 1 {
		t.Errorf("%d token requests, want 1", f.emu.Counts()["token"])
	}
	assertNoSecrets(t, "stderr", res.stderr, f.provider.ClientSecret)

	access := runCLI(t, context.Background(), f.secretEnvVars(), f.tokenArgs(out, "--once", "--token-field", "access_token")...)
	if _, claims := readToken(t, out); access.code != exitOK || claims["scope"] == nil {
		t.Errorf("--token-field access_token: exit %d, scope claim %v", access.code, claims["scope"])
	}
}

func TestTokenOnceFailureLeavesTheFile(t *testing.T) {
	f := newFixture(t, authentikemu.Provider{})
	out := filepath.Join(t.TempDir(), "identity-token")
	if res := runCLI(t, context.Background(), f.secretEnvVars(), f.tokenArgs(out, "--once")...); res.code != exitOK {
		t.Fatalf("first refresh: exit %d %s", res.code, res.stderr)
	}
	before, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	f.emu.SetDown(true)
	for _, extra := range [][]string{nil, {"--token-url", f.emu.URL() + "/application/o/token/"}} {
		res := runCLI(t, context.Background(), f.secretEnvVars(), f.tokenArgs(out, append(extra, "--once")...)...)
		if res.code == exitOK || res.code == exitUsage {
			t.Errorf("%v: exit %d while authentik is down, want 1", extra, res.code)
		}
		if !strings.Contains(res.stderr, "503") {
			t.Errorf("%v: stderr does not say what failed: %q", extra, res.stderr)
		}
		after, err := os.ReadFile(out)
		if err != nil || string(after) != string(before) {
			t.Errorf("%v: the token file changed after a failed refresh (%v)", extra, err)
		}
		assertNoSecrets(t, "stderr", res.stderr, f.provider.ClientSecret)
	}
}

func TestTokenUsageErrors(t *testing.T) {
	f := newFixture(t, authentikemu.Provider{})
	out := filepath.Join(t.TempDir(), "identity-token")
	db := filepath.Join(t.TempDir(), "wifwiz.db")
	createDB(t, db)
	cases := []struct {
		name   string
		vars   map[string]string
		args   []string
		needle string
	}{
		{"missing out", f.secretEnvVars(), f.tokenArgs("", "--once"), "--out"},
		{"refresh-at zero", f.secretEnvVars(), f.tokenArgs(out, "--refresh-at", "0"), "--refresh-at"},
		{"refresh-at above one", f.secretEnvVars(), f.tokenArgs(out, "--refresh-at", "1.5"), "--refresh-at"},
		{"negative margin", f.secretEnvVars(), f.tokenArgs(out, "--min-before-expiry", "-1s"), "--min-before-expiry"},
		{"missing issuer", f.secretEnvVars(), []string{"token", "--out", out, "--client-id", "x"}, "--issuer"},
		{"no secret", nil, f.tokenArgs(out, "--once"), secretEnv},
		{"unknown connection", f.secretEnvVars(), []string{"token", "--out", out, "--connection", "ghost", "--db", db}, "ghost"},
		{"check-only flag", f.secretEnvVars(), f.tokenArgs(out, "--audience", "x"), "-audience"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := runCLI(t, context.Background(), tc.vars, tc.args...)
			if res.code != exitUsage || !strings.HasPrefix(res.stderr, "wifwiz token: ") || strings.Count(res.stderr, "\n") != 1 || !strings.Contains(res.stderr, tc.needle) {
				t.Errorf("exit %d stderr %q; want 2 and one line naming %q", res.code, res.stderr, tc.needle)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a token file was written by a wrong invocation")
			}
		})
	}
}

func TestTokenFromStoredConnection(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, authentikemu.Provider{})
	dbPath := filepath.Join(t.TempDir(), "wifwiz.db")
	vars := map[string]string{"AK_SECRET": f.provider.ClientSecret}
	if res := runCLI(t, ctx, vars, f.goodArgs("--save", "ci", "--db", dbPath, "--secret-ref", "env:AK_SECRET")...); res.code != exitOK {
		t.Fatalf("save: exit %d %s", res.code, res.stderr)
	}
	out := filepath.Join(t.TempDir(), "identity-token")
	res := runCLI(t, ctx, vars, "token", "--connection", "ci", "--db", dbPath, "--out", out, "--once")
	if res.code != exitOK {
		t.Fatalf("exit %d %s", res.code, res.stderr)
	}
	if _, claims := readToken(t, out); claims["aud"] != f.provider.ClientID {
		t.Errorf("aud %v", claims["aud"])
	}
}

// TestTokenRunKeepsTheFileFresh runs the sidecar on real time with 3-second tokens until it has
// replaced the file twice, then stops it as SIGTERM would.
func TestTokenRunKeepsTheFileFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for several 3 s token lifetimes")
	}
	f := newFixture(t, authentikemu.Provider{Validity: "seconds=3"})
	out := filepath.Join(t.TempDir(), "identity-token")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	vars := f.secretEnvVars()
	go func() {
		done <- run(ctx, f.tokenArgs(out, "--min-before-expiry", "1s"), env{stdout: &syncBuffer{}, stderr: &stderr, getenv: func(k string) string { return vars[k] }})
	}()

	seen := map[string]bool{}
	for deadline := time.Now().Add(30 * time.Second); len(seen) < 3; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the file held %d distinct tokens within 30 s, want 3\n%s", len(seen), stderr.String())
		}
		if _, err := os.Stat(out); err == nil {
			raw, claims := readToken(t, out)
			if claims["iss"] != f.issuer() {
				t.Fatalf("iss %v", claims["iss"])
			}
			seen[raw] = true
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d after cancellation, want 0\n%s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("wifwiz token did not stop after cancellation")
	}
	logs := stderr.String()
	if strings.Count(logs, "identity token refreshed") < 3 || !strings.Contains(logs, "stopped") {
		t.Errorf("logs do not show the refreshes and the stop:\n%s", logs)
	}
	for raw := range seen {
		if strings.Contains(logs, raw) {
			t.Error("a token reached the logs")
		}
	}
	assertNoSecrets(t, "logs", logs, f.provider.ClientSecret)
}
