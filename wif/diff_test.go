package wif

import (
	"strings"
	"testing"
)

func TestDiffString(t *testing.T) {
	before := Connection{ClientID: "old", InlineJWKS: `{"keys":[]}`}
	after := Connection{ClientID: "new", InlineJWKS: `{"keys":[{"kid":"k1"}]}`}
	got := Diff(before, after).String()
	if !strings.Contains(got, `Client ID: "old" → "new"`) {
		t.Errorf("diff = %q", got)
	}
	if !strings.Contains(got, "Inline JWKS: 11 → 23 bytes") || strings.Contains(got, "kid") {
		t.Errorf("bulky field not summarised: %q", got)
	}
	if len(Diff(before, before)) != 0 {
		t.Error("no change reported as a change")
	}
}
