package verify

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode"
)

// bodyStartBytes is how much of an unexpected response body a report shows.
const bodyStartBytes = 200

// jwtLike matches anything shaped like a compact JWS or JWE, so that a body shown in a report
// never carries a token.
var jwtLike = regexp.MustCompile(`[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_.-]*`)

// bodyStart is the start of a body, made safe to show: valid UTF-8, no control characters,
// tokens redacted.
func bodyStart(b []byte) string {
	cut := len(b) > bodyStartBytes
	if cut {
		b = b[:bodyStartBytes]
	}
	s := strings.ToValidUTF8(string(b), "�")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	s = jwtLike.ReplaceAllString(s, "[token removed]")
	if cut {
		s += "…"
	}
	return strings.TrimSpace(s)
}

// fetchOutcome says what a GET returned, for Actual: the status and the start of the body, or
// the transport error.
func fetchOutcome(f Fetch) string {
	if f.Err != "" {
		return "no response: " + f.Err
	}
	return responseOutcome(f.Status, f.Body)
}

func responseOutcome(status int, body []byte) string {
	s := fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
	if start := bodyStart(body); start != "" {
		s += "; body starts: " + start
	}
	return s
}

func attempted(f Fetch) bool {
	return f.URL != "" || f.Status != 0 || f.Err != ""
}
