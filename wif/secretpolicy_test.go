package wif

import "testing"

// TestSecretPolicyEnvNames: names allowed exactly are allowed whatever the prefix, and only
// those names — not a longer name starting with one, not the same name as a file.
func TestSecretPolicyEnvNames(t *testing.T) {
	p := SecretPolicy{EnvPrefix: "ACME_", EnvNames: []string{"WIFWIZ_SECRET_DEMO"}}
	for ref, want := range map[string]bool{
		"env:WIFWIZ_SECRET_DEMO":       true,
		"env:ACME_TOKEN":               true,
		"env:WIFWIZ_SECRET_DEMO_OTHER": false,
		"env:WIFWIZ_SECRET_OTHER":      false,
		"env:HOME":                     false,
		"file:WIFWIZ_SECRET_DEMO":      false,
	} {
		if got := p.Allows(ref); got != want {
			t.Errorf("Allows(%q) = %v, want %v", ref, got, want)
		}
	}
}
