package workload_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/joho/godotenv"

	"github.com/wifwiz/wifwiz/workload"
)

// shells are the POSIX shells on this machine the block is run in (sh is dash on Debian).
func shells(t *testing.T) []string {
	t.Helper()
	var found []string
	for _, name := range []string{"sh", "bash"} {
		if p, err := exec.LookPath(name); err == nil {
			found = append(found, p)
		}
	}
	if len(found) == 0 {
		t.Skip("no sh or bash to run the shell block")
	}
	return found
}

// anthropicEnv runs script in shell with a polluted environment and returns the ANTHROPIC_
// variables the script leaves exported. The pollution catches what quoting lets through:
// variables the values name, and stale federation settings the block must unset.
func anthropicEnv(t *testing.T, shell, script string) map[string]string {
	t.Helper()
	cmd := exec.Command(shell, "-c", script+"\nenv -0\n")
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=WRONG-home", "x=WRONG-x", "dir=WRONG-dir", "ORG=WRONG-org", "SCOPE=WRONG-scope",
		"ANTHROPIC_API_KEY=stale-key", "ANTHROPIC_AUTH_TOKEN=", "ANTHROPIC_IDENTITY_TOKEN_FILE=/stale/file", "ANTHROPIC_IDENTITY_TOKEN=stale-token"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", shell, err, script)
	}
	env := map[string]string{}
	for _, kv := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "ANTHROPIC_") {
			env[k] = v
		}
	}
	return env
}

func TestShellBlockSetsTheConnectionsEnvironment(t *testing.T) {
	c := awkward()
	for _, sh := range shells(t) {
		t.Run(sh, func(t *testing.T) {
			o := awkwardOptions()
			got := anthropicEnv(t, sh, render(t, c, workload.FormatShell, o))
			// ANTHROPIC_IDENTITY_TOKEN is the workload's own business in both modes: the block
			// leaves it alone.
			delete(got, "ANTHROPIC_IDENTITY_TOKEN")
			assertEnv(t, "sh, token file", got, wantEnv(c, o))

			o.TokenSource = workload.TokenFromEnv
			got = anthropicEnv(t, sh, render(t, c, workload.FormatShell, o))
			delete(got, "ANTHROPIC_IDENTITY_TOKEN")
			assertEnv(t, "sh, token from env", got, wantEnv(c, o))
		})
	}
}

func TestDotenvParsesToTheConnection(t *testing.T) {
	c := awkward()
	for _, mode := range []string{workload.TokenFromFile, workload.TokenFromEnv} {
		o := awkwardOptions()
		o.TokenSource = mode
		out := render(t, c, workload.FormatDotenv, o)
		got, err := godotenv.Unmarshal(out)
		if err != nil {
			t.Fatalf("%s: godotenv cannot read the file: %v\n%s", mode, err, out)
		}
		assertEnv(t, "dotenv ("+mode+")", got, wantEnv(c, o))
	}
}
