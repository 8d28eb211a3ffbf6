package workload

import (
	"regexp"
	"strings"
	"unicode"
)

// Redacted replaces anything that looks like a token in rendered text.
const Redacted = "[redacted: looks like a token]"

// tokenPattern matches what must never be rendered: a compact JWS or JWE (its first segment is
// base64url JSON, so it starts with eyJ) and an Anthropic API key or access token (sk-ant-…).
var tokenPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*){2,4}|sk-ant-[A-Za-z0-9_-]*`)

// looksLikeToken reports whether s contains a token-looking string.
func looksLikeToken(s string) bool {
	return tokenPattern.MatchString(s)
}

// redact replaces every token-looking part of free text.
func redact(s string) string {
	return tokenPattern.ReplaceAllString(s, Redacted)
}

// oneLine redacts s and turns its control characters (line breaks included) into spaces, for
// comments and table cells.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, redact(s))
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, unicode.IsControl)
}

func isSpaceOrControl(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r)
}

// Redact replaces every token-looking part of free text (a signed JWT, an sk-ant- key) with
// Redacted: for text that leaves wifwiz, such as an alert's payload.
func Redact(s string) string { return redact(s) }
