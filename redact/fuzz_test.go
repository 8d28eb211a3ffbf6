package redact

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRedactor: whatever the secret and the text around it, no encoding of the secret a
// response could carry survives, and text without the secret passes unchanged (token shapes
// aside).
func FuzzRedactor(f *testing.F) {
	f.Add("s3cret-value-0123", "id", "error: ", " (bad)")
	f.Add(hostileSecret, "client-Id:1", `{"a":"`, `"}`)
	f.Add("%41%42%43%44%45%46", "x", "%", "%")
	f.Add(`\\\\\\\\`, "y", `\`, `\u`)
	f.Add("&amp;&amp;&amp;", "z", "&", ";")
	f.Fuzz(func(t *testing.T, secret, id, pre, post string) {
		// A secret is text (JSON cannot carry other bytes as they are).
		if len(secret) < 8 || !utf8.ValidString(secret) || strings.ContainsAny(secret, "[]") || strings.Contains(TokenMark, secret) {
			return
		}
		r := New(secret).WithBasic(id, secret)
		j, _ := json.Marshal(secret)
		for name, enc := range map[string]string{
			"raw": secret, "query": url.QueryEscape(secret), "path": url.PathEscape(secret), "json": string(j[1 : len(j)-1]),
			"html": html.EscapeString(secret), "base64": base64.StdEncoding.EncodeToString([]byte(secret)),
			"basic": base64.StdEncoding.EncodeToString([]byte(id + ":" + secret)),
		} {
			out := r.String(pre + enc + post)
			if strings.Contains(out, enc) {
				t.Fatalf("%s form %q survived in %q", name, enc, out)
			}
		}
		if plain := pre + post; !strings.Contains(plain, secret) && !r.Contains(plain) && r.String(plain) != Tokens(plain) {
			t.Fatalf("text without the secret changed: %q → %q", plain, r.String(plain))
		}
	})
}
