package refresh_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/refresh"
)

func TestTokenFromJWT(t *testing.T) {
	iat := time.Unix(1_780_000_000, 0)
	tok, err := refresh.TokenFromJWT(" " + fakeJWT(iat, iat.Add(time.Hour), "") + "\n")
	if err != nil {
		t.Fatal(err)
	}
	if !tok.IssuedAt.Equal(iat) || !tok.Expiry.Equal(iat.Add(time.Hour)) || strings.ContainsAny(tok.Raw, " \n") {
		t.Errorf("token = %+v", tok)
	}

	enc := base64.RawURLEncoding.EncodeToString
	frac, err := refresh.TokenFromJWT("e30." + enc([]byte(`{"exp":1780000000.5}`)) + ".sig")
	if err != nil || !frac.Expiry.Equal(time.Unix(1_780_000_000, 5e8)) || !frac.IssuedAt.IsZero() {
		t.Errorf("fractional exp: %+v, %v", frac, err)
	}

	bad := map[string]string{
		"a.b.c.d.e":    "JWE",
		"opaque-token": "not a compact JWT",
		"e30.!!!.sig":  "base64url",
		"e30." + enc([]byte(`{"iat":1}`)) + ".sig": "no exp",
		"e30." + enc([]byte(`{"exp":"x"}`)) + ".s": "JSON",
	}
	for in, want := range bad {
		if _, err := refresh.TokenFromJWT(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("TokenFromJWT(%q) error = %v, want %q", in, err, want)
		}
	}
}

func TestNextRefresh(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name          string
		iat, exp      time.Duration // relative to now
		share         float64
		margin, wantD time.Duration
	}{
		{"half of the lifetime", 0, time.Hour, 0.5, 2 * time.Minute, 30 * time.Minute},
		{"margin before expiry comes first", 0, 3 * time.Minute, 0.9, 2 * time.Minute, time.Minute},
		{"token shorter than the margin", 0, time.Minute, 0.5, 2 * time.Minute, 30 * time.Second},
		{"token on disk past its refresh point", -50 * time.Minute, 10 * time.Minute, 0.5, 2 * time.Minute, 0},
		{"token issued earlier", -10 * time.Minute, 50 * time.Minute, 0.5, 2 * time.Minute, 20 * time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok := refresh.Token{IssuedAt: now.Add(tc.iat), Expiry: now.Add(tc.exp)}
			got := refresh.NextRefresh(tok, now, tc.share, tc.margin)
			if want := now.Add(tc.wantD); !got.Equal(want) {
				t.Errorf("NextRefresh = now+%s, want now+%s", got.Sub(now), tc.wantD)
			}
		})
	}
	unknownIat := refresh.NextRefresh(refresh.Token{Expiry: now.Add(time.Hour)}, now, 0.5, 2*time.Minute)
	if !unknownIat.Equal(now.Add(30 * time.Minute)) {
		t.Errorf("without iat: now+%s, want the remaining validity to count as the lifetime", unknownIat.Sub(now))
	}
}

func TestBackoffDelay(t *testing.T) {
	full := refresh.Backoff{Rand: func() float64 { return 1 }}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300}
	for i, w := range want {
		if got := full.Delay(i + 1); got != w*time.Second {
			t.Errorf("Delay(%d) = %s, want %s", i+1, got, w*time.Second)
		}
	}
	half := refresh.Backoff{Initial: 2 * time.Second, Max: time.Minute, Rand: func() float64 { return 0 }}
	if got := half.Delay(3); got != 4*time.Second {
		t.Errorf("jitter floor: Delay(3) = %s, want half of 8s", got)
	}
	if got := half.Delay(1000); got != 30*time.Second {
		t.Errorf("cap: Delay(1000) = %s, want half of 1m", got)
	}
	random := refresh.Backoff{}
	for range 100 {
		if d := random.Delay(2); d < time.Second || d > 2*time.Second {
			t.Fatalf("Delay(2) = %s, want within [1s, 2s]", d)
		}
	}
}
