package emulator

import (
	"encoding/json"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

func (p provider) tokenAlg() string {
	if p.sign == nil {
		return string(jose.HS256)
	}
	return string(p.sign.alg)
}

// encode signs claims as authentik does, then encrypts the result when the provider has an
// encryption key (authentik.md, "Signing").
func (p provider) encode(claims map[string]any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("encode claims: %w", err)
	}
	signed, err := p.signJWT(payload)
	if err != nil || p.enc == nil {
		return signed, err
	}
	return p.encrypt(signed)
}

// signJWT signs with the provider's key, or, with no key selected, HS256 keyed with the
// client secret and without a kid.
func (p provider) signJWT(payload []byte) (string, error) {
	key := jose.SigningKey{Algorithm: jose.HS256, Key: []byte(p.ClientSecret)}
	if p.sign != nil {
		key = jose.SigningKey{Algorithm: p.sign.alg, Key: jose.JSONWebKey{Key: p.sign.private, KeyID: p.sign.kid}}
	}
	signer, err := jose.NewSigner(key, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("signer %s: %w", key.Algorithm, err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sign %s: %w", key.Algorithm, err)
	}
	return jws.CompactSerialize()
}

func (p provider) encrypt(jwt string) (string, error) {
	rcpt := jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: &p.enc.private.PublicKey, KeyID: p.enc.kid}
	enc, err := jose.NewEncrypter(jose.A256CBC_HS512, rcpt, (&jose.EncrypterOptions{}).WithType("JWE"))
	if err != nil {
		return "", fmt.Errorf("encrypter: %w", err)
	}
	obj, err := enc.Encrypt([]byte(jwt))
	if err != nil {
		return "", fmt.Errorf("encrypt token: %w", err)
	}
	return obj.CompactSerialize()
}
