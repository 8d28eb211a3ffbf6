package hostile

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// percentAll writes every byte of s as %XX.
func percentAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

// uEscapes writes every character of s as a JSON \uXXXX escape (surrogate pairs beyond the BMP).
func uEscapes(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0xFFFF {
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xD800+(r>>10)&0x3FF, 0xDC00+r&0x3FF)
			continue
		}
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

// entities writes every character of s as an HTML character reference, decimal and hex in turn.
func entities(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n%2 == 0 {
			fmt.Fprintf(&b, "&#%d;", r)
		} else {
			fmt.Fprintf(&b, "&#x%x;", r)
		}
		n++
	}
	return b.String()
}

// leakForms are the renderings of the secret's core that a leak would show: as is (form,
// percent and JSON encoding leave its hex digits alone), in the encodings the echo modes use,
// and in base64 at each alignment.
func leakForms(core string) map[string]string {
	forms := map[string]string{
		"raw": core, "percent": percentAll(core), "percent-lower": strings.ToLower(percentAll(core)),
		"json-escaped": uEscapes(core), "html-references": entities(core),
	}
	for lead := range 3 {
		padded := strings.Repeat("\x00", lead) + core
		for name, enc := range map[string]*base64.Encoding{"std": base64.RawStdEncoding, "url": base64.RawURLEncoding} {
			s := enc.EncodeToString([]byte(padded))
			forms[fmt.Sprintf("base64-%s-%d", name, lead)] = s[(lead*8+5)/6 : len(s)-1]
		}
	}
	return forms
}

// containsHalf reports whether text holds any stretch of form as long as half of it: it looks
// for aligned windows of a quarter of its length (at least 10 characters, too many to match by
// chance), one of which any such stretch contains.
func containsHalf(text, form string) bool {
	w := max(10, len(form)/4)
	if w >= len(form) {
		return strings.Contains(text, form)
	}
	for at := 0; at < len(form); at += w {
		end := min(at+w, len(form))
		if strings.Contains(text, form[end-w:end]) {
			return true
		}
	}
	return false
}
