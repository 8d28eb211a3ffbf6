package anthropic_test

import (
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/anthropic"
)

func TestParseBaseURL(t *testing.T) {
	ok := map[string]string{
		"":                           "https://api.anthropic.com",
		"https://api.anthropic.com/": "https://api.anthropic.com",
		"https://proxy.example/anth": "https://proxy.example/anth",
		"http://127.0.0.1:8080":      "http://127.0.0.1:8080",
		"http://127.3.4.5":           "http://127.3.4.5",
		"http://localhost:9/":        "http://localhost:9",
		"http://[::1]:4000":          "http://[::1]:4000",
	}
	for in, want := range ok {
		u, err := anthropic.ParseBaseURL(in)
		if err != nil {
			t.Errorf("ParseBaseURL(%q): %v", in, err)
			continue
		}
		if u.String() != want {
			t.Errorf("ParseBaseURL(%q) = %q, want %q", in, u, want)
		}
	}
	bad := map[string]string{
		"http://api.anthropic.com":    "loopback",
		"http://10.0.0.1":             "loopback",
		"http://localhost.evil.com":   "loopback",
		"ftp://127.0.0.1":             "https",
		"https://user:pw@api.example": "credentials",
		"api.anthropic.com":           "scheme://host",
		"https://api.example/?a=b":    "query",
	}
	for in, want := range bad {
		_, err := anthropic.ParseBaseURL(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseBaseURL(%q) error = %v, want one mentioning %q", in, err, want)
		}
	}
}

func TestNewClientRefusesPlainHTTPForRemoteHost(t *testing.T) {
	_, err := anthropic.NewClient(anthropic.Options{BaseURL: "http://api.anthropic.com"})
	if err == nil || !strings.Contains(err.Error(), "https") {
		t.Fatalf("NewClient with http remote: err = %v, want an https error", err)
	}
	c, err := anthropic.NewClient(anthropic.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.TokenURL(); got != "https://api.anthropic.com/v1/oauth/token" {
		t.Errorf("default TokenURL = %q", got)
	}
}

func TestNewClientRejectsBadCAPEM(t *testing.T) {
	_, err := anthropic.NewClient(anthropic.Options{BaseURL: "https://api.example", CAPEM: []byte("not pem")})
	if err == nil {
		t.Fatal("want an error for a CA PEM without certificates")
	}
}

func TestTokenPrefix(t *testing.T) {
	tok := "sk-ant-oat01-" + strings.Repeat("x", 40)
	if got := anthropic.TokenPrefix(tok); got != "sk-ant-oat01…" {
		t.Errorf("TokenPrefix = %q", got)
	}
	if got := anthropic.TokenPrefix("abcdefgh"); got != "abcd…" {
		t.Errorf("TokenPrefix(short) = %q, want half of it", got)
	}
	if got := anthropic.TokenPrefix(""); got != "" {
		t.Errorf("TokenPrefix(empty) = %q", got)
	}
}
