package workload

import (
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/wif"
)

func TestRenderUnknownFormat(t *testing.T) {
	_, err := Render(fullConnection(), "toml", Options{})
	if err == nil {
		t.Fatal("got no error for an unknown format")
	}
	for _, f := range append(Formats(), "toml") {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not name %q", err, f)
		}
	}
}

// TestEveryExportRefusesControlCharacters: every format — environment blocks, refresh setups and
// the hand-off checklist — applies the one rule (StoredProblem), naming the setting.
func TestEveryExportRefusesControlCharacters(t *testing.T) {
	for name, bad := range map[string]string{"newline": "fdrl_x\nexport EVIL=1", "escape": "fdrl_\x1b[2J",
		"bidi": "fdrl_\u202eabc", "nonUTF8": "fdrl_\xff"} {
		c := fullConnection()
		c.FederationRuleID = bad
		for _, f := range ExportFormats() {
			_, err := RenderExport(Checklist{Connection: c}, f, Options{})
			if wif.ErrorCode(err) != wif.EINVALID || !strings.Contains(err.Error(), "Federation rule ID") {
				t.Errorf("%s in %s: got %v, want an EINVALID error naming the Federation rule ID", name, f, err)
			}
		}
		for _, f := range Formats() {
			if _, err := Render(c, f, Options{}); wif.ErrorCode(err) != wif.EINVALID {
				t.Errorf("%s: Render %s: got %v", name, f, err)
			}
		}
	}
}

func TestRenderRefusesInvalidOptions(t *testing.T) {
	if _, err := Render(fullConnection(), FormatShell, Options{TokenFile: "relative/token"}); err == nil {
		t.Error("got no error for a relative token file")
	}
}

func TestRenderPlaceholderUnderTODO(t *testing.T) {
	want := map[string][2]string{
		FormatShell:   {"# TODO: federation rule ID", "export ANTHROPIC_FEDERATION_RULE_ID='fdrl_…'"},
		FormatDotenv:  {"# TODO: federation rule ID", "ANTHROPIC_FEDERATION_RULE_ID='fdrl_…'"},
		FormatSystemd: {"# TODO: federation rule ID", `ANTHROPIC_FEDERATION_RULE_ID="fdrl_…"`},
		FormatK8s:     {"  # TODO: federation rule ID", "  - name: ANTHROPIC_FEDERATION_RULE_ID"},
	}
	for format, w := range want {
		out, err := Render(draftConnection(), format, Options{})
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(out, "\n")
		i := indexPrefix(lines, w[0])
		if i < 0 {
			t.Errorf("%s: no line starts with %q:\n%s", format, w[0], out)
			continue
		}
		// The TODO comment may wrap; the variable follows it directly.
		for i+1 < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i+1]), "#") {
			i++
		}
		if lines[i+1] != w[1] {
			t.Errorf("%s: after the TODO comes %q, want %q", format, lines[i+1], w[1])
		}
	}
}

func TestRenderEnvModeSetsNoToken(t *testing.T) {
	for _, f := range Formats() {
		out, err := Render(fullConnection(), f, Options{TokenSource: TokenFromEnv})
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(out, "\n") {
			l := strings.TrimSpace(line)
			if strings.HasPrefix(l, "#") {
				continue
			}
			if strings.Contains(l, EnvIdentityToken+"=") || strings.HasSuffix(l, "name: "+EnvIdentityToken) ||
				strings.Contains(l, EnvIdentityTokenFile+"=") || strings.Contains(l, "volumeMounts") {
				t.Errorf("%s: env mode renders %q", f, line)
			}
		}
		if !strings.Contains(out, "the workload must set it itself") {
			t.Errorf("%s: no note that the workload sets %s", f, EnvIdentityToken)
		}
	}
}

func TestRenderTellsToRemoveOverridingVariables(t *testing.T) {
	want := map[string]string{
		FormatShell:   "\nunset ANTHROPIC_API_KEY ANTHROPIC_AUTH_TOKEN\n",
		FormatSystemd: "UnsetEnvironment=ANTHROPIC_API_KEY ANTHROPIC_AUTH_TOKEN",
		FormatDotenv:  "remove ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN",
		FormatK8s:     "Remove ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN",
	}
	for format, w := range want {
		out, _ := Render(fullConnection(), format, Options{})
		if !strings.Contains(out, w) || !strings.Contains(out, "take precedence over federation") {
			t.Errorf("%s: want %q and why:\n%s", format, w, out)
		}
	}
}

func indexPrefix(lines []string, prefix string) int {
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return i
		}
	}
	return -1
}
