package verify

import (
	"errors"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/redact"
)

func TestDecodeToken(t *testing.T) {
	good := sign(t, rsaSigner, goodClaims())
	tests := []struct {
		name    string
		raw     string
		wantErr error // nil: any error when ok is false
		ok      bool
		header  bool // a header is returned
	}{
		{"OK", good, nil, true, true},
		{"OKSurroundingSpace", " " + good + "\n", nil, true, true},
		{"ErrEncrypted", encrypt(t, goodClaims()), ErrEncrypted, false, true},
		{"ErrOpaque", "8f14e45fceea167a5a36dedd4bea2543", ErrNotJWT, false, false},
		{"ErrFourParts", "a.b.c.d", ErrNotJWT, false, false},
		{"ErrEmpty", "", ErrNotJWT, false, false},
		{"ErrHeaderNotBase64", "!!.e30.c2ln", nil, false, false},
		{"ErrHeaderPadded", "eyJhbGciOiJSUzI1NiJ9==.e30.c2ln", nil, false, false},
		{"ErrHeaderArray", "W10.e30.c2ln", nil, false, false},
		{"ErrHeaderNull", "bnVsbA.e30.c2ln", nil, false, false},
		{"ErrClaimsTrailingData", "e30.e30gMQ.c2ln", nil, false, true},
		{"ErrSignatureNotBase64", "e30.e30.c2ln=", nil, false, true},
		{"ErrTooLarge", strings.Repeat("a", 1<<20+1), ErrTooLarge, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			header, claims, err := DecodeToken(tc.raw)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if (header != nil) != tc.header {
				t.Fatalf("header = %v, want present=%v", header, tc.header)
			}
			if tc.ok && (claims["sub"] != testSub || header["kid"] != testKid) {
				t.Fatalf("header %v claims %v", header, claims)
			}
			if err != nil && len(tc.raw) > 8 && strings.Contains(err.Error(), tc.raw) {
				t.Fatalf("error contains the token: %v", err)
			}
		})
	}
}

func TestDecodeTokenKeepsLargeNumbers(t *testing.T) {
	c := goodClaims()
	c["exp"] = int64(9007199254740993) // not representable as float64
	_, claims, err := DecodeToken(sign(t, rsaSigner, c))
	if err != nil {
		t.Fatal(err)
	}
	if got := claims["exp"]; got == nil || got.(interface{ String() string }).String() != "9007199254740993" {
		t.Fatalf("exp = %v", got)
	}
}

func TestFingerprint(t *testing.T) {
	const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" // SHA-256("abc"), FIPS 180-2
	if got := Fingerprint("abc"); got != abc {
		t.Fatalf("Fingerprint(abc) = %s", got)
	}
}

func TestBodyStart(t *testing.T) {
	jws := sign(t, rsaSigner, goodClaims())
	tests := []struct {
		name, body, want, absent string
		exact                    bool
	}{
		{"OK", "Not Found", "Not Found", "", true},
		{"OKControlCharacters", "a\x00b\nc\u2028d", "a b c d", "", true},
		{"OKInvalidUTF8", "a\xffb", "a�b", "", true},
		{"OKCut", strings.Repeat("é", 300), strings.Repeat("é", 200) + "…", "", true},
		{"OKTokenRedacted", `{"id_token":"` + jws + `"}`, `{"id_token":"` + redact.TokenMark + `"}`, jws[:30], true},
		{"OKCutTokenRedacted", strings.Repeat("x", 150) + " " + jws, redact.TokenMark, jws[:30], false},
		{"OKHeaderOnlyRedacted", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4", redact.TokenMark, "eyJhbGci", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := bodyStart([]byte(tc.body))
			if tc.exact && got != tc.want || !strings.Contains(got, tc.want) || tc.absent != "" && strings.Contains(got, tc.absent) {
				t.Fatalf("bodyStart = %q, want %q without %q", got, tc.want, tc.absent)
			}
		})
	}
}

// TestReportShowsClaimsVisibly: the claims kept in the report write escape sequences and bidi
// overrides out, and hold no nested token, whatever the issuer put in them; the checks still read
// the claims as they are.
func TestReportShowsClaimsVisibly(t *testing.T) {
	f := newFixture()
	nested := sign(t, rsaSigner, goodClaims())
	f.claims["note"] = "\x1b[31mred\u202eevil"
	f.claims["act"] = map[string]any{"token": nested}
	f.claims["\u2066name"] = "x"
	rep := f.report(t)
	claims := rep.Token.Claims
	if got := claims["note"]; got != `\u001b[31mred\u202eevil` {
		t.Errorf("note = %q", got)
	}
	if got := claims["act"].(map[string]any)["token"]; got != redact.TokenMark {
		t.Errorf("nested token = %q", got)
	}
	if _, ok := claims[`\u2066name`]; !ok {
		t.Errorf("claim names not made visible: %v", claims)
	}
	if checkOf(t, rep, CheckClaimSub).Status != Pass {
		t.Error("the checks no longer read the claims")
	}
}
