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
		"e30.e30.a.b.c": "JWE",
		"a.b.c.d.e":     "reading the JWT header",
		"opaque-token":  "not a readable compact JWT",
		"e30.!!!.sig":   "base64url",
		"e30." + enc([]byte(`{"iat":1}`)) + ".sig":           "no numeric exp",
		"e30." + enc([]byte(`{"exp":"x"}`)) + ".sig":         "no numeric exp",
		"e30." + enc([]byte(`{"exp":1}`)) + ".s":             "signature",
		"e30." + enc([]byte(`{"exp":1,"iat":"x"}`)) + ".sig": "iat claim is not a number",
		rawJWT(`{"exp":1e300}`):                              "exp 1e+300 is not a time between 1970 and 9999",
		rawJWT(`{"exp":1780000000,"iat":-1}`):                "iat -1 is not a time",
		rawJWT(`{"exp":253402300800}`):                       "exp 2.534023008e+11 is not a time",
		rawJWT(`{"exp":1e999}`):                              "no numeric exp",
	}
	for in, want := range bad {
		if _, err := refresh.TokenFromJWT(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("TokenFromJWT(%q) error = %v, want %q", in, err, want)
		}
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
