package verify

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/wifwiz/wifwiz/wif"
)

// keySet is a JWKS as Anthropic sees it: the asymmetric signing keys it can verify with, and
// what it ignores.
type keySet struct {
	keys    []jose.JSONWebKey // public keys only
	ignored []string          // "key #2 (kid …): why"
	noKeys  bool              // no "keys" member: authentik's {} when no signing key is selected
}

// parseJWKS reads a JWKS key by key, so one unreadable key does not hide the others.
func parseJWKS(body []byte) (*keySet, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil || doc == nil {
		return nil, errors.New("not a JSON object")
	}
	raw, ok := doc["keys"]
	if !ok {
		return &keySet{noKeys: true}, nil
	}
	var keys []json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return nil, errors.New(`"keys" is not an array`)
	}
	s := &keySet{}
	for i, k := range keys {
		s.add(i+1, k)
	}
	return s, nil
}

func (s *keySet) add(n int, raw json.RawMessage) {
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(raw); err != nil {
		s.ignored = append(s.ignored, fmt.Sprintf("key #%d: unreadable", n))
		return
	}
	if why := unusable(k); why != "" {
		s.ignored = append(s.ignored, fmt.Sprintf("key #%d (kid %q): %s", n, k.KeyID, why))
		return
	}
	s.keys = append(s.keys, k.Public())
}

// unusable says why Anthropic cannot verify a token with k; "" when it can.
func unusable(k jose.JSONWebKey) string {
	if k.Use == "enc" {
		return "an encryption key (use enc)"
	}
	switch key := k.Public().Key.(type) {
	case *rsa.PublicKey:
		return rsaProblem(key)
	case *ecdsa.PublicKey:
		return "" // go-jose refuses a point off its curve when it reads the key: it is unreadable
	case ed25519.PublicKey:
		return "an Ed25519 (EdDSA) key, which Anthropic does not accept"
	case nil:
		return "a symmetric key, never published for verification"
	}
	return "a key type Anthropic does not accept"
}

// rsaProblem refuses degenerate RSA keys: a modulus under wif.MinRSABits (zero included) or an
// exponent no RSA key has.
func rsaProblem(k *rsa.PublicKey) string {
	switch {
	case k.N == nil || k.N.BitLen() < wif.MinRSABits:
		bits := 0
		if k.N != nil {
			bits = k.N.BitLen()
		}
		return fmt.Sprintf("an RSA key of %d bits; wifwiz accepts at least %d", bits, wif.MinRSABits)
	case k.E < 3 || k.E%2 == 0:
		return fmt.Sprintf("an RSA key with the invalid public exponent %d", k.E)
	}
	return ""
}

// find returns the key with that kid, or nil.
func (s *keySet) find(kid string) *jose.JSONWebKey {
	for i := range s.keys {
		if s.keys[i].KeyID == kid {
			return &s.keys[i]
		}
	}
	return nil
}

func (s *keySet) kids() []string {
	var ids []string
	for _, k := range s.keys {
		ids = append(ids, k.KeyID)
	}
	return ids
}

// describe lists the usable keys and the ignored ones, for Actual.
func (s *keySet) describe() string {
	var parts []string
	for _, k := range s.keys {
		parts = append(parts, fmt.Sprintf("kid %q (%s %s)", k.KeyID, keyType(k), k.Algorithm))
	}
	d := fmt.Sprintf("%d signing key(s)", len(s.keys))
	if len(parts) > 0 {
		d += ": " + strings.Join(parts, ", ")
	}
	if len(s.ignored) > 0 {
		d += "; ignored " + strings.Join(s.ignored, ", ")
	}
	return d
}

func keyType(k jose.JSONWebKey) string {
	switch key := k.Key.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", key.N.BitLen())
	case *ecdsa.PublicKey:
		return "EC " + key.Curve.Params().Name
	}
	return "unknown"
}
