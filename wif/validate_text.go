package wif

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on a recorded value, whatever the field (wifwiz's own: they keep pages, exports and the
// database sane, and refuse what no real setting looks like).
const (
	maxValueBytes    = 2 << 10  // a URL, an ID, a name
	maxDocumentBytes = 64 << 10 // a PEM bundle or a JWKS
)

// documentFields hold multi-line documents: newlines and tabs are allowed there.
var documentFields = map[string]bool{FieldCAPEM: true, FieldInlineJWKS: true, FieldClaims: true, FieldCondition: true}

// textProblem says what is wrong with v as text: invalid UTF-8, a control character (a newline
// in a one-line value, an ANSI escape, a bidi override), or a size beyond the field's limit.
func textProblem(field, label, v string) string {
	limit := maxValueBytes
	if documentFields[field] {
		limit = maxDocumentBytes
	}
	switch {
	case !utf8.ValidString(v):
		return fmt.Sprintf("%s is not valid UTF-8 text — paste it again from its source.", label)
	case len(v) > limit:
		return fmt.Sprintf("%s is %d bytes long — at most %d are accepted; is it the right value?", label, len(v), limit)
	}
	if i := strings.IndexFunc(v, func(r rune) bool { return forbiddenRune(r, documentFields[field]) }); i >= 0 {
		r, _ := utf8.DecodeRuneInString(v[i:])
		return fmt.Sprintf("%s contains the invisible character %U — remove it (retype the value rather than pasting it).", label, r)
	}
	return ""
}

// StoredProblems is what keeps a stored connection from being exported or verified: a value the
// wizard would refuse as text (invalid UTF-8, a control or invisible character, an oversized
// value), or one the store could not read. It is the one rule every export format applies.
func StoredProblems(c Connection) FieldErrors {
	e := textProblems(c)
	for f, why := range c.Unreadable {
		e.Add(f, why)
	}
	return e
}

// ForbiddenText reports whether s could not be recorded as a one-line value: invalid UTF-8, a
// control character or an invisible format character.
func ForbiddenText(s string) bool {
	return !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return forbiddenRune(r, false) })
}

// EscapeJSONText writes every character a document field refuses (a control character other than
// a line break or tab, an invisible format character) as a \uXXXX escape: inside a JSON string
// that is the same value, and a JSON document from the network becomes one a user can paste
// into a document field (the inline JWKS) and see whole.
func EscapeJSONText(doc string) string {
	doc = strings.ToValidUTF8(doc, "\ufffd")
	if !strings.ContainsFunc(doc, func(r rune) bool { return forbiddenRune(r, true) }) {
		return doc
	}
	var b strings.Builder
	for _, r := range doc {
		if forbiddenRune(r, true) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// forbiddenRune: control characters (multi-line documents may hold newlines and tabs), and the
// format characters that reorder or hide text (bidi overrides, zero-width).
func forbiddenRune(r rune, document bool) bool {
	if document && (r == '\n' || r == '\r' || r == '\t') {
		return false
	}
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// textProblems checks every field of c named in names, or every field when names is empty.
func textProblems(c Connection, names ...string) FieldErrors {
	e := FieldErrors{}
	for _, f := range Fields {
		if len(names) > 0 && !slices.Contains(names, f.Name) {
			continue
		}
		e.Add(f.Name, textProblem(f.Name, f.Label, f.Get(c)))
	}
	return e
}

// ValidateRecorded checks a connection about to be stored from outside the wizard (check
// --save): every value given must pass the check the wizard's step applies to that field, and
// every field the text rules; a value left empty is not required here.
func ValidateRecorded(c Connection) FieldErrors {
	all := FieldErrors{}
	all.Merge(ValidateBasics(c))
	all.Merge(ValidateProvider(c))
	all.Merge(ValidateConsole(c))
	out := StoredProblems(c)
	for _, f := range Fields {
		if f.Get(c) != "" && all.Has(f.Name) {
			out.Add(f.Name, all[f.Name])
		}
	}
	return out
}
