package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Issuer signs identity tokens like an OIDC issuer (RS256, with a kid), for tests and demos
// that need tokens without running authentik.
type Issuer struct {
	URL   string
	KeyID string
	key   *rsa.PrivateKey
}

// NewIssuer makes an issuer with a fresh 2048-bit RSA key.
func NewIssuer(url, keyID string) (*Issuer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("issuer key: %w", err)
	}
	return &Issuer{URL: url, KeyID: keyID, key: key}, nil
}

// JWKS is the issuer's public key set.
func (i *Issuer) JWKS() *jose.JSONWebKeySet {
	return &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &i.key.PublicKey, KeyID: i.KeyID, Algorithm: string(jose.RS256), Use: "sig",
	}}}
}

// Sign signs arbitrary claims.
func (i *Issuer) Sign(claims map[string]any) (string, error) {
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if i.KeyID != "" {
		opts = opts.WithHeader(jose.HeaderKey("kid"), i.KeyID)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: i.key}, opts)
	if err != nil {
		return "", fmt.Errorf("issuer signer: %w", err)
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("signing token: %w", err)
	}
	return raw, nil
}

// Mint signs a token with iss, sub, aud, iat = issuedAt, exp = issuedAt + lifetime and a fresh jti.
func (i *Issuer) Mint(sub, aud string, issuedAt time.Time, lifetime time.Duration) (string, error) {
	return i.Sign(map[string]any{
		"iss": i.URL,
		"sub": sub,
		"aud": aud,
		"iat": issuedAt.Unix(),
		"exp": issuedAt.Add(lifetime).Unix(),
		"jti": randomString(16),
	})
}
