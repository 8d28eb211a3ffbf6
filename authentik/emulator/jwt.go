package emulator

import (
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// tokenAlg is the one algorithm discovery lists: the signing key's, or HS256 without one.
func tokenAlg(sign *keypair) (string, error) {
	if sign == nil {
		return string(jose.HS256), nil
	}
	_, alg, err := signingMaterial(sign)
	return string(alg), err
}

// signingMaterial is the keypair's private key material and the algorithm it signs with.
func signingMaterial(sign *keypair) (*keyMaterial, jose.SignatureAlgorithm, error) {
	m, err := sign.material()
	if err != nil {
		return m, "", err
	}
	if m.private == nil {
		return m, "", errCannotSign
	}
	alg, err := m.alg()
	return m, alg, err
}

// encodeJWT signs claims as authentik does, then encrypts the result when an encryption key is
// selected.
func encodeJWT(claims map[string]any, sign, enc *keypair, secret string) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("encode claims: %w", err)
	}
	signed, err := signJWT(payload, sign, secret)
	if err != nil || enc == nil {
		return signed, err
	}
	return encryptJWT(signed, enc)
}

// signJWT signs with the keypair, or, with no signing key, HS256 keyed with the client secret
// and without a kid — whatever the secret's length, as authentik does.
func signJWT(payload []byte, sign *keypair, secret string) (string, error) {
	if sign == nil {
		return hs256(payload, []byte(secret))
	}
	m, alg, err := signingMaterial(sign)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: m.private, KeyID: m.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("signer %s: %w", alg, err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sign %s: %w", alg, err)
	}
	return jws.CompactSerialize()
}

// hs256 is written out because go-jose refuses HMAC keys shorter than the hash, and authentik
// signs with whatever client secret the provider has.
func hs256(payload, key []byte) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	if err != nil {
		return "", err
	}
	input := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
}

// encryptJWT makes the JWE authentik sends with an encryption key: RSA-OAEP-256 to the
// certificate's public key, A256CBC-HS512, typ JWE and the keypair's kid.
func encryptJWT(jwt string, enc *keypair) (string, error) {
	m, err := enc.material()
	if err != nil {
		return "", err
	}
	pub, ok := m.cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return "", fmt.Errorf("encryption keypair %q is not RSA", enc.name)
	}
	rcpt := jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: pub, KeyID: m.kid}
	e, err := jose.NewEncrypter(jose.A256CBC_HS512, rcpt, (&jose.EncrypterOptions{}).WithType("JWE"))
	if err != nil {
		return "", fmt.Errorf("encrypter: %w", err)
	}
	obj, err := e.Encrypt([]byte(jwt))
	if err != nil {
		return "", fmt.Errorf("encrypt token: %w", err)
	}
	return obj.CompactSerialize()
}
