package verify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

var p521Key = func() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}()

// authentikJWK renders a public key the way authentik's JWKS view does: its own member set,
// integers as unpadded base64url (EC coordinates padded to the curve size), and the keypair's
// self-signed certificate in x5c with x5t and x5t#S256 thumbprints.
func authentikJWK(t testing.TB, priv crypto.Signer, kid, alg, use string) map[string]any {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "authentik Self-signed Certificate",
		Organization: []string{"authentik"}, OrganizationalUnit: []string{"Self-signed"}},
		NotBefore: testNow.Add(-time.Hour), NotAfter: testNow.Add(365 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, priv.Public(), priv)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	s1, s256 := sha1.Sum(der), sha256.Sum256(der)
	k := map[string]any{"alg": alg, "kid": kid, "use": use, "x5c": []string{base64.StdEncoding.EncodeToString(der)},
		"x5t": b64(s1[:]), "x5t#S256": b64(s256[:])}
	switch pub := priv.Public().(type) {
	case *rsa.PublicKey:
		k["kty"], k["n"], k["e"] = "RSA", b64(pub.N.Bytes()), b64(big.NewInt(int64(pub.E)).Bytes())
	case *ecdsa.PublicKey:
		point, err := pub.Bytes() // 0x04, then X and Y each padded to the curve size
		if err != nil {
			t.Fatal(err)
		}
		size := (len(point) - 1) / 2
		k["kty"], k["crv"] = "EC", pub.Curve.Params().Name
		k["x"], k["y"] = b64(point[1:1+size]), b64(point[1+size:])
	}
	if use == "enc" {
		k["alg"], k["enc"] = "RSA-OAEP-256", "A256CBC-HS512"
	}
	return k
}

func jwksBody(t testing.TB, keys ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func assertStatuses(t *testing.T, rep Report, want map[string]Status) {
	t.Helper()
	for id, st := range want {
		if c := checkOf(t, rep, id); c.Status != st {
			t.Errorf("%s: %s (%s: %s), want %s", id, c.Status, c.Actual, c.Message, st)
		}
	}
}

// ES512 (P-521) and PS256 are algorithms Anthropic accepts; tokens signed with them verify
// against keys published the way authentik publishes them, x5c/x5t/x5t#S256 included.
func TestOtherAlgorithmsWithAuthentikShapedJWKS(t *testing.T) {
	for _, tc := range []struct {
		name string
		alg  jose.SignatureAlgorithm
		key  crypto.Signer
	}{
		{"ES512", jose.ES512, p521Key},
		{"PS256", jose.PS256, rsaKey},
		{"RS256", jose.RS256, rsaKey},
		{"ES256", jose.ES256, ecKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture()
			f.key = signingKey{alg: tc.alg, key: tc.key, kid: "kid-" + tc.name}
			f.obs.Discovery.Body = discoveryBody(testIssuer, string(tc.alg))
			f.obs.JWKS.Body = jwksBody(t, authentikJWK(t, tc.key, "kid-"+tc.name, string(tc.alg), "sig"),
				authentikJWK(t, rsaKey2, "kid-enc", "RSA-OAEP-256", "enc"))
			rep := f.report(t)
			assertInvariants(t, rep, f.token)
			assertStatuses(t, rep, map[string]Status{CheckJWKS: Pass, CheckHeaderAlg: Pass, CheckHeaderKid: Pass, CheckSignature: Pass})
			if c := checkOf(t, rep, CheckSignature); !strings.Contains(c.Actual, string(tc.alg)) {
				t.Errorf("signature actual %q does not name %s", c.Actual, tc.alg)
			}
		})
	}
}

// The same keys published as inline JWKS in the Console.
func TestInlineAuthentikShapedJWKS(t *testing.T) {
	f := newFixture()
	f.key = signingKey{alg: jose.ES512, key: p521Key, kid: "kid-p521"}
	f.obs.Discovery.Body = discoveryBody(testIssuer, "ES512")
	body := jwksBody(t, authentikJWK(t, p521Key, "kid-p521", "ES512", "sig"))
	f.obs.JWKS.Body = body
	f.cfg.InlineJWKS = body
	rep := f.report(t)
	assertInvariants(t, rep, f.token)
	assertStatuses(t, rep, map[string]Status{CheckJWKS: Pass, CheckHeaderKid: Pass, CheckSignature: Pass})
}

// A changed signature byte, a key of the wrong curve under the token's kid, and an RSA key for
// a PS256 token signed by another RSA key all fail the signature check.
func TestSignatureFailures(t *testing.T) {
	tamper := func(token string) string {
		parts := strings.Split(token, ".")
		sig := []byte(parts[2])
		i := len(sig) / 2
		if sig[i] == 'A' {
			sig[i] = 'B'
		} else {
			sig[i] = 'A'
		}
		return parts[0] + "." + parts[1] + "." + string(sig)
	}
	t.Run("TamperedES512", func(t *testing.T) {
		f := newFixture()
		f.key = signingKey{alg: jose.ES512, key: p521Key, kid: "kid-p521"}
		f.obs.Discovery.Body = discoveryBody(testIssuer, "ES512")
		f.obs.JWKS.Body = jwksBody(t, authentikJWK(t, p521Key, "kid-p521", "ES512", "sig"))
		f.token = tamper(sign(t, f.key, f.claims))
		rep := f.report(t)
		assertInvariants(t, rep, f.token)
		assertStatuses(t, rep, map[string]Status{CheckHeaderKid: Pass, CheckSignature: Fail})
	})
	t.Run("TamperedPS256", func(t *testing.T) {
		f := newFixture()
		f.key = signingKey{alg: jose.PS256, key: rsaKey, kid: testKid}
		f.obs.Discovery.Body = discoveryBody(testIssuer, "PS256")
		f.obs.JWKS.Body = jwksBody(t, authentikJWK(t, rsaKey, testKid, "PS256", "sig"))
		f.token = tamper(sign(t, f.key, f.claims))
		assertStatuses(t, f.report(t), map[string]Status{CheckSignature: Fail})
	})
	t.Run("ES512TokenP256KeySameKid", func(t *testing.T) {
		f := newFixture()
		f.key = signingKey{alg: jose.ES512, key: p521Key, kid: "kid-x"}
		f.obs.Discovery.Body = discoveryBody(testIssuer, "ES512")
		f.obs.JWKS.Body = jwksBody(t, authentikJWK(t, ecKey, "kid-x", "ES256", "sig"))
		assertStatuses(t, f.report(t), map[string]Status{CheckHeaderKid: Pass, CheckSignature: Fail})
	})
	t.Run("PS256OtherRSAKey", func(t *testing.T) {
		f := newFixture()
		f.key = signingKey{alg: jose.PS256, key: rsaKey2, kid: testKid}
		f.obs.Discovery.Body = discoveryBody(testIssuer, "PS256")
		f.obs.JWKS.Body = jwksBody(t, authentikJWK(t, rsaKey, testKid, "PS256", "sig"))
		assertStatuses(t, f.report(t), map[string]Status{CheckSignature: Fail})
	})
}
