package workload

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/wif"
)

// Awkward values: quotes of both kinds, $, a backtick, a backslash, spaces, % and a glob.
const (
	awkwardRuleID = "fdrl_a'b \"c\" $HOME `id` \\ 100% *"
	awkwardFile   = "/var/run/it's \"my\" $dir/to ken"
)

func awkwardConnection() (c wif.Connection, o Options) {
	c = fullConnection()
	c.FederationRuleID = awkwardRuleID
	c.IssuerURL = "https://auth.example.org/application/o/it's $x/"
	c.ClientID = `client "id" $1`
	return c, Options{TokenFile: awkwardFile}
}

func TestQuotingPerFormat(t *testing.T) {
	c, o := awkwardConnection()
	want := map[string][]string{
		FormatShell: {
			`export ANTHROPIC_FEDERATION_RULE_ID='fdrl_a'\''b "c" $HOME ` + "`id`" + ` \ 100% *'`,
			`export ANTHROPIC_IDENTITY_TOKEN_FILE='/var/run/it'\''s "my" $dir/to ken'`,
		},
		FormatDotenv: {
			`ANTHROPIC_FEDERATION_RULE_ID="fdrl_a'b \"c\" \$HOME ` + "`id`" + ` \\ 100% *"`,
			`ANTHROPIC_IDENTITY_TOKEN_FILE="/var/run/it's \"my\" \$dir/to ken"`,
		},
		FormatSystemd: {
			`ANTHROPIC_FEDERATION_RULE_ID="fdrl_a'b \"c\" \$HOME ` + "\\`id\\`" + ` \\ 100% *"`,
			`ANTHROPIC_IDENTITY_TOKEN_FILE="/var/run/it's \"my\" \$dir/to ken"`,
		},
		FormatK8s: {
			// Kubernetes expands $(VAR) in env values and turns $$ into $.
			`    value: "fdrl_a'b \"c\" $$HOME ` + "`id`" + ` \\ 100% *"`,
			`    value: "/var/run/it's \"my\" $$dir/to ken"`,
			`    mountPath: "/var/run/it's \"my\" $dir"`,
		},
	}
	for format, lines := range want {
		out, err := Render(c, format, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if !slices.Contains(strings.Split(out, "\n"), l) {
				t.Errorf("%s: no line\n%s\nin\n%s", format, l, out)
			}
		}
	}
}

func TestDotenvSingleQuotesWhenItCan(t *testing.T) {
	if got, want := dotenvQuote(`a "b" $c \d`), `'a "b" $c \d'`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestYAMLQuoteEscapesControlCharacters(t *testing.T) {
	if got, want := yamlQuote("a\tb\x7f"), `"a\x09b\x7f"`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestSystemdArg(t *testing.T) {
	cases := map[string]string{
		"/usr/bin/wifwiz":     "/usr/bin/wifwiz",
		"a b":                 `"a b"`,
		`say "hi" \ there`:    `"say \"hi\" \\ there"`,
		"100%":                "100%%",
		"$HOME":               "$$HOME",
		"it's":                `"it's"`,
		"":                    `""`,
		"semi;colon":          `"semi;colon"`,
		"https://a.example/x": "https://a.example/x",
	}
	for in, want := range cases {
		if got := systemdArg(in); got != want {
			t.Errorf("systemdArg(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestShellRoundTrip runs the shell block in sh and reads the variables back.
func TestShellRoundTrip(t *testing.T) {
	sh := lookSh(t)
	c, o := awkwardConnection()
	out, err := Render(c, FormatShell, o)
	if err != nil {
		t.Fatal(err)
	}
	script := out + `printf '%s\0' "$ANTHROPIC_FEDERATION_RULE_ID" "$ANTHROPIC_IDENTITY_TOKEN_FILE" "${ANTHROPIC_API_KEY-unset}" "${ANTHROPIC_AUTH_TOKEN-unset}"`
	cmd := exec.Command(sh, "-c", script)
	cmd.Env = []string{"HOME=/home/nobody", "dir=WRONG", "ANTHROPIC_API_KEY=", "ANTHROPIC_AUTH_TOKEN=old"}
	got := runNUL(t, cmd)
	want := []string{awkwardRuleID, awkwardFile, "unset", "unset"}
	if !slices.Equal(got, want) {
		t.Errorf("sh read back %q, want %q", got, want)
	}
}

// TestRefreshCommandsRoundTrip runs the wifwiz token command lines in sh with a stand-in that
// prints its arguments.
func TestRefreshCommandsRoundTrip(t *testing.T) {
	sh := lookSh(t)
	c, o := awkwardConnection()
	o.RefreshCommand = "argdump"
	want := map[string][]string{
		"wifwiz token (flags only)": {"token", "--issuer", c.IssuerURL, "--client-id", c.ClientID,
			"--client-secret-file", DefaultClientSecretFile, "--token-lifetime", "3600", "--out", awkwardFile},
		"wifwiz token (stored connection)": {"token", "--connection", c.Name, "--db", DefaultDBPath, "--out", awkwardFile},
	}
	for _, s := range RefreshSetups(c, o) {
		w, ok := want[s.Name]
		if !ok {
			continue
		}
		delete(want, s.Name)
		script := "argdump() { printf '%s\\0' \"$@\"; }\n" + strings.Replace(s.Content, "exec argdump", "argdump", 1)
		if got := runNUL(t, exec.Command(sh, "-c", script)); !slices.Equal(got, w) {
			t.Errorf("%s: sh passed %q, want %q", s.Name, got, w)
		}
	}
	if len(want) > 0 {
		t.Errorf("setups missing: %v", want)
	}
}

func lookSh(t *testing.T) string {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to run the shell block")
	}
	return sh
}

func runNUL(t *testing.T, cmd *exec.Cmd) []string {
	t.Helper()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}

// TestKubernetesDollarDoubled: Kubernetes expands $(VAR) in env values, command and args; every $
// of a recorded value is written $$, which it turns back into $.
func TestKubernetesDollarDoubled(t *testing.T) {
	c := fullConnection()
	c.ClientID = "client$(HOME)"
	c.Scope = "openid $(SECRET) $$x"
	env, err := Render(c, FormatK8s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	side, _ := RefreshSetup(c, Options{}, "k8s-sidecar")
	for name, out := range map[string]string{"env": env, "sidecar": side.Content} {
		if strings.Contains(strings.ReplaceAll(out, "$$", ""), "$") {
			t.Errorf("%s has a single $:\n%s", name, out)
		}
	}
	if !strings.Contains(side.Content, `"--client-id"`) || !strings.Contains(side.Content, `"client$$(HOME)"`) || !strings.Contains(side.Content, `"openid $$(SECRET) $$$$x"`) {
		t.Errorf("sidecar args:\n%s", side.Content)
	}
}
