package redact

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// replaceEncoded replaces every stretch of text that decodes to secret, one character at a
// time, whatever escape each character is written in (see unit).
func replaceEncoded(text, secret string) string {
	if secret == "" || len(text) == 0 {
		return text
	}
	if !strings.ContainsAny(text, escapeStarts) { // every byte reads only as itself
		return strings.ReplaceAll(text, secret, Mark)
	}
	var b strings.Builder
	var m matcher // its buffers are made at the first possible start: most text has none
	last := 0
	for i := 0; i < len(text); {
		if !mayStart(text[i], secret[0]) {
			i++
			continue
		}
		if m.reach == nil {
			m.reach = make([][]int, len(secret)+1)
		}
		n := m.matchLen(text[i:], secret)
		if n <= 0 {
			i++
			continue
		}
		b.WriteString(text[last:i])
		b.WriteString(Mark)
		i += n
		last = i
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

// escapeStarts are the bytes an escape (see unit) starts with; '+' is a form-encoded space.
const escapeStarts = "%\\&+"

// mayStart: a match can start only at the secret's first byte or at an escape.
func mayStart(c, first byte) bool {
	return c == first || c == '%' || c == '\\' || c == '&' || (c == '+' && first == ' ')
}

// matcher keeps matchLen's buffers from one start to the next.
type matcher struct{ reach [][]int }

// matchLen is the length of the longest prefix of text that decodes to secret, or -1. Several
// readings of one position may apply (a backslash is a character or an escape), so the match
// follows all of them: reach[k] holds the text offsets reached after k bytes of the secret.
func (m *matcher) matchLen(text, secret string) int {
	first := units(text, secret)
	if first.n == 0 {
		return -1
	}
	reach := m.reach
	for k := range reach {
		reach[k] = reach[k][:0]
	}
	for _, u := range first.list() {
		reach[u.secret] = addOffset(reach[u.secret], u.text)
	}
	for k := 1; k < len(secret); k++ {
		for _, j := range reach[k] {
			us := units(text[j:], secret[k:])
			for _, u := range us.list() {
				reach[k+u.secret] = addOffset(reach[k+u.secret], j+u.text)
			}
		}
	}
	best := -1
	for _, j := range reach[len(secret)] {
		best = max(best, j)
	}
	return best
}

func addOffset(list []int, j int) []int {
	for _, x := range list {
		if x == j {
			return list
		}
	}
	return append(list, j)
}

// unit is one reading of the text's next characters as the secret's next bytes.
type unit struct{ text, secret int }

// readings are at most two units: the byte itself, and one escape starting with it.
type readings struct {
	u [2]unit
	n int
}

func (r *readings) add(u unit) { r.u[r.n] = u; r.n++ }

func (r *readings) list() []unit { return r.u[:r.n] }

// units are the readings of text's start as secret's start: the byte itself, '+' for a space,
// %XX, a JSON/JavaScript escape, an HTML character reference.
func units(text, secret string) readings {
	var out readings
	if text == "" {
		return out
	}
	c := secret[0]
	if text[0] == c || (text[0] == '+' && c == ' ') {
		out.add(unit{1, 1})
	}
	var u unit
	ok := false
	switch text[0] {
	case '%':
		if len(text) >= 3 {
			v, hex := hexByte(text[1:3])
			u, ok = unit{3, 1}, hex && v == c
		}
	case '\\':
		u, ok = backslashUnit(text, secret)
	case '&':
		u, ok = entityUnit(text, secret)
	}
	if ok {
		out.add(u)
	}
	return out
}

func hexByte(s string) (byte, bool) {
	v, err := strconv.ParseUint(s, 16, 8)
	return byte(v), err == nil
}

var simpleEscapes = map[byte]byte{'"': '"', '\\': '\\', '/': '/', '\'': '\'', 'n': '\n', 't': '\t', 'r': '\r', 'b': '\b', 'f': '\f'}

// backslashUnit reads \", \n, \xHH, \uXXXX or a \uXXXX\uXXXX surrogate pair.
func backslashUnit(text, secret string) (unit, bool) {
	if len(text) < 2 {
		return unit{}, false
	}
	switch text[1] {
	case 'u':
		return unicodeEscape(text, secret)
	case 'x':
		if len(text) >= 4 {
			if v, ok := hexByte(text[2:4]); ok && v == secret[0] {
				return unit{4, 1}, true
			}
		}
		return unit{}, false
	}
	if v, ok := simpleEscapes[text[1]]; ok && v == secret[0] {
		return unit{2, 1}, true
	}
	return unit{}, false
}

func unicodeEscape(text, secret string) (unit, bool) {
	cp, ok := hex4(text, 2)
	if !ok {
		return unit{}, false
	}
	n := 6
	if utf16.IsSurrogate(cp) {
		if len(text) < 12 || text[6] != '\\' || text[7] != 'u' {
			return unit{}, false
		}
		lo, ok := hex4(text, 8)
		if !ok {
			return unit{}, false
		}
		cp, n = utf16.DecodeRune(cp, lo), 12
	}
	return runeUnit(cp, n, secret)
}

func hex4(text string, at int) (rune, bool) {
	if len(text) < at+4 {
		return 0, false
	}
	v, err := strconv.ParseUint(text[at:at+4], 16, 32)
	return rune(v), err == nil
}

// runeUnit: the escape, n bytes of text, stands for cp; it matches when the secret's next
// character is cp (a byte below 0x80, else a whole UTF-8 sequence).
func runeUnit(cp rune, n int, secret string) (unit, bool) {
	if cp < utf8.RuneSelf {
		return unit{n, 1}, byte(cp) == secret[0]
	}
	r, size := utf8.DecodeRuneInString(secret)
	return unit{n, size}, r == cp && r != utf8.RuneError
}

var namedEntities = map[string]rune{"amp": '&', "lt": '<', "gt": '>', "quot": '"', "apos": '\'', "nbsp": '\u00a0'}

// entityUnit reads &name;, &#NN; or &#xHH;.
func entityUnit(text, secret string) (unit, bool) {
	end := strings.IndexByte(text[:min(len(text), 12)], ';')
	if end < 2 {
		return unit{}, false
	}
	body := text[1:end]
	if r, ok := namedEntities[body]; ok {
		return runeUnit(r, end+1, secret)
	}
	if body[0] != '#' || len(body) < 2 {
		return unit{}, false
	}
	var v uint64
	var err error
	if body[1] == 'x' || body[1] == 'X' {
		v, err = strconv.ParseUint(body[2:], 16, 32)
	} else {
		v, err = strconv.ParseUint(body[1:], 10, 32)
	}
	if err != nil || v > utf8.MaxRune {
		return unit{}, false
	}
	return runeUnit(rune(v), end+1, secret)
}
