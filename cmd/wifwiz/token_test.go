package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
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
		{"refresh-at NaN", f.secretEnvVars(), f.tokenArgs(out, "--refresh-at", "NaN"), "--refresh-at NaN"},
		{"refresh-at tiny", f.secretEnvVars(), f.tokenArgs(out, "--refresh-at", "1e-9"), "--refresh-at 1e-09"},
		{"refresh-at infinite", f.secretEnvVars(), f.tokenArgs(out, "--refresh-at", "+Inf"), "--refresh-at +Inf"},
		{"WIFWIZ_REFRESH_AT NaN", map[string]string{secretEnv: f.provider.ClientSecret, "WIFWIZ_REFRESH_AT": "NaN"}, f.tokenArgs(out), "--refresh-at NaN"},
		{"negative margin", f.secretEnvVars(), f.tokenArgs(out, "--min-before-expiry", "-1s"), "--min-before-expiry"},
		{"margin beyond a day", f.secretEnvVars(), f.tokenArgs(out, "--min-before-expiry", "25h"), "--min-before-expiry"},
		{"token-lifetime not a duration", f.secretEnvVars(), f.tokenArgs(out, "--token-lifetime", "an hour"), "--token-lifetime"},
		{"token-lifetime out of the Console's range", f.secretEnvVars(), f.tokenArgs(out, "--token-lifetime", "30"), "60 to 86400"},
		{"token-lifetime too short for a file", f.secretEnvVars(), f.tokenArgs(out, "--token-lifetime", "179"), "at least 180 s"},
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

// TestTokenRunKeepsTheFileFresh runs the sidecar for an hour of a fake clock (a
// testing/synctest bubble, see bubble_helpers_test.go) with 10-minute tokens and a 5-minute rule
// given by --token-lifetime: the file must change every 300 − 120 − 30 = 150 s, then the command
// stops as on SIGTERM.
func TestTokenRunKeepsTheFileFresh(t *testing.T) {
	f := newFixture(t, authentikemu.Provider{Validity: "minutes=10"})
	fr := newFront(t, f)
	clock := newBubbleClock()
	f.emu.SetNow(clock.Now)
	synctest.Test(t, func(t *testing.T) {
		stop := clock.enter()
		defer stop()
		out := filepath.Join(t.TempDir(), "identity-token")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var stderr syncBuffer
		done := make(chan int, 1)
		vars := f.secretEnvVars()
		args := []string{"token", "--out", out, "--issuer", fr.issuer(), "--client-id", f.provider.ClientID, "--ca-file", fr.caFile, "--token-lifetime", "300"}
		go func() {
			done <- run(ctx, args, env{stdout: &syncBuffer{}, stderr: &stderr, getenv: func(k string) string { return vars[k] }})
		}()
		synctest.Wait() // the first token is on disk
		start, last := time.Now(), ""
		time.Sleep(time.Second / 2) // look between the refresher's wake-ups, never at the same instant
		var changes []time.Duration
		for ; time.Since(start) < time.Hour; time.Sleep(time.Second) {
			raw, claims := readToken(t, out)
			if claims["iss"] != fr.issuer() {
				t.Fatalf("iss %v", claims["iss"])
			}
			if raw != last {
				changes, last = append(changes, time.Since(start)), raw
			}
		}
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("exit %d after cancellation, want 0\n%s", code, stderr.String())
		}
		if len(changes) != 24 {
			t.Errorf("the file changed %d times in an hour, want 24 (every 150 s): at %v", len(changes), changes)
		}
		for i := 1; i < len(changes); i++ {
			if gap := changes[i] - changes[i-1]; gap != 150*time.Second {
				t.Errorf("rewrite %d came %s after the one before, want 150 s", i+1, gap)
			}
		}
		logs := stderr.String()
		for _, want := range []string{"rule_token_lifetime=5m0s", `bound="rule's token lifetime"`, "interval=2m30s", "stopped"} {
			if !strings.Contains(logs, want) {
				t.Errorf("the logs lack %q:\n%s", want, logs)
			}
		}
		if jwtPattern.MatchString(logs) {
			t.Error("a token reached the logs")
		}
		assertNoSecrets(t, "logs", logs, f.provider.ClientSecret)
	})
}

// TestTokenRefusesAnImpossibleSchedule: identity tokens valid 100 s would have to be replaced
// 120 s before they expire; a 150 s rule leaves 0 s between rewrites. Both stop with exit 2 and the
// numbers, before any file is written (the rule before authentik is even asked); --force writes.
func TestTokenRefusesAnImpossibleSchedule(t *testing.T) {
	short := newFixture(t, authentikemu.Provider{Validity: "seconds=100"})
	long := newFixture(t, authentikemu.Provider{})
	cases := []struct {
		name    string
		f       *fixture
		args    []string
		needles []string
		fetches int
	}{
		{"short identity tokens", short, nil, []string{"s are too short", "replaced after 0 s", "seconds=150", "--force"}, 1},
		{"short rule", long, []string{"--token-lifetime", "150"}, []string{"Token lifetime of 150 s", "every 30 s", "at least 180 s", "--force"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "identity-token")
			tc.f.emu.ResetCounts()
			res := runCLI(t, context.Background(), tc.f.secretEnvVars(), tc.f.tokenArgs(out, append(tc.args, "--once")...)...)
			if res.code != exitUsage || strings.Count(res.stderr, "\n") != 1 {
				t.Fatalf("exit %d, stderr %q; want 2 and one line", res.code, res.stderr)
			}
			for _, n := range tc.needles {
				if !strings.Contains(res.stderr, n) {
					t.Errorf("stderr %q does not say %q", res.stderr, n)
				}
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("the token was written")
			}
			if n := tc.f.emu.Counts()["token"]; n != tc.fetches {
				t.Errorf("%d token requests, want %d", n, tc.fetches)
			}
			forced := runCLI(t, context.Background(), tc.f.secretEnvVars(), tc.f.tokenArgs(out, append(tc.args, "--once", "--force")...)...)
			if forced.code != exitOK || !strings.Contains(forced.stderr, "cannot keep every exchange possible") {
				t.Errorf("--force: exit %d, stderr %q", forced.code, forced.stderr)
			}
			readToken(t, out)
		})
	}
}
