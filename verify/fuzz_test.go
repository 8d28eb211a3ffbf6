package verify

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/wifwiz/wifwiz/wif"
)

// FuzzRun feeds arbitrary token responses, discovery documents and JWKS to the engine: it must
// never panic, and every report keeps its shape.
func FuzzRun(f *testing.F) {
	good := newFixture()
	good.report(f)
	hs := newFixture()
	hs.key = signingKey{"HS256", []byte(testSecret + testSecret), ""}
	hs.report(f)
	f.Add(good.obs.Token.Body, good.obs.Discovery.Body, good.obs.JWKS.Body, false)
	f.Add(good.obs.Token.Body, good.obs.Discovery.Body, good.obs.JWKS.Body, true)
	f.Add(hs.obs.Token.Body, discoveryBody(testIssuer, "HS256"), []byte("{}"), false)
	f.Add(tokenBody(encrypt(f, goodClaims())), []byte("null"), []byte(`{"keys":null}`), false)
	f.Add([]byte(`{"id_token":"e30.e30."}`), []byte(`{"issuer":1}`), []byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"","y":""}]}`), true)
	f.Add([]byte(`{"error":"invalid_client"}`), []byte("<html>"), []byte(`{"keys":[1,"a",{}]}`), false)
	f.Fuzz(func(t *testing.T, token, discovery, jwks []byte, inline bool) {
		fx := newFixture()
		fx.obs.Token.Body = token
		fx.obs.Discovery.Body = discovery
		fx.obs.JWKS.Body = jwks
		if inline {
			fx.cfg.InlineJWKS = jwks
		}
		rep := Run(fx.cfg, fx.obs, testNow)
		assertInvariants(t, rep, "")
	})
}

// FuzzDecodeToken: arbitrary input never panics, success means both parts are objects, and an
// error never repeats the input.
func FuzzDecodeToken(f *testing.F) {
	f.Add(sign(f, rsaSigner, goodClaims()))
	f.Add(encrypt(f, goodClaims()))
	f.Add("e30.e30.")
	f.Add("eyJhbGciOiJub25lIn0.bnVsbA.")
	f.Add("....")
	f.Add("not a token")
	f.Fuzz(func(t *testing.T, raw string) {
		header, claims, err := DecodeToken(raw)
		if err == nil && (header == nil || claims == nil) {
			t.Fatalf("no error but header %v claims %v", header, claims)
		}
		if err != nil && len(raw) > 16 && strings.Contains(err.Error(), raw) {
			t.Fatalf("error repeats the input: %v", err)
		}
	})
}

func BenchmarkRun(b *testing.B) {
	f := newFixture()
	f.report(b)
	for b.Loop() {
		Run(f.cfg, f.obs, testNow)
	}
}

// FuzzJWKS: a key set from the network or pasted for the Console never panics the parser, and
// every key it keeps is one Anthropic can verify with and wifwiz trusts: RSA of at least
// wif.MinRSABits with an odd exponent, or an EC point on its curve; none is private.
func FuzzJWKS(f *testing.F) {
	f.Add(jwksOf(rsaJWK(rsaKey, "r"), jose.JSONWebKey{Key: &ecKey.PublicKey, KeyID: "e", Algorithm: "ES256"}))
	f.Add(jwksOf(rsaJWK(smallRSAKey, "small")))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"z","n":"AA","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AQ","y":"Ag"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := parseJWKS(body)
		if err != nil || s == nil {
			return
		}
		for _, k := range s.keys {
			switch key := k.Key.(type) {
			case *rsa.PublicKey:
				if key.N.BitLen() < wif.MinRSABits || key.E < 3 || key.E%2 == 0 {
					t.Fatalf("kept a degenerate RSA key: %d bits, e=%d", key.N.BitLen(), key.E)
				}
			case *ecdsa.PublicKey:
				if !onCurve(key) {
					t.Fatal("kept an EC point off its curve")
				}
			default:
				t.Fatalf("kept a %T", key)
			}
			if !k.IsPublic() {
				t.Fatal("kept a private key")
			}
		}
		s.describe()
	})
}

// onCurve reports whether an EC public key is a valid point of its curve: its encoding parses
// back (crypto/ecdsa checks the point when it does).
func onCurve(k *ecdsa.PublicKey) bool {
	b, err := k.Bytes()
	if err != nil {
		return false
	}
	_, err = ecdsa.ParseUncompressedPublicKey(k.Curve, b)
	return err == nil
}
