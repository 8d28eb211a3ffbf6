package verify

import (
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/wif"
)

// bodyStartRunes is how much of an unexpected response body a report shows.
const bodyStartRunes = 200

// bodyStart is the start of a body, made safe to show. Tokens are redacted before the cut, so
// that a cut cannot leave part of one unrecognised.
func bodyStart(b []byte) string {
	r := []rune(clean(string(b)))
	if len(r) > bodyStartRunes {
		return string(r[:bodyStartRunes]) + "…"
	}
	return string(r)
}

// clean makes text from the network safe to show: valid UTF-8, no control characters and no
// invisible format characters (escape sequences, bidi overrides), anything shaped like a token
// redacted (the secrets a request carried are redacted from the whole report by whoever knew
// them: Report.Redact).
func clean(s string) string {
	s = strings.ToValidUTF8(s, "�")
	s = strings.Map(func(r rune) rune {
		if invisible(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(redact.Tokens(s))
}

// invisible: a character a terminal or a browser would act on or hide rather than show.
func invisible(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

// visible keeps a value's characters but writes the invisible ones out as \uXXXX, so that a
// claim holding one is shown truthfully and harmlessly.
func visible(s string) string {
	s = strings.ToValidUTF8(s, "�")
	if !strings.ContainsFunc(s, invisible) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if invisible(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fetchOutcome says what a GET returned, for Actual: the status and the start of the body, or
// the transport error.
func (r *run) fetchOutcome(f Fetch) string {
	if f.Err != "" {
		return "no response: " + clean(f.Err)
	}
	return r.responseOutcome(f.URL, f.Status, f.Body)
}

// responseOutcome is the status and, for an answer from the issuer's origin (or the discovery
// base's), the start of the body. A body from anywhere else is never echoed: a URL a web user
// chose must not turn wifwiz into a way to read other servers (docs/security.md, "Requests").
func (r *run) responseOutcome(from string, status int, body []byte) string {
	s := fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
	if from != "" && !wif.TrustedEndpoint(r.cfg.IssuerURL, r.cfg.DiscoveryBase, from) {
		return s + fmt.Sprintf("; %d bytes, not shown: the answer came from %s, not the issuer's origin", len(body), quote(short(wif.Origin(from))))
	}
	if start := bodyStart(body); start != "" {
		s += "; body starts: " + start
	}
	return s
}

func attempted(f Fetch) bool {
	return f.URL != "" || f.Status != 0 || f.Err != ""
}

// shortRunes bounds a single value from the network quoted in a report.
const shortRunes = 120

// short is clean(s), cut to shortRunes.
func short(s string) string {
	r := []rune(clean(s))
	if len(r) > shortRunes {
		return string(r[:shortRunes]) + "…"
	}
	return string(r)
}
