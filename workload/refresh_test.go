package workload

import (
	"os/exec"
	"strings"
	"testing"

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
	cases := map[string]int{"hours=1": 30, "minutes=10": 5, "seconds=30": 1, "": 30, "garbage": 30, "days=1": 30}
	for validity, want := range cases {
		if got := cronMinutes(wif.Connection{AccessTokenValidity: validity}); got != want {
			t.Errorf("validity %q: every %d minutes, want %d", validity, got, want)
		}
	}
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
