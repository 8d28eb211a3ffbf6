// Package redact is wifwiz's one redactor: it removes given secrets — a client secret, an admin
// API token — from text in every encoded form the text can carry them in, and anything shaped
// like a signed token or an Anthropic key. Every string built from a response passes through it
// before it is stored, shown or logged (docs/security.md, "Redaction").
//
// A secret is found raw, form- or percent-encoded (any mix, any hex case), JSON- or
// JavaScript-escaped (\uXXXX, surrogate pairs, \/ and friends), HTML-escaped (&#NN;, &#xNN;,
// &amp; …) and base64-encoded (standard or URL alphabet, with or without padding, at any
// alignment inside a longer base64 text, such as a Basic header of id:secret). The package is
// pure: no I/O.
package redact

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Mark replaces a secret.
const Mark = "[redacted]"

// TokenMark replaces anything shaped like a token.
const TokenMark = "[redacted: looks like a token]"

// tokenShape matches what is never shown, stored or logged whoever it belongs to:
//   - a compact JWS or JWE, or a piece of one: a base64url JSON object followed by a dot and
//     whatever follows. A JSON object's base64url starts eyJ for {", eyA for {<space>, ewo for
//     {\n, ew0 for {\r, ewk for {\t — never an English word, unlike a bare "ey"/"ew" (elsewhere.);
//   - an Anthropic API key or access token (sk-ant-…), unless cut to its type, as a report shows
//     a minted token ("sk-ant-oat01-…").
var tokenShape = regexp.MustCompile(`(?:eyJ|eyA|ewo|ew0|ewk)[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_.-]*|sk-ant-[A-Za-z0-9_-]{8,}`)

// Tokens replaces every token-shaped part of s.
func Tokens(s string) string {
	if !mayHoldToken(s) {
		return s
	}
	return tokenShape.ReplaceAllString(s, TokenMark)
}

// LooksLikeToken reports whether s holds something shaped like a token.
func LooksLikeToken(s string) bool {
	return mayHoldToken(s) && tokenShape.MatchString(s)
}

// tokenStarts are the prefixes tokenShape can match at.
var tokenStarts = []string{"eyJ", "eyA", "ewo", "ew0", "ewk", "sk-ant-"}

// mayHoldToken is a quick test that spares most text the regular expression (a bare "ey" is in
// every "key").
func mayHoldToken(s string) bool {
	return slices.ContainsFunc(tokenStarts, func(p string) bool { return strings.Contains(s, p) })
}

// Redactor removes its secrets, then token shapes. A nil *Redactor removes token shapes only.
// It is immutable and safe for concurrent use.
type Redactor struct {
	secrets []secret
}

// minBase64Secret is the shortest secret whose base64 is looked for inside longer base64 text:
// a shorter one's few characters would match by chance.
const minBase64Secret = 8

type secret struct {
	value string
	// b64 are base64 renderings that cannot occur by chance: the secret's own encodings, and
	// for a long enough secret the characters that only its bytes determine at each alignment.
	b64 []string
}

// New is a redactor of secrets; empty ones are ignored.
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	return r.With(secrets...)
}

// With is r with more secrets.
func (r *Redactor) With(secrets ...string) *Redactor {
	out := &Redactor{}
	if r != nil {
		out.secrets = slices.Clone(r.secrets)
	}
	for _, s := range secrets {
		if s == "" || slices.ContainsFunc(out.secrets, func(x secret) bool { return x.value == s }) {
			continue
		}
		out.secrets = append(out.secrets, newSecret(s))
	}
	// The longest first: a secret inside another must not leave the rest of the longer one.
	slices.SortStableFunc(out.secrets, func(a, b secret) int { return cmp.Compare(len(b.value), len(a.value)) })
	return out
}

// WithBasic is r with secret, and also the HTTP Basic credentials user:secret (as sent, and
// with both parts form-encoded as OAuth 2.0 asks) in base64.
func (r *Redactor) WithBasic(user, pass string) *Redactor {
	out := r.With(pass)
	if pass == "" {
		return out
	}
	for i := range out.secrets {
		if out.secrets[i].value == pass {
			for _, cred := range []string{user + ":" + pass, formEncode(user) + ":" + formEncode(pass)} {
				out.secrets[i].b64 = appendUnique(out.secrets[i].b64, fullBase64(cred)...)
			}
			longestFirst(out.secrets[i].b64)
		}
	}
	return out
}

func newSecret(v string) secret {
	s := secret{value: v, b64: fullBase64(v)}
	if len(v) >= minBase64Secret {
		s.b64 = appendUnique(s.b64, base64Cores(v)...)
	}
	longestFirst(s.b64)
	return s
}

// longestFirst orders encodings so that a full one is removed before a core inside it.
func longestFirst(list []string) {
	slices.SortStableFunc(list, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
}

// String is s without r's secrets in any form, and without token shapes.
func (r *Redactor) String(s string) string {
	if r != nil {
		for _, sec := range r.secrets {
			s = sec.remove(s)
		}
	}
	return Tokens(s)
}

// Error is err with its message redacted; nil stays nil. The result does not unwrap to err, so
// that nothing reaches the original message through it; errors.Is still answers for the
// context errors, which say nothing secret.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	return &redacted{msg: r.String(err.Error()), cause: contextCause(err)}
}

type redacted struct {
	msg   string
	cause error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.cause }

// Contains reports whether s still holds one of r's secrets in any form the redactor knows.
func (r *Redactor) Contains(s string) bool {
	return r != nil && r.String(s) != Tokens(s)
}

// remove takes out the secret's base64 renderings, each also in any escape (a JSON echo writes
// "/" as "\/", a query writes "+" as "%2B"), then the secret itself in any escape.
func (s secret) remove(text string) string {
	for _, b := range s.b64 {
		text = replaceEncoded(text, b)
	}
	return replaceEncoded(text, s.value)
}

func appendUnique(list []string, more ...string) []string {
	for _, m := range more {
		if m != "" && !slices.Contains(list, m) {
			list = append(list, m)
		}
	}
	return list
}

// fullBase64 are v's base64 encodings without padding (a padded one contains it).
func fullBase64(v string) []string {
	return []string{base64.RawStdEncoding.EncodeToString([]byte(v)), base64.RawURLEncoding.EncodeToString([]byte(v))}
}

// base64Cores are, for each of the three alignments v can have inside a longer base64 text and
// each alphabet, the characters that only v's bytes determine.
func base64Cores(v string) []string {
	var out []string
	for lead := range 3 {
		padded := append(make([]byte, lead), v...)
		for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			s := enc.EncodeToString(padded)
			// Characters holding bits of the unknown lead bytes come first: ceil(lead*8/6).
			from := (lead*8 + 5) / 6
			// The last character may hold bits of whatever follows v.
			to := len(s) - 1
			if (len(padded)*8)%6 == 0 {
				to = len(s)
			}
			if to-from >= 4 {
				out = append(out, s[from:to])
			}
		}
	}
	return out
}

// contextCause keeps the context errors, which carry no secret, for errors.Is.
func contextCause(err error) error {
	for _, c := range []error{context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, c) {
			return c
		}
	}
	return nil
}

func formEncode(s string) string { return url.QueryEscape(s) }
