package emulator

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// Signing choices of a provider: the algorithm follows from the key type authentik is given
// (authentik.md, "Signing"); SigningNone means no signing key selected.
const (
	RS256       = "RS256"
	ES256       = "ES256"
	ES384       = "ES384"
	SigningNone = "none"
)

// signingKey is a provider's certificate-keypair used for signing. It is never mutated:
// rotation replaces it.
type signingKey struct {
	alg     jose.SignatureAlgorithm
	kid     string
	private crypto.Signer
	uuid    string // the keypair's ID as the admin API shows it
}

// encryptionKey is the RSA keypair selected as a provider's encryption key.
type encryptionKey struct {
	kid     string
	private *rsa.PrivateKey
	uuid    string
}

func newSigningKey(alg string) (*signingKey, error) {
	var (
		priv crypto.Signer
		err  error
	)
	switch alg {
	case RS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ES384:
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case SigningNone:
		return nil, nil
	default:
		return nil, fmt.Errorf("signing %q: use RS256, ES256, ES384 or none", alg)
	}
	if err != nil {
		return nil, fmt.Errorf("generate %s key: %w", alg, err)
	}
	kid, err := keyID(priv.Public())
	if err != nil {
		return nil, err
	}
	return &signingKey{alg: jose.SignatureAlgorithm(alg), kid: kid, private: priv, uuid: randomUUID()}, nil
}

func newEncryptionKey() (*encryptionKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate encryption key: %w", err)
	}
	kid, err := keyID(priv.Public())
	if err != nil {
		return nil, err
	}
	return &encryptionKey{kid: kid, private: priv, uuid: randomUUID()}, nil
}

// keyID is the kid authentik gives keys created since 2026.2: URL-safe base64 of a SHA-512
// digest, without padding (authentik.md, "Signing").
func keyID(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("encode public key: %w", err)
	}
	sum := sha512.Sum512(der)
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// jwksDocument is what <slug>/jwks/ returns: `{}` exactly when the provider has no key at all
// (authentik.md: no `keys` member), otherwise the public keys.
func jwksDocument(sign *signingKey, enc *encryptionKey) ([]byte, error) {
	var keys []jose.JSONWebKey
	if sign != nil {
		keys = append(keys, jose.JSONWebKey{Key: sign.private.Public(), KeyID: sign.kid, Algorithm: string(sign.alg), Use: "sig"})
	}
	if enc != nil {
		keys = append(keys, jose.JSONWebKey{Key: enc.private.Public(), KeyID: enc.kid, Algorithm: string(jose.RSA_OAEP_256), Use: "enc"})
	}
	if len(keys) == 0 {
		return []byte("{}"), nil
	}
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		return nil, fmt.Errorf("encode JWKS: %w", err)
	}
	return b, nil
}
