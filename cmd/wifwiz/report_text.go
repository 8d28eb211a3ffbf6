package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/verify"
)

// maxActualRunes keeps one table row readable; the JSON report has the whole value.
const maxActualRunes = 100

// palette colours verdicts; the zero palette prints plain text.
type palette struct{ on bool }

var verdictColors = map[verify.Status]string{
	verify.Pass: "\x1b[32m", // green
	verify.Warn: "\x1b[33m", // yellow
	verify.Fail: "\x1b[31m", // red
	verify.Skip: "\x1b[90m", // grey
}

func (p palette) paint(s verify.Status, text string) string {
	if !p.on {
		return text
	}
	return verdictColors[s] + text + "\x1b[0m"
}

func (p palette) bold(text string) string {
	if !p.on {
		return text
	}
	return "\x1b[1m" + text + "\x1b[0m"
}

// colorFor colours only a terminal on the real stdout, and never when NO_COLOR is set.
func colorFor(e env) palette {
	if e.getenv("NO_COLOR") != "" {
		return palette{}
	}
	f, ok := e.stdout.(*os.File)
	if !ok {
		return palette{}
	}
	info, err := f.Stat()
	return palette{on: err == nil && info.Mode()&os.ModeCharDevice != 0}
}

// writeReport prints the report as a table: one row per check (id, verdict, actual), and for
// a warning or failure its message and fix on indented lines, then a summary line.
func writeReport(w io.Writer, rep verify.Report, p palette) error {
	var b strings.Builder
	name := "(ad hoc, not stored)"
	if rep.Connection != nil {
		name = printable(*rep.Connection)
	}
	fmt.Fprintf(&b, "%s %s\nissuer     %s\n", p.bold("connection"), name, printable(rep.Issuer))
	if rep.Token != nil {
		fmt.Fprintf(&b, "token      %s, sha256 %s\n", rep.Token.Field, rep.Token.SHA256)
	}
	b.WriteByte('\n')
	width := idWidth(rep.Checks)
	for _, c := range rep.Checks {
		writeCheck(&b, c, width, p)
	}
	fmt.Fprintf(&b, "\n%s — %s\n", actions.SummaryText(rep.Summary), outcome(rep, p))
	_, err := io.WriteString(w, b.String())
	return err
}

func writeCheck(b *strings.Builder, c verify.Check, width int, p palette) {
	verdict := p.paint(c.Status, fmt.Sprintf("%-4s", c.Status))
	row := fmt.Sprintf("%-*s  %s  %s", width, c.ID, verdict, shorten(printable(c.Actual), maxActualRunes))
	b.WriteString(strings.TrimRight(row, " ") + "\n")
	if c.Status != verify.Warn && c.Status != verify.Fail {
		return
	}
	indent := strings.Repeat(" ", width+2)
	if c.Message != "" {
		fmt.Fprintf(b, "%s%s\n", indent, printable(c.Message))
	}
	if c.Fix != "" {
		fmt.Fprintf(b, "%sfix: %s\n", indent, printable(c.Fix))
	}
}

func outcome(rep verify.Report, p palette) string {
	switch {
	case !rep.OK:
		return p.paint(verify.Fail, fmt.Sprintf("FAILED (%d %s)", rep.Summary.Fail, plural(rep.Summary.Fail, "check", "checks")))
	case rep.Summary.Warn > 0:
		return p.paint(verify.Warn, "OK with warnings")
	}
	return p.paint(verify.Pass, "OK")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func idWidth(checks []verify.Check) int {
	w := 0
	for _, c := range checks {
		w = max(w, len(c.ID))
	}
	return w
}

// printable neutralises values from authentik or a token (untrusted) before they reach a
// terminal: control characters (escape sequences included) and invisible format characters
// (bidirectional overrides) become spaces.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, s)
}

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
