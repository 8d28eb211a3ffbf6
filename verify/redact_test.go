package verify

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/redact"
)

// An issuer that knows the client secret (it was sent to its token endpoint) may echo it in any
// body wifwiz fetches from it. The engine cuts what it quotes of a body, so the secret must be
// removed before the cut: the caller's Report.Redact afterwards would miss a cut-off piece.
func TestSecretEchoedAtTheCutIsRedacted(t *testing.T) {
	const secret = "Zq7secretEchoedBack91"
	echo := []byte(strings.Repeat("x", bodyStartRunes-8) + secret)
	cases := []struct {
		name string
		edit func(f *fixture)
	}{
		{"discovery", func(f *fixture) { f.obs.Discovery.Status, f.obs.Discovery.Body = 500, echo }},
		{"jwks", func(f *fixture) { f.obs.JWKS.Status, f.obs.JWKS.Body = 500, echo }},
		{"console key discovery", func(f *fixture) {
			withConsole(f)
			d := *f.obs.Console.KeyDiscovery
			d.Status, d.Body = 500, echo
			f.obs.Console.KeyDiscovery = &d
		}},
		{"console key jwks", func(f *fixture) {
			withConsole(f)
			j := *f.obs.Console.KeyJWKS
			j.Status, j.Body = 500, echo
			f.obs.Console.KeyJWKS = &j
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture()
			tc.edit(f)
			red := redact.New(secret)
			f.obs.Redactor = red
			rep := f.report(t).Redact(red)
			b, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			if piece := secret[:8]; strings.Contains(string(b), piece) {
				t.Errorf("the report holds %q, the start of the secret echoed at the cut: %s", piece, b)
			}
			if !strings.Contains(string(b), strings.Repeat("x", 20)) {
				t.Errorf("the echoed body is not quoted at all, so the test proves nothing: %s", b)
			}
		})
	}
}
