package workload

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/wifwiz/wifwiz/wif"
)

// fuzzFields are the recorded values that reach an export: the Console IDs, the issuer, the
// client ID, the scope and the Anthropic base URL.
var fuzzFields = []func(*wif.Connection, string){
	func(c *wif.Connection, v string) { c.FederationRuleID = v },
	func(c *wif.Connection, v string) { c.OrganizationID = v },
	func(c *wif.Connection, v string) { c.ServiceAccountID = v },
	func(c *wif.Connection, v string) { c.WorkspaceID = v },
	func(c *wif.Connection, v string) { c.AnthropicBaseURL = v },
	func(c *wif.Connection, v string) { c.ClientID = v },
	func(c *wif.Connection, v string) { c.Scope = v },
	func(c *wif.Connection, v string) { c.IssuerURL = v },
}

// FuzzExports: every export of a connection holding any value either is refused (the value is
// no text the wizard records) or reads back, in its own syntax, as the values the workload must
// get: the shell's, dotenv's and systemd's assignments, Kubernetes' env list and the sidecar's
// args (with $$ read as $, as Kubernetes does), and a hand-off checklist with as many lines as
// for a plain value.
func FuzzExports(f *testing.F) {
	for _, s := range []string{"fdrl_plain", `a'b "c" $HOME ` + "`id`" + ` \ 100% *`, "$(touch /tmp/x)", "x\nexport EVIL=1",
		"\x1b[2J", "a\u202eb", "\xff", "'", `\`, "#comment", "a: b", "- x", "{x}", "&anchor", "!!binary", "%41", "|table|"} {
		for i := range fuzzFields {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, v string) {
		c, plain := fullConnection(), fullConnection()
		fuzzFields[int(which)%len(fuzzFields)](&c, v)
		fuzzFields[int(which)%len(fuzzFields)](&plain, "plain-value")
		if len(wif.StoredProblems(c)) > 0 {
			for _, format := range ExportFormats() {
				if _, err := RenderExport(Checklist{Connection: c}, format, Options{}); wif.ErrorCode(err) != wif.EINVALID {
					t.Fatalf("%s exported a value the wizard refuses: %v", format, err)
				}
			}
			return
		}
		want := map[string]string{}
		for _, e := range EnvVars(c, Options{}) {
			if e.Kind != SetByWorkload {
				want[e.Name] = e.Value
			}
		}
		for format, parse := range map[string]func(string) (map[string]string, error){
			FormatShell: parseShell, FormatDotenv: parseDotenv, FormatSystemd: parseSystemd, FormatK8s: parseK8sEnv,
		} {
			out, err := Render(c, format, Options{})
			if err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			got, err := parse(out)
			if err != nil || !mapsEqual(got, want) {
				t.Fatalf("%s reads back as %v (%v), want %v:\n%s", format, got, err, want, out)
			}
		}
		side, _ := RefreshSetup(c, Options{}, "k8s-sidecar")
		args, err := parseSidecarArgs(side.Content)
		if wantArgs := tokenFlags(c, Options{}.withDefaults(), "", caMountDir+"/ca.pem"); err != nil || !slices.Equal(args, wantArgs) {
			t.Fatalf("sidecar args read back as %q (%v), want %q", args, err, wantArgs)
		}
		md, plainMD := proseLines(Markdown(Checklist{Connection: c}, Options{})), proseLines(Markdown(Checklist{Connection: plain}, Options{}))
		if len(md) != len(plainMD) {
			t.Fatalf("the checklist has %d lines outside code blocks, %d for a plain value:\n%s", len(md), len(plainMD), strings.Join(md, "\n"))
		}
	})
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// assignmentLines are the NAME=value lines of a file, after prefix ("export ").
func assignmentLines(out, prefix string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, prefix); ok && !strings.HasPrefix(l, "#") {
			if name, v, ok := strings.Cut(rest, "="); ok && !strings.ContainsAny(name, " '\"") {
				m[name] = v
			}
		}
	}
	return m
}

// parseShell reads export NAME=WORD lines as POSIX sh does for our words: single-quoted runs,
// backslash-escaped characters and plain characters, concatenated.
func parseShell(out string) (map[string]string, error) {
	m := map[string]string{}
	for name, word := range assignmentLines(out, "export ") {
		var b strings.Builder
		for i := 0; i < len(word); i++ {
			switch word[i] {
			case '\'':
				end := strings.IndexByte(word[i+1:], '\'')
				if end < 0 {
					return nil, fmt.Errorf("%s: unterminated quote", name)
				}
				b.WriteString(word[i+1 : i+1+end])
				i += end + 1
			case '\\':
				i++
				if i < len(word) {
					b.WriteByte(word[i])
				}
			case ' ', '\t', ';', '&', '|', '$', '`', '"', '(', ')', '<', '>':
				return nil, fmt.Errorf("%s: unquoted %q", name, word[i])
			default:
				b.WriteByte(word[i])
			}
		}
		m[name] = b.String()
	}
	return m, nil
}

// parseDotenv reads NAME='literal' and NAME="with \\ \" \$ escapes".
func parseDotenv(out string) (map[string]string, error) {
	m := map[string]string{}
	for name, v := range assignmentLines(out, "") {
		switch {
		case len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' && !strings.Contains(v[1:len(v)-1], "'"):
			m[name] = v[1 : len(v)-1]
		case len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"':
			s, err := unbackslash(v[1:len(v)-1], `\"$`)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", name, err)
			}
			m[name] = s
		default:
			return nil, fmt.Errorf("%s: unquoted value %q", name, v)
		}
	}
	return m, nil
}

// parseSystemd reads an EnvironmentFile's NAME="…" lines: inside double quotes systemd unescapes
// \\ \" \` and \$.
func parseSystemd(out string) (map[string]string, error) {
	m := map[string]string{}
	for name, v := range assignmentLines(out, "") {
		if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return nil, fmt.Errorf("%s: not double-quoted: %q", name, v)
		}
		s, err := unbackslash(v[1:len(v)-1], "\\\"`$")
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		m[name] = s
	}
	return m, nil
}

// unbackslash undoes backslash escapes of the characters in escaped; any of them unescaped, or
// another escape, is an error.
func unbackslash(s, escaped string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' {
			if i+1 >= len(s) || !strings.ContainsRune(escaped, rune(s[i+1])) {
				return "", fmt.Errorf("stray backslash in %q", s)
			}
			i++
			b.WriteByte(s[i])
			continue
		}
		if strings.ContainsRune(escaped, rune(c)) {
			return "", fmt.Errorf("unescaped %q in %q", c, s)
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}

// kubernetes turns $$ into $ in env values, commands and args (and would expand $(VAR)).
func kubernetes(s string) (string, error) {
	if strings.Contains(strings.ReplaceAll(s, "$$", ""), "$") {
		return "", fmt.Errorf("a lone $ in %q", s)
	}
	return strings.ReplaceAll(s, "$$", "$"), nil
}

func parseK8sEnv(out string) (map[string]string, error) {
	var doc struct {
		Env []struct{ Name, Value string }
	}
	if err := yaml.Unmarshal([]byte(out), &doc); err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, e := range doc.Env {
		v, err := kubernetes(e.Value)
		if err != nil {
			return nil, err
		}
		m[e.Name] = v
	}
	return m, nil
}

func parseSidecarArgs(out string) ([]string, error) {
	var doc struct {
		Spec struct {
			Template struct {
				Spec struct {
					InitContainers []struct{ Args []string } `yaml:"initContainers"`
				}
			}
		}
	}
	if err := yaml.Unmarshal([]byte(out), &doc); err != nil {
		return nil, err
	}
	if len(doc.Spec.Template.Spec.InitContainers) != 1 {
		return nil, fmt.Errorf("%d init containers", len(doc.Spec.Template.Spec.InitContainers))
	}
	var args []string
	for _, a := range doc.Spec.Template.Spec.InitContainers[0].Args {
		v, err := kubernetes(a)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	return args, nil
}

// proseLines are a Markdown document's lines outside fenced code blocks (those hold the exports
// checked above).
func proseLines(md string) []string {
	var out []string
	fenced := false
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "```") || strings.HasPrefix(l, "~~~") {
			fenced = !fenced
			continue
		}
		if !fenced {
			out = append(out, l)
		}
	}
	return out
}
