package hostile

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"testing"
)

// keys are the issuer's signing key (P-256) and, for DegenerateKeys, an RSA key too short to
// trust.
type keys struct {
	ec    *ecdsa.PrivateKey
	small *rsa.PrivateKey
}

func newKeys(t testing.TB) *keys {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	return &keys{ec: ec, small: small}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// pad is n as a big-endian number of exactly size bytes.
func pad(n *big.Int, size int) []byte {
	b := make([]byte, size)
	return n.FillBytes(b)
}

// jwk is the issuer's public signing key, under kid.
func (k *keys) jwk(kid string) map[string]any {
	return map[string]any{"kty": "EC", "crv": "P-256", "kid": kid, "use": "sig", "alg": "ES256",
		"x": b64(pad(k.ec.X, 32)), "y": b64(pad(k.ec.Y, 32))}
}

// degenerate are the keys DegenerateKeys publishes: a zero RSA modulus, the 1024-bit key, and an
// EC point that is not on P-256.
func (k *keys) degenerate() []map[string]any {
	return []map[string]any{
		{"kty": "RSA", "kid": "zero", "use": "sig", "alg": "RS256", "n": "AA", "e": "AQAB"},
		{"kty": "RSA", "kid": "small", "use": "sig", "alg": "RS256", "n": b64(k.small.N.Bytes()), "e": "AQAB"},
		{"kty": "EC", "crv": "P-256", "kid": "offcurve", "use": "sig", "alg": "ES256",
			"x": b64(pad(big.NewInt(1), 32)), "y": b64(pad(big.NewInt(2), 32))},
	}
}

// sign writes a compact JWS of claims: ES256 with the issuer's key, or RS256 with the short key
// (signed by hand: libraries rightly refuse such keys).
func (k *keys) sign(header, claims map[string]any, small bool) string {
	if small {
		header["alg"] = "RS256"
	} else {
		header["alg"] = "ES256"
	}
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	input := b64(h) + "." + b64(c)
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	if small {
		sig, _ = rsa.SignPKCS1v15(rand.Reader, k.small, crypto.SHA256, digest[:])
	} else {
		r, s, _ := ecdsa.Sign(rand.Reader, k.ec, digest[:])
		sig = append(pad(r, 32), pad(s, 32)...)
	}
	return input + "." + b64(sig)
}
