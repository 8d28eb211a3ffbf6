package wif

import (
	"testing"
	"time"
)

func TestIssuerURLFor(t *testing.T) {
	tests := []struct{ name, base, slug, want string }{
		{"OK", "https://authentik.company", "claude", "https://authentik.company/application/o/claude/"},
		{"OKTrailingSlash", "https://authentik.company/", "claude", "https://authentik.company/application/o/claude/"},
		{"OKSubpath", "https://example.com/auth/", "ci", "https://example.com/auth/application/o/ci/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IssuerURLFor(tc.base, tc.slug); got != tc.want {
				t.Errorf("IssuerURLFor = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDiscoveryFor(t *testing.T) {
	base := DiscoveryBaseFor("https://a.example/application/o/ci/")
	if base != "https://a.example/application/o/ci" {
		t.Fatalf("DiscoveryBaseFor = %q", base)
	}
	if got := DiscoveryURLFor(base); got != "https://a.example/application/o/ci/.well-known/openid-configuration" {
		t.Fatalf("DiscoveryURLFor = %q", got)
	}
}

func TestParseLifetime(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Duration
		ok   bool
	}{
		{"OKSeconds", "3600", time.Hour, true},
		{"OKDuration", "1h30m", 90 * time.Minute, true},
		{"OKSpaces", " 60 ", time.Minute, true},
		{"ErrEmpty", "", 0, false},
		{"ErrZero", "0", 0, false},
		{"ErrNegative", "-5", 0, false},
		{"ErrFraction", "1.5s", 0, false},
		{"ErrWords", "one hour", 0, false},
		{"ErrHuge", "999999999999", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseLifetime(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Errorf("ParseLifetime(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
			}
		})
	}
}

func TestMintedLifetime(t *testing.T) {
	tests := []struct {
		name            string
		rule, remaining time.Duration
		want            time.Duration
	}{
		{"OKRuleWins", time.Hour, time.Hour, time.Hour},
		{"OKTwiceRemaining", time.Hour, 20 * time.Minute, 40 * time.Minute},
		{"OKFloor", time.Hour, 10 * time.Second, time.Minute},
		{"OKExpired", time.Hour, -time.Minute, time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := MintedLifetime(tc.rule, tc.remaining); got != tc.want {
				t.Errorf("MintedLifetime = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAlgorithmAllowed(t *testing.T) {
	for _, alg := range []string{"RS256", "ES512", "PS384"} {
		if !AlgorithmAllowed(alg) {
			t.Errorf("%s must be allowed", alg)
		}
	}
	for _, alg := range []string{"HS256", "none", "EdDSA", "rs256", ""} {
		if AlgorithmAllowed(alg) {
			t.Errorf("%s must not be allowed", alg)
		}
	}
}
