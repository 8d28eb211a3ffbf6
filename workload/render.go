package workload

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// Formats of the environment block, and of the hand-off checklist (Markdown, not rendered by Render).
const (
	FormatShell    = "shell"
	FormatDotenv   = "dotenv"
	FormatK8s      = "k8s"
	FormatSystemd  = "systemd"
	FormatMarkdown = "markdown"
)

// Formats lists the formats Render accepts, in the order to offer them.
func Formats() []string {
	return []string{FormatShell, FormatDotenv, FormatK8s, FormatSystemd}
}

// Render writes the workload's environment block for c in format. It fails on an unknown format,
// on invalid options, and on a recorded value no format can carry safely (StoredProblem).
func Render(c wif.Connection, format string, o Options) (string, error) {
	if err := o.Validate(); err != nil {
		return "", err
	}
	render := renderer(format)
	if render == nil {
		return "", fmt.Errorf("unknown format %q: use one of %s", format, strings.Join(Formats(), ", "))
	}
	if err := StoredProblem(c); err != nil {
		return "", err
	}
	vars := EnvVars(c, o)
	for _, v := range vars {
		if wif.ForbiddenText(v.Value) {
			return "", &wif.Error{Code: wif.EINVALID, Message: fmt.Sprintf("The value of %s contains a control or invisible character; fix the recorded setting.", v.Name)}
		}
	}
	return render(c, vars), nil
}

// StoredProblem refuses to export a connection with a recorded value the wizard would refuse as
// text (wif.StoredProblems): every format — environment blocks, refresh setups, the hand-off
// checklist — applies this one rule, so that no newline, escape sequence or invisible character
// reaches a file a shell, systemd or Kubernetes reads. The error is EINVALID and names the field.
func StoredProblem(c wif.Connection) error {
	fe := wif.StoredProblems(c)
	if len(fe) == 0 {
		return nil
	}
	first := slices.Sorted(maps.Keys(fe))[0]
	return &wif.Error{Code: wif.EINVALID, Fields: fe, Message: fmt.Sprintf(
		"Connection %q cannot be exported as recorded: %s Fix the setting in the wizard (or with wifwiz check --save), then export again.",
		printableName(c.Name), fe[first])}
}

// printableName is a connection name fit for a message, whatever was stored.
func printableName(s string) string {
	s = strings.ToValidUTF8(s, "�")
	return strings.Map(func(r rune) rune {
		if wif.ForbiddenText(string(r)) {
			return '�'
		}
		return r
	}, s)
}

func renderer(format string) func(wif.Connection, []EnvVar) string {
	switch format {
	case FormatShell:
		return renderShell
	case FormatDotenv:
		return renderDotenv
	case FormatK8s:
		return renderK8s
	case FormatSystemd:
		return renderSystemd
	}
	return nil
}

// header names the connection at the top of every rendered file.
func header(c wif.Connection) []string {
	lines := []string{fmt.Sprintf("wifwiz: Anthropic workload identity federation, connection %q.", c.Name)}
	if c.IssuerURL != "" {
		lines = append(lines, "Issuer: "+c.IssuerURL)
	}
	return lines
}

// envSecretNote closes the header of an environment block.
const envSecretNote = "No secrets here: the authentik client secret stays with the token refresher."

// text builds a line-oriented file whose comments start with "# ".
type text struct {
	strings.Builder
	indent string // prefix of comment lines, for YAML
}

// commentWidth is where comments wrap.
const commentWidth = 96

// comment writes each non-empty line as comments, split at \n and wrapped at commentWidth;
// a line's leading spaces are kept on its first part.
func (t *text) comment(lines ...string) {
	for _, l := range lines {
		for _, part := range strings.Split(l, "\n") {
			for _, w := range wrap(oneLine(part), commentWidth) {
				t.line(t.indent + strings.TrimRight("# "+w, " "))
			}
		}
	}
}

// wrap breaks s at spaces into lines of at most width characters where it can.
func wrap(s string, width int) []string {
	if s == "" {
		return nil
	}
	indent := s[:len(s)-len(strings.TrimLeft(s, " "))]
	var lines []string
	cur := indent
	for _, word := range strings.Fields(s) {
		if cur != indent && len(cur)+1+len(word) > width {
			lines = append(lines, cur)
			cur = indent
		}
		if cur != indent {
			cur += " "
		}
		cur += word
	}
	return append(lines, cur)
}

func (t *text) line(s string) {
	t.WriteString(s)
	t.WriteByte('\n')
}
