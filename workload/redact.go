package workload

import (
	"strings"
	"unicode"

	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/wif"
)

// Redacted replaces anything that looks like a token in rendered text.
const Redacted = redact.TokenMark

// looksLikeToken reports whether s contains a token-looking string: a compact JWS or JWE, or an
// Anthropic API key or access token.
func looksLikeToken(s string) bool {
	return redact.LooksLikeToken(s)
}

// redactTokens replaces every token-looking part of free text.
func redactTokens(s string) string {
	return redact.Tokens(s)
}

// oneLine redacts s and turns its control characters (line breaks included) into spaces, for
// comments and table cells.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, redactTokens(s))
}

// hasControl applies the wizard's text rule (wif.ForbiddenText) to an option.
func hasControl(s string) bool {
	return wif.ForbiddenText(s)
}

func isSpaceOrControl(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r)
}
