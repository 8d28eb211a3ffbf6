package workload

import (
	"fmt"
	"strings"
)

// shellQuote quotes s for a POSIX shell in single quotes; each ' inside closes the quote, is
// written as \', and reopens it.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellWord leaves a plain word as it is and single-quotes anything else.
func shellWord(s string) string {
	if s != "" && !strings.ContainsFunc(s, notPlain) && !strings.ContainsAny(s, "%$") {
		return s
	}
	return shellQuote(s)
}

// dotenvQuote single-quotes s (literal in godotenv, python-dotenv, docker compose and node's
// dotenv). A value holding a single quote is double-quoted instead, with \ " and $ escaped.
func dotenvQuote(s string) string {
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	return `"` + backslashEscape(s, `\"$`) + `"`
}

// systemdEnvQuote double-quotes s for a systemd EnvironmentFile, whose parser unescapes exactly
// \ " ` and $ inside double quotes; single quotes cannot be escaped there.
func systemdEnvQuote(s string) string {
	return `"` + backslashEscape(s, "\\\"`$") + `"`
}

// yamlQuote writes s as a YAML double-quoted scalar.
func yamlQuote(s string) string {
	return cQuote(s)
}

// k8sQuote quotes a value Kubernetes expands — an env value, a command or an argument, where
// $(VAR) is replaced by a variable of the container — so that it arrives as written: $ doubled.
func k8sQuote(s string) string {
	return yamlQuote(strings.ReplaceAll(s, "$", "$$"))
}

// systemdArg quotes one ExecStart argument: specifiers (%) doubled, $ doubled against variable
// expansion, and double quotes with C escapes when the argument is not plain.
func systemdArg(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	s = strings.ReplaceAll(s, "$", "$$")
	if s != "" && !strings.ContainsFunc(s, notPlain) {
		return s
	}
	return cQuote(s)
}

// cQuote double-quotes s with \ and " backslash-escaped and control characters as \x escapes, which both
// YAML and systemd's command lines read back.
func cQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '\\' || r == '"':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// notPlain marks characters that need quoting in a systemd command line.
func notPlain(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/_.:=@+,%$-", r))
}

func backslashEscape(s, special string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(special, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
