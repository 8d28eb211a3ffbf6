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

// systemdArg quotes one ExecStart argument: $ doubled against variable expansion, then as
// systemdPath.
func systemdArg(s string) string {
	return systemdPath(strings.ReplaceAll(s, "$", "$$"))
}

// systemdExec writes an ExecStart= command line over several lines. systemd expands variables
// in the arguments but not in the command itself: only the arguments double their $.
func systemdExec(args []string) string {
	line := commandLines(args, systemdArg)
	return systemdPath(args[0]) + strings.TrimPrefix(line, systemdArg(args[0]))
}

// systemdPath quotes a value in which systemd expands specifiers but no variables — the command
// of an ExecStart= line, a ReadWritePaths= path: % doubled, and double quotes with backslash
// escapes when the value is not plain.
func systemdPath(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	if s != "" && !strings.ContainsFunc(s, notPlain) {
		return s
	}
	return cQuote(s)
}

// systemdLiteral quotes a RuntimeDirectory= name, which systemd unquotes without any escape:
// % doubled, the name in double quotes and each double quote in it in single quotes. A
// backslash cannot be written there: ok is false.
func systemdLiteral(s string) (quoted string, ok bool) {
	if s == "" || strings.ContainsRune(s, '\\') || hasControl(s) {
		return "", false
	}
	s = strings.ReplaceAll(s, "%", "%%")
	if !strings.ContainsFunc(s, notPlain) {
		return s, true
	}
	return `"` + strings.ReplaceAll(s, `"`, `"'"'"`) + `"`, true
}

// cQuote double-quotes s with \ and " backslash-escaped and control characters as \x escapes, which both
// YAML and systemd's command lines read back.
func cQuote(s string) string { return backslashQuote(s, `\x%02x`) }

// backslashQuote double-quotes s with \ and " backslash-escaped and control characters written
// with control (a Printf format for the rune).
func backslashQuote(s, control string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '\\' || r == '"':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, control, r)
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
