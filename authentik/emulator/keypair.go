package emulator

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Signing choices of a provider created with AddProvider: the algorithm follows from the key
// type of the keypair authentik is given; SigningNone means no signing key selected.
const (
	RS256          = "RS256"
	ES256          = "ES256"
	ES384          = "ES384"
	ES512          = "ES512"
	SigningEd25519 = "EdDSA" // an Ed25519 keypair: authentik cannot sign JWTs with it
	SigningNone    = "none"
)

// Key types of a keypair made with AddKeypair.
const (
	KeyRSA     = "rsa"
	KeyP256    = "ec-p256"
	KeyP384    = "ec-p384"
	KeyP521    = "ec-p521"
	KeyEd25519 = "ed25519"
)

// SelfSignedName is the keypair every authentik instance has from its first start.
const SelfSignedName = "authentik Self-signed Certificate"

var signingKeyTypes = map[string]string{RS256: KeyRSA, ES256: KeyP256, ES384: KeyP384, ES512: KeyP521, SigningEd25519: KeyEd25519}

// errCannotSign is authentik's failure to derive a JWT algorithm from a keypair: one without a
// private key, or of a type JWTs are not signed with. authentik answers such requests with 500.
var errCannotSign = errors.New("the signing keypair cannot sign JWTs")

// KeypairSpec describes a certificate-key pair to create. Every keypair has a self-signed
// certificate, as authentik's have.
type KeypairSpec struct {
	Name         string // unique; default: a generated name
	Type         string // KeyRSA (default), KeyP256, KeyP384, KeyP521 or KeyEd25519
	NoPrivateKey bool   // only the certificate: usable to verify, not to sign
	Managed      string // authentik's managed identifier, e.g. goauthentik.io/crypto/jwt-managed
}

// Keypair is a certificate-key pair as the emulator holds it.
type Keypair struct {
	UUID          string
	Name          string
	Type          string // as in KeypairSpec
	KeyType       string // as the admin API says it: rsa, ec or ed25519
	KID           string // the kid of tokens it signs; empty without a private key
	HasPrivateKey bool
	Alg           string // the JWT algorithm it signs with; empty when it cannot sign
}

// keypair is an authentik CertificateKeyPair. It is never changed once made; its key material
// is generated on first use, so the default keypair costs nothing until something needs it.
type keypair struct {
	uuid, name, managed, typ string
	hasKey                   bool
	hashedKID                bool

	once sync.Once
	mat  *keyMaterial
	err  error
}

type keyMaterial struct {
	private crypto.Signer // nil without a private key
	public  crypto.PublicKey
	cert    *x509.Certificate
	kid     string
}

func newKeypair(spec KeypairSpec, hashedKID bool) (*keypair, error) {
	if spec.Type == "" {
		spec.Type = KeyRSA
	}
	switch spec.Type {
	case KeyRSA, KeyP256, KeyP384, KeyP521, KeyEd25519:
	default:
		return nil, fmt.Errorf("keypair type %q: use rsa, ec-p256, ec-p384, ec-p521 or ed25519", spec.Type)
	}
	if spec.Name == "" {
		spec.Name = "keypair " + randomString(8)
	}
	return &keypair{uuid: randomUUID(), name: spec.Name, managed: spec.Managed, typ: spec.Type,
		hasKey: !spec.NoPrivateKey, hashedKID: hashedKID}, nil
}

func (k *keypair) material() (*keyMaterial, error) {
	k.once.Do(func() { k.mat, k.err = k.generate() })
	return k.mat, k.err
}

func (k *keypair) generate() (*keyMaterial, error) {
	priv, err := generateKey(k.typ)
	if err != nil {
		return nil, err
	}
	cert, err := selfSign(k.name, priv)
	if err != nil {
		return nil, err
	}
	m := &keyMaterial{public: priv.Public(), cert: cert}
	if !k.hasKey {
		return m, nil // the private key is thrown away: only the certificate stays
	}
	m.private = priv
	m.kid, err = keyID(priv, k.hashedKID)
	return m, err
}

func generateKey(typ string) (crypto.Signer, error) {
	var (
		priv crypto.Signer
		err  error
	)
	switch typ {
	case KeyRSA:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case KeyP256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case KeyP384:
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case KeyP521:
		priv, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case KeyEd25519:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	}
	if err != nil {
		return nil, fmt.Errorf("generate %s key: %w", typ, err)
	}
	return priv, nil
}

// selfSign makes the keypair's certificate as authentik's certificate builder does: the name as
// common name, organisation "authentik", unit "Self-signed", one year, signed by its own key.
func selfSign(name string, priv crypto.Signer) (*x509.Certificate, error) {
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: name, Organization: []string{"authentik"}, OrganizationalUnit: []string{"Self-signed"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, priv.Public(), priv)
	if err != nil {
		return nil, fmt.Errorf("self-sign %q: %w", name, err)
	}
	return x509.ParseCertificate(der)
}

// keyID is the kid authentik gives a keypair: before 2026.2 the MD5 hex of the private key's PEM
// (its key_data), for keys created since then URL-safe base64 of a SHA-512 digest, unpadded.
func keyID(priv crypto.Signer, hashed bool) (string, error) {
	if hashed {
		der, err := x509.MarshalPKIXPublicKey(priv.Public())
		if err != nil {
			return "", fmt.Errorf("encode public key: %w", err)
		}
		sum := sha512.Sum512(der)
		return base64.RawURLEncoding.EncodeToString(sum[:]), nil
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", fmt.Errorf("encode private key: %w", err)
	}
	sum := md5.Sum(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	return hex.EncodeToString(sum[:]), nil
}

// alg is the JWT algorithm authentik derives from the private key: RSA → RS256, EC by curve.
func (m *keyMaterial) alg() (jose.SignatureAlgorithm, error) {
	switch k := m.private.(type) {
	case *rsa.PrivateKey:
		return jose.RS256, nil
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			return jose.ES256, nil
		case elliptic.P384():
			return jose.ES384, nil
		case elliptic.P521():
			return jose.ES512, nil
		}
	}
	return "", errCannotSign
}

// keyType is the key_type the admin API shows, read from the certificate's public key.
func (k *keypair) keyType() string {
	if k.typ == KeyRSA {
		return "rsa"
	}
	if k.typ == KeyEd25519 {
		return "ed25519"
	}
	return "ec"
}

func (k *keypair) public() (Keypair, error) {
	m, err := k.material()
	if err != nil {
		return Keypair{}, err
	}
	out := Keypair{UUID: k.uuid, Name: k.name, Type: k.typ, KeyType: k.keyType(), KID: m.kid, HasPrivateKey: k.hasKey}
	if alg, err := m.alg(); err == nil && k.hasKey {
		out.Alg = string(alg)
	}
	return out, nil
}

// jwk renders the keypair as authentik's JWKS does: nil without a private key (authentik skips
// such keys), errCannotSign for a key type it has no JWT algorithm for; the certificate in x5c
// with its SHA-1 and SHA-256 thumbprints; an encryption key also names its content encryption.
func (k *keypair) jwk(use string) (map[string]any, error) {
	m, err := k.material()
	if err != nil || m.private == nil {
		return nil, err
	}
	alg := string(jose.RSA_OAEP_256)
	if use == "sig" {
		a, err := m.alg()
		if err != nil {
			return nil, err
		}
		alg = string(a)
	}
	sha1Sum, sha256Sum := sha1.Sum(m.cert.Raw), sha256.Sum256(m.cert.Raw)
	b, err := json.Marshal(jose.JSONWebKey{Key: m.public, KeyID: m.kid, Algorithm: alg, Use: use,
		Certificates: []*x509.Certificate{m.cert}, CertificateThumbprintSHA1: sha1Sum[:], CertificateThumbprintSHA256: sha256Sum[:]})
	if err != nil {
		return nil, fmt.Errorf("encode JWK: %w", err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("decode JWK: %w", err)
	}
	if use == "enc" {
		out["enc"] = string(jose.A256CBC_HS512)
	}
	return out, nil
}

// jwksDocument is what <slug>/jwks/ returns: `{}` exactly when no key yields a JWK (authentik's
// answer when the provider has no signing key), otherwise the keys.
func jwksDocument(sign, enc *keypair) ([]byte, error) {
	var keys []map[string]any
	for _, k := range []struct {
		kp  *keypair
		use string
	}{{sign, "sig"}, {enc, "enc"}} {
		if k.kp == nil {
			continue
		}
		jwk, err := k.kp.jwk(k.use)
		if err != nil {
			return nil, err
		}
		if jwk != nil {
			keys = append(keys, jwk)
		}
	}
	if len(keys) == 0 {
		return []byte("{}"), nil
	}
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		return nil, fmt.Errorf("encode JWKS: %w", err)
	}
	return b, nil
}
