package hostile_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/internal/hostile"
)

func client(t *testing.T, iss *hostile.Issuer) *http.Client {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(iss.CAPEM) {
		t.Fatal("CA")
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// TestEchoesAreCaught: what every echo mode answers is recognised by Leaks, so that a suite
// finding no leak means there was none.
func TestEchoesAreCaught(t *testing.T) {
	for _, m := range []hostile.Mode{hostile.EchoForm, hostile.EchoPercent, hostile.EchoBasic, hostile.EchoJSON, hostile.EchoHTML, hostile.EchoClaims} {
		iss := hostile.Start(t, m)
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {hostile.ClientID}, "client_secret": {iss.Secret}}
		resp, err := client(t, iss).PostForm(iss.BaseURL+"/application/o/token/", form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		text := string(body)
		if m == hostile.EchoClaims {
			text = decodedPayloads(t, text)
		}
		if len(iss.Leaks(text)) == 0 {
			t.Errorf("%s: the echo %.200q is not recognised", m, text)
		}
	}
}

// decodedPayloads is the body with its JWT payloads decoded, as a report shows claims.
func decodedPayloads(t *testing.T, body string) string {
	out := body
	for _, part := range strings.FieldsFunc(body, func(r rune) bool { return r == '"' }) {
		if segs := strings.Split(part, "."); len(segs) == 3 {
			if b, err := b64decode(segs[1]); err == nil {
				out += string(b)
			}
		}
	}
	return out
}

// TestInternalServiceAnswersTheMarker: the server on another origin really answers what must not
// be shown, so a suite that never sees the marker proves it was never fetched or never echoed.
func TestInternalServiceAnswersTheMarker(t *testing.T) {
	iss := hostile.Start(t, hostile.InternalJWKS)
	resp, err := client(t, iss).Get(iss.Other.URL + "/internal/keys")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), iss.Marker) || iss.Other.Hits.Load() != 1 {
		t.Fatalf("internal service: %s, %d hits", body, iss.Other.Hits.Load())
	}
}

func TestPageProblems(t *testing.T) {
	page := `<html><head><script src="/static/app.js"></script></head><body><p>` + hostile.MarkupText + `</p></body></html>`
	if got := hostile.PageProblems(page); len(got) != 3 {
		t.Fatalf("problems: %v", got)
	}
	safe := `<html><body><p>&lt;script&gt;alert(1)&lt;/script&gt;</p><script src="/static/app.js"></script></body></html>`
	if got := hostile.PageProblems(safe); len(got) != 0 {
		t.Fatalf("problems in an escaped page: %v", got)
	}
}

func b64decode(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
