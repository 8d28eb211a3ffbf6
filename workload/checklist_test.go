package workload

import (
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

func TestMarkdownHasEverySetting(t *testing.T) {
	for _, c := range []wif.Connection{fullConnection(), workspaceConnection(), draftConnection()} {
		md := Markdown(Checklist{Connection: c, GeneratedAt: generatedAt}, Options{})
		for _, f := range wif.Fields {
			if !strings.Contains(md, "\n| "+f.Label+" | ") {
				t.Errorf("%s: no row for %q", c.Name, f.Label)
			}
		}
	}
}

func TestMarkdownConsoleSideAfterAuthentik(t *testing.T) {
	md := Markdown(Checklist{Connection: fullConnection()}, Options{})
	ak, console := strings.Index(md, "### authentik"), strings.Index(md, "### Anthropic Console")
	clientID, svac := strings.Index(md, "| Client ID |"), strings.Index(md, "| Service account ID |")
	if !(ak < clientID && clientID < console && console < svac) {
		t.Errorf("want authentik settings, then Console settings: %d %d %d %d", ak, clientID, console, svac)
	}
}

func TestMarkdownSecretPlace(t *testing.T) {
	cases := map[string]string{
		"env:AK_SECRET":  "The authentik client secret is at `env:AK_SECRET` (the environment variable `AK_SECRET`",
		"file:/etc/x":    "The authentik client secret is at `file:/etc/x` (the file `/etc/x`",
		"":               "Not recorded — ask the previous owner; wifwiz never stores secrets.",
		"hunter2-secret": "it may be the secret itself, pasted by mistake",
	}
	for ref, want := range cases {
		c := fullConnection()
		c.SecretRef = ref
		md := Markdown(Checklist{Connection: c}, Options{})
		_, section, _ := strings.Cut(md, "## Where the secret lives\n")
		if !strings.Contains(section, want) {
			t.Errorf("ref %q: section %q lacks %q", ref, section, want)
		}
	}
}

func TestMarkdownVerifiedColumn(t *testing.T) {
	md := Markdown(Checklist{Connection: fullConnection(), LastRun: failingRun()}, Options{})
	want := map[string]string{
		"Issuer URL":         "✓ passed",
		"Subject prefix":     "✗ failed",
		"Subject mode":       "✗ failed",
		"Provider name":      "✗ failed", // username subject mode: the provider name is in sub
		"Audience":           "— not checked",
		"Federation rule ID": "— not checked",
	}
	for label, mark := range want {
		row := rowOf(md, label)
		if !strings.HasSuffix(row, " "+mark+" | "+markUnknown+" |") { // Verified, then Recorded by (none here)
			t.Errorf("%s: row %q, want %s", label, row, mark)
		}
	}
	for _, emoji := range []string{"✅", "⚠️", "❌"} {
		if strings.Contains(md, emoji) {
			t.Errorf("the checklist uses the emoji %s: text marks render in every font", emoji)
		}
	}
}

// TestMarkdownStaleRunJudgesNothing: a run older than the settings vouches for none of them.
func TestMarkdownStaleRunJudgesNothing(t *testing.T) {
	run := failingRun()
	run.Stale = true
	md := Markdown(Checklist{Connection: fullConnection(), LastRun: run}, Options{})
	if row := rowOf(md, "Subject prefix"); !strings.HasSuffix(row, " — not checked | "+markUnknown+" |") { // Verified, then Recorded by
		t.Errorf("a stale run still judges the settings: %q", row)
	}
	if !strings.Contains(md, "The settings changed after it") || !strings.Contains(md, "- [ ] **Verification passes with these settings** (connection owner) — open. The settings changed after") {
		t.Errorf("the stale run is not called out:\n%s", md)
	}
}

func TestMarkdownFailedChecks(t *testing.T) {
	md := Markdown(Checklist{Connection: fullConnection(), LastRun: failingRun()}, Options{})
	if !strings.Contains(md, "| `claim.sub` | ✗ fail | `ak-nightly-batch-client_credentials` | `3f7a5c0e9b1d` | sub \\| is a hash | set the subject prefix to the hash |") {
		t.Errorf("no row for the failed claim.sub:\n%s", md)
	}
	if !strings.Contains(md, "| `lifetime` | — skip |") {
		t.Error("no row for the skipped lifetime check")
	}
	if strings.Contains(md, "| `claim.iss` |") {
		t.Error("a passed check is listed among those that did not pass")
	}
	md = Markdown(Checklist{Connection: fullConnection(), LastRun: &LastRun{OK: true,
		Checks: []verify.Check{{ID: verify.CheckClaimIss, Status: verify.Pass}}}}, Options{})
	if !strings.Contains(md, "Every check passed.") {
		t.Error("an all-pass run does not say so")
	}
}

func TestMarkdownEscapesUntrustedText(t *testing.T) {
	c := fullConnection()
	c.Name = "<script>alert(1)</script> | *x*"
	c.ClientID = "a|b`c"
	cl := Checklist{Connection: c, RecordedBy: "<img src=x>", Warnings: []string{"<b>bold</b> [link](http://x)"},
		Recorded: map[string]SettingRecord{wif.FieldAudience: {By: "Eve | *x* <e>", At: recordedAt}},
		LastRun:  &LastRun{Checks: []verify.Check{{ID: "claim.sub", Status: verify.Fail, Message: "<iframe>", Fix: "|"}}}}
	md := Markdown(cl, Options{})
	for _, want := range []string{
		"# Hand-off checklist: \\<script\\>alert(1)\\</script\\> \\| \\*x\\*\n",
		"Last change recorded by \\<img src=x\\> on ",
		"- \\<b\\>bold\\</b\\> \\[link\\](http://x)\n",
		"| \\<iframe\\> | \\| |",
		"| Connection name | `<script>alert(1)</script> \\| *x*` | — not checked |", // a code span: literal
		"| — not checked | Eve \\| \\*x\\* \\<e\\>, 2026-05-01 14:05 UTC |\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("no %q in\n%s", want, md)
		}
	}
	if row := rowOf(md, "Client ID"); row != "| Client ID | ``a\\|b`c`` | — not checked | — |" {
		t.Errorf("Client ID row %q", row)
	}
}

func TestMarkdownLongValuesFenced(t *testing.T) {
	c := workspaceConnection()
	c.InlineJWKS = "{\"keys\":[]}\n```\n# not a heading"
	md := Markdown(Checklist{Connection: c}, Options{})
	if !strings.Contains(md, "````json\n{\"keys\":[]}\n```\n# not a heading\n````\n") {
		t.Errorf("inline JWKS not fenced safely:\n%s", md)
	}
	if row := rowOf(md, "Inline JWKS"); !strings.Contains(row, "bytes, SHA-256 ") {
		t.Errorf("inline JWKS row %q does not summarise it", row)
	}
}

func TestMarkdownStatus(t *testing.T) {
	cases := map[string]struct {
		run  *LastRun
		want string
	}{
		"Never":  {nil, "Never verified"},
		"OK":     {passingRun(), "Last verification on 2026-05-01 15:05 UTC (audit): **OK** — 18 pass, 1 warn, 0 fail, 1 skip."},
		"Failed": {failingRun(), "**FAILED** — 3 pass, 0 warn, 1 fail, 1 skip."},
	}
	for name, tc := range cases {
		md := Markdown(Checklist{Connection: fullConnection(), LastRun: tc.run}, Options{})
		if !strings.Contains(md, tc.want) {
			t.Errorf("%s: no %q", name, tc.want)
		}
	}
}

func TestMarkdownEnvBlockFollowsOptions(t *testing.T) {
	md := Markdown(Checklist{Connection: fullConnection()}, Options{TokenFile: "/srv/token"})
	if !strings.Contains(md, "```sh\n") || !strings.Contains(md, "export ANTHROPIC_IDENTITY_TOKEN_FILE='/srv/token'") {
		t.Error("the env block does not use the options")
	}
}

func rowOf(md, label string) string {
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "| "+label+" | ") {
			return l
		}
	}
	return ""
}
