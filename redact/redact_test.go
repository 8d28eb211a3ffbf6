package redact

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

// hostileSecret has a character of every class an encoder treats differently.
const hostileSecret = `Zq7-K/b9+h L&"x\é✓😀%41`

// forms are the ways a response can carry the secret, each made by the standard library.
func forms(id, secret string) map[string]string {
	j, _ := json.Marshal(secret)
	ascii, _ := json.Marshal(map[string]string{"s": secret})
	return map[string]string{
		"raw":            secret,
		"query":          url.QueryEscape(secret),
		"path":           url.PathEscape(secret),
		"lowerPercent":   lowerHex(url.PathEscape(secret)),
		"allPercent":     percentAll(secret),
		"form":           url.Values{"client_secret": {secret}}.Encode(),
		"json":           string(j),
		"jsonASCII":      asciiJSON(secret),
		"jsonInObject":   string(ascii),
		"html":           html.EscapeString(secret),
		"htmlNumeric":    numericEntities(secret),
		"basic":          "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret)),
		"basicForm":      "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret))),
		"b64":            base64.StdEncoding.EncodeToString([]byte(secret)),
		"b64url":         base64.RawURLEncoding.EncodeToString([]byte(secret)),
		"b64InBody":      base64.StdEncoding.EncodeToString([]byte("grant_type=client_credentials&x=" + secret + "&y=1")),
		"b64InBodyAlign": base64.StdEncoding.EncodeToString([]byte("ab" + secret)),
		"jsonOfQuery":    string(must(json.Marshal(url.QueryEscape(secret)))),
	}
}

// lowerHex writes the hex digits of every %XX in lower case.
func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lower(b[i+1]), lower(b[i+2])
		}
	}
	return string(b)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}

func must(b []byte, _ error) []byte { return b }

func percentAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

func asciiJSON(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if r < 0x80 && r != '"' && r != '\\' && r != '/' {
			b.WriteRune(r)
			continue
		}
		if r > 0xFFFF {
			r1, r2 := surrogates(r)
			fmt.Fprintf(&b, `\u%04x\u%04X`, r1, r2)
			continue
		}
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	b.WriteByte('"')
	return b.String()
}

func surrogates(r rune) (rune, rune) {
	r -= 0x10000
	return 0xD800 + (r>>10)&0x3FF, 0xDC00 + r&0x3FF
}

func numericEntities(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i%2 == 0 {
			fmt.Fprintf(&b, "&#%d;", r)
		} else {
			fmt.Fprintf(&b, "&#x%x;", r)
		}
	}
	return b.String()
}

func TestEveryFormIsRemoved(t *testing.T) {
	const id = "client-Id:1"
	r := New("unrelated").WithBasic(id, hostileSecret)
	for name, form := range forms(id, hostileSecret) {
		t.Run(name, func(t *testing.T) {
			text := "error: got " + form + " from you"
			got := r.String(text)
			if strings.Contains(got, "Zq7") || strings.Contains(got, "WnE3") || strings.Contains(got, "Y2xpZW50LUlkOjE") || !strings.Contains(got, Mark) {
				t.Fatalf("form %s not removed:\n in: %s\nout: %s", name, text, got)
			}
			if !strings.HasPrefix(got, "error: got ") || !strings.HasSuffix(got, " from you") {
				t.Fatalf("the text around the secret changed: %s", got)
			}
		})
	}
}

func TestBase64AtEveryAlignment(t *testing.T) {
	r := New(hostileSecret)
	for lead := range 6 {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			text := enc.EncodeToString([]byte(strings.Repeat("p", lead) + hostileSecret + "tail"))
			got := r.String(text)
			if !strings.Contains(got, Mark) {
				t.Fatalf("lead %d: base64 not removed: %s", lead, got)
			}
			// What is left can hold at most the bits of one character of the secret on each side.
			rest := strings.ReplaceAll(got, Mark, "")
			if len(rest) > len(text)-len(base64.RawStdEncoding.EncodeToString([]byte(hostileSecret)))+4 {
				t.Fatalf("lead %d: too much left: %s", lead, got)
			}
		}
	}
}

func TestOtherTextUntouched(t *testing.T) {
	r := New("s3cret-value")
	for _, s := range []string{
		"HTTP 401 Unauthorized; body starts: {\"error\":\"invalid_client\"}",
		"https://authentik.company.example/application/o/batch/",
		"no response: DNS: lookup accounts.internal.company.example: no such host",
		"s3cret-valu", "100% done \\n &amp; more",
	} {
		if got := r.String(s); got != s {
			t.Errorf("%q became %q", s, got)
		}
	}
}

func TestTokenShapes(t *testing.T) {
	jws := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	for _, in := range []string{
		jws, "Bearer " + jws, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4", // cut
		"ewogImFsZyI6IlJTMjU2In0.eyJ4IjoxfQ.sig", // a header with a newline
		"eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d",       // JWE
		"sk-ant-api03-AbCdEf_123", "key sk-ant-oat01-xyz here",
	} {
		got := Tokens(in)
		if !strings.Contains(got, TokenMark) || strings.Contains(got, "eyJhbGci") || strings.Contains(got, "sk-ant-") {
			t.Errorf("%q → %q", in, got)
		}
		if !LooksLikeToken(in) {
			t.Errorf("LooksLikeToken(%q) = false", in)
		}
	}
	for _, s := range []string{"https://authentik.example/application/o/x/", "sk-ant-oat01-…",
		"wifwiz fetches nothing a discovery document points elsewhere.", "Please review.the", "eyeball.jpg"} {
		if LooksLikeToken(s) {
			t.Errorf("%q looks like a token", s)
		}
	}
}

func TestNilRedactorRemovesTokensOnly(t *testing.T) {
	var r *Redactor
	if got := r.String("a eyJhbGciOiJSUzI1NiJ9.x.y b"); got != "a "+TokenMark+" b" {
		t.Fatal(got)
	}
	if r.Contains("anything") {
		t.Fatal("nil redactor contains nothing")
	}
}

func TestLongestSecretFirst(t *testing.T) {
	r := New("abcd", "abcdefgh-long")
	if got := r.String("x abcdefgh-long y"); got != "x "+Mark+" y" {
		t.Fatal(got)
	}
}

func TestErrorDoesNotUnwrapToTheOriginal(t *testing.T) {
	orig := fmt.Errorf("token endpoint said %s: %w", url.QueryEscape(hostileSecret), errSentinel)
	err := New(hostileSecret).Error(orig)
	if strings.Contains(err.Error(), "Zq7") || errors.Is(err, errSentinel) {
		t.Fatalf("%v", err)
	}
	if New("x").Error(nil) != nil {
		t.Fatal("nil error became non-nil")
	}
}

var errSentinel = errors.New("sentinel")

func TestContains(t *testing.T) {
	r := New(hostileSecret)
	if !r.Contains("x=" + url.QueryEscape(hostileSecret)) {
		t.Fatal("Contains misses the form-encoded secret")
	}
	if r.Contains("nothing here eyJhbGciOiJSUzI1NiJ9.x.y") {
		t.Fatal("a token is not one of the secrets")
	}
}

func BenchmarkMegabyteOfEscapes(b *testing.B) {
	text := strings.Repeat(`%41\u0041&amp;`, 1<<20/16)
	r := New("AAAA-not-present-AAAA")
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		r.String(text)
	}
}

func TestHandlerRedactsEveryAttribute(t *testing.T) {
	var buf strings.Builder
	log := slog.New(Handler(slog.NewTextHandler(&buf, nil), New(hostileSecret)))
	enc := url.QueryEscape(hostileSecret)
	log.With("ctx", enc).WithGroup("g").Warn("failed: "+enc, "error", errors.New("said "+enc),
		"body", enc, slog.Group("inner", "x", hostileSecret), "n", 3)
	out := buf.String()
	if strings.Contains(out, "Zq7") || strings.Count(out, Mark) != 5 || !strings.Contains(out, "g.n=3") {
		t.Fatalf("log line: %s", out)
	}
}

// TestBase64InAnEscape: a base64 rendering of the secret is found when a JSON echo escapes its
// "/" or a query percent-encodes its "+", "/" and "=".
func TestBase64InAnEscape(t *testing.T) {
	const secret = "\xfb\xff\xbfsecret-with-slashes\xff" // its base64 holds "+" and "/" and ends in "="
	b64 := base64.StdEncoding.EncodeToString([]byte(secret))
	if !strings.ContainsAny(b64, "+/") || !strings.HasSuffix(b64, "=") {
		t.Fatalf("the test secret's base64 %q lacks +, / or =", b64)
	}
	r := New(secret)
	for name, text := range map[string]string{
		"json":    `{"echo":"` + strings.ReplaceAll(b64, "/", `\/`) + `"}`,
		"percent": "seen=" + url.QueryEscape(b64) + "&x=1",
	} {
		got := r.String(text)
		if strings.Contains(got, b64[:12]) || !strings.Contains(got, Mark) {
			t.Errorf("%s: %q → %q", name, text, got)
		}
	}
}
