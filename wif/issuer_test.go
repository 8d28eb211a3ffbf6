package wif

import (
	"strings"
	"testing"
)

func TestKindOfIssuer(t *testing.T) {
	tests := []struct {
		name      string
		issuer    string
		endpoints []string
		want      IssuerKind
	}{
		{"AuthentikPerProvider", "https://auth.example.com/application/o/ci/", nil, IssuerAuthentik},
		{"AuthentikWithoutSlash", "https://auth.example.com/application/o/ci", nil, IssuerAuthentik},
		{"AuthentikSubpath", "https://example.com/auth/application/o/ci/", nil, IssuerAuthentik},
		{"AuthentikGlobalByTokenEndpoint", "https://auth.example.com/", []string{"https://auth.example.com/application/o/token/"}, IssuerAuthentikGlobal},
		{"AuthentikGlobalNoSlash", "https://auth.example.com", []string{"", "https://auth.example.com/application/o/ci/jwks/"}, IssuerAuthentikGlobal},
		{"GlobalShapeOtherOriginIsGeneric", "https://auth.example.com/", []string{"https://evil.example/application/o/token/"}, IssuerGeneric},
		{"Dex", "https://localhost/dex", []string{"https://localhost/dex/token", "https://localhost/dex/keys"}, IssuerGeneric},
		{"RootIssuer", "https://accounts.example.com", nil, IssuerGeneric},
		{"TokenPathIsNotASlug", "https://auth.example.com/application/o/token/", nil, IssuerGeneric},
		{"DeeperPathIsNotASlug", "https://auth.example.com/application/o/ci/jwks/", nil, IssuerGeneric},
		{"Garbage", "::", nil, IssuerGeneric},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := KindOfIssuer(tc.issuer, tc.endpoints...); got != tc.want {
				t.Errorf("KindOfIssuer(%q, %q) = %v, want %v", tc.issuer, tc.endpoints, got, tc.want)
			}
		})
	}
}

func TestAuthentikGuesses(t *testing.T) {
	iss := "https://example.com/auth/application/o/ci/"
	if got := AuthentikTokenURL(iss); got != "https://example.com/auth/application/o/token/" {
		t.Errorf("AuthentikTokenURL = %q", got)
	}
	if got := AuthentikJWKSURL(iss); got != "https://example.com/auth/application/o/ci/jwks/" {
		t.Errorf("AuthentikJWKSURL = %q", got)
	}
	if AuthentikTokenURL("https://localhost/dex") != "" || AuthentikJWKSURL("https://localhost/dex") != "" {
		t.Error("guesses for an issuer without authentik's shape")
	}
}

func TestOrigin(t *testing.T) {
	tests := map[string]string{
		"https://Auth.Example.com/x":     "https://auth.example.com",
		"https://auth.example.com:443/":  "https://auth.example.com",
		"http://auth.example.com:80/a":   "http://auth.example.com",
		"https://auth.example.com:8443/": "https://auth.example.com:8443",
		"https://[::1]:9000/":            "https://[::1]:9000",
		"ftp://auth.example.com/":        "",
		"/relative":                      "",
	}
	for in, want := range tests {
		if got := Origin(in); got != want {
			t.Errorf("Origin(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTrustedEndpoint(t *testing.T) {
	const iss = "https://auth.example.com/application/o/ci/"
	tests := []struct {
		name, base, endpoint string
		want                 bool
	}{
		{"SameOrigin", "", "https://auth.example.com/application/o/token/", true},
		{"DefaultPortSpelledOut", "", "https://auth.example.com:443/application/o/token/", true},
		{"OtherHost", "", "https://evil.example/token", false},
		{"OtherPort", "", "https://auth.example.com:8443/token", false},
		{"OtherScheme", "", "http://auth.example.com/token", false},
		{"DiscoveryBaseOrigin", "https://authentik.internal/application/o/ci", "https://authentik.internal/application/o/token/", true},
		{"NotAURL", "", "javascript:alert(1)", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := TrustedEndpoint(iss, tc.base, tc.endpoint); got != tc.want {
				t.Errorf("TrustedEndpoint(%q) = %v, want %v", tc.endpoint, got, tc.want)
			}
		})
	}
}

func TestAuthentikErrorPerIssuer(t *testing.T) {
	invalidClient := AuthentikError{Code: "invalid_client", Description: "Client authentication failed."}
	if m := invalidClient.Meaning(IssuerAuthentik); !contains(m, "does not know this client ID") {
		t.Errorf("authentik invalid_client: %q", m)
	}
	if m := invalidClient.Meaning(IssuerGeneric); !contains(m, "client ID is unknown or the client secret is wrong") {
		t.Errorf("generic invalid_client must name both causes: %q", m)
	}
	if f := invalidClient.Fix(IssuerGeneric); contains(f, "authentik") || !contains(f, "client secret") {
		t.Errorf("generic invalid_client fix: %q", f)
	}
	if m := (AuthentikError{Code: "invalid_grant"}).Meaning(IssuerAuthentik); !contains(m, "client secret is wrong") {
		t.Errorf("authentik invalid_grant: %q", m)
	}
	if q := invalidClient.Quoted(); q != `error "invalid_client", error_description "Client authentication failed."` {
		t.Errorf("Quoted = %q", q)
	}
	withID := AuthentikError{Code: "server_error", RequestID: "f00d"}
	if q := withID.Quoted(); !contains(q, `request_id "f00d"`) {
		t.Errorf("Quoted = %q", q)
	}
	if f := withID.Fix(IssuerGeneric); contains(f, "request_id") || contains(f, "authentik") {
		t.Errorf("generic fix names authentik's request_id: %q", f)
	}
	if f := (AuthentikError{Code: "server_error"}).Fix(IssuerAuthentik); contains(f, "request_id") {
		t.Errorf("fix names a request_id that was not sent: %q", f)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestRequestScope(t *testing.T) {
	for recorded, want := range map[string]string{"": DefaultScope, NoScope: "", "api:read": "api:read"} {
		if got := (Connection{Scope: recorded}).RequestScope(); got != want {
			t.Errorf("RequestScope(%q) = %q, want %q", recorded, got, want)
		}
	}
}
