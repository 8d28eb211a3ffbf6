package workload

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

func setupNamed(t *testing.T, c wif.Connection, o Options, name string) string {
	t.Helper()
	for _, s := range RefreshSetups(c, o) {
		if s.Name == name {
			return s.Content
		}
	}
	t.Fatalf("no setup %q", name)
	return ""
}

func assertContains(t *testing.T, what, content string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(content, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, content)
		}
	}
}

func TestRefreshSetupsDistinctFiles(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range RefreshSetups(fullConnection(), Options{}) {
		if s.Name == "" || s.Content == "" || seen[s.Filename] {
			t.Errorf("setup %q: empty or duplicate file %q", s.Name, s.Filename)
		}
		seen[s.Filename] = true
	}
	if len(seen) != 6 {
		t.Errorf("got %d setups, want 6", len(seen))
	}
}

func TestKubernetesSidecar(t *testing.T) {
	k8s := setupNamed(t, fullConnection(), Options{TokenSource: TokenFromEnv}, "Kubernetes sidecar")
	assertContains(t, "the sidecar", k8s,
		"            - name: WIFWIZ_CLIENT_SECRET\n              valueFrom:\n                secretKeyRef:\n",
		"          emptyDir:\n",
		"          restartPolicy: Always\n",
		"            - name: ANTHROPIC_IDENTITY_TOKEN_FILE\n", // refreshers always use a file
	)
	if strings.Contains(k8s, "--client-secret-file") {
		t.Error("the sidecar reads a secret file; want WIFWIZ_CLIENT_SECRET from a Secret")
	}
	if n := strings.Count(k8s, "- name: "+tokenVolume); n != 3 {
		t.Errorf("the token volume appears %d times, want the volume and two mounts", n)
	}
}

func TestSystemdUnit(t *testing.T) {
	unit := setupNamed(t, fullConnection(), Options{ServiceUser: "batch"}, "systemd service for wifwiz token")
	assertContains(t, "the unit", unit, "\nRestart=always\n", "\nUser=batch\n",
		"\nLoadCredential=client-secret:/etc/wifwiz/client-secret\n", "--client-secret-file %d/client-secret\n",
		"\nRuntimeDirectory=secrets/anthropic\n", "#   UnsetEnvironment=ANTHROPIC_API_KEY ANTHROPIC_AUTH_TOKEN\n",
		"#   EnvironmentFile=/etc/wifwiz/nightly-batch.env\n")
	unit = setupNamed(t, fullConnection(), Options{TokenFile: "/srv/wl/token"}, "systemd service for wifwiz token")
	assertContains(t, "the unit", unit, "\nReadWritePaths=/srv/wl\n")
}

func TestCurlScript(t *testing.T) {
	script := setupNamed(t, fullConnection(), Options{}, "curl + jq script for cron")
	assertContains(t, "the script", script, "/.well-known/openid-configuration", "mktemp ", "chmod 600 ",
		`mv -f "$tmp" "$out"`, `<"$secret_file"`, "secret_file='/etc/wifwiz/client-secret'", "*/30 * * * *")
	if bash, err := exec.LookPath("bash"); err == nil {
		cmd := exec.Command(bash, "-n")
		cmd.Stdin = strings.NewReader(script)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("bash -n: %v: %s", err, out)
		}
	}
}

func TestStoredCommandWithoutSecretRef(t *testing.T) {
	c := fullConnection()
	c.SecretRef = ""
	cmd := setupNamed(t, c, Options{}, "wifwiz token (stored connection)")
	assertContains(t, "the command", cmd, "--client-secret-file /etc/wifwiz/client-secret")
	c.SecretRef = "env:AK_SECRET"
	cmd = setupNamed(t, c, Options{}, "wifwiz token (stored connection)")
	if strings.Contains(cmd, "--client-secret-file") {
		t.Error("a recorded reference should be used instead of a secret file")
	}
}

func TestCronMinutes(t *testing.T) {
	cases := []struct {
		validity string
		rule     time.Duration
		want     int
		ok       bool
	}{
		{"hours=1", 0, 30, true},                 // half the token
		{"hours=1", 15 * time.Minute, 12, true},  // 900 − 120 − 30 = 750 s
		{"hours=1", 200 * time.Second, 1, false}, // 50 s: more often than cron can
		{"minutes=10", 0, 5, true},               // half the token
		{"seconds=30", 0, 1, false},              // too short for any token file
		{"", 0, 30, true},                        // authentik's default, hours=1
		{"days=1", 24 * time.Hour, 30, true},     // 12 h, capped
		{"days=1", 3 * time.Minute, 1, false},    // 30 s
	}
	for _, tc := range cases {
		got, ok := cronMinutes(wif.Connection{AccessTokenValidity: tc.validity, TokenLifetime: tc.rule})
		if got != tc.want || ok != tc.ok {
			t.Errorf("validity %q, rule %s: every %d minutes (ok %v), want %d (ok %v)", tc.validity, tc.rule, got, ok, tc.want, tc.ok)
		}
	}
}

// TestSetupsFollowTheRuleLifetime: with a 15-minute rule every setup says the file is rewritten
// every 750 s, the flag setups pass --token-lifetime, cron runs every 12 minutes; with a 2-minute
// rule every setup warns that no token file can keep up.
func TestSetupsFollowTheRuleLifetime(t *testing.T) {
	c := fullConnection()
	c.TokenLifetime = 15 * time.Minute
	for _, s := range RefreshSetups(c, Options{}) {
		text := unwrapComments(s.Content)
		if s.ID == "systemd-env" {
			assertContains(t, s.ID, text, "one file per workload process")
			continue
		}
		assertContains(t, s.ID, text, "every 750 s at the latest, for a rule Token lifetime of 900 s", "one file per workload process", "docs/refresh.md")
		if s.ID != "token-stored" && s.ID != "cron" && !strings.Contains(s.Content, "token-lifetime") {
			t.Errorf("%s does not pass --token-lifetime:\n%s", s.ID, s.Content)
		}
	}
	assertContains(t, "cron", setupNamed(t, c, Options{}, "curl + jq script for cron"), "*/12 * * * *")

	c.TokenLifetime = 2 * time.Minute
	for _, s := range RefreshSetups(c, Options{}) {
		if s.ID != "systemd-env" {
			assertContains(t, s.ID, unwrapComments(s.Content), "WARNING: a federation rule Token lifetime of 120 s is too short")
		}
	}
	c.TokenLifetime = 200 * time.Second
	assertContains(t, "cron", unwrapComments(setupNamed(t, c, Options{}, "curl + jq script for cron")),
		"WARNING: cron cannot run it every 50 s: use wifwiz token instead.")
}

// unwrapComments joins wrapped comment lines, so that a phrase can be looked for wherever the
// wrapping cut it.
func unwrapComments(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n# ", " ")), " ")
}

func TestShellScriptsParse(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	c, o := awkwardConnection()
	for _, s := range RefreshSetups(c, o) {
		if !strings.HasPrefix(s.Content, "#!/bin/sh") {
			continue
		}
		cmd := exec.Command(sh, "-n")
		cmd.Stdin = strings.NewReader(s.Content)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: sh -n: %v: %s", s.Name, err, out)
		}
	}
}
