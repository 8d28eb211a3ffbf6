package verify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/wifwiz/wifwiz/wif"
)

const (
	testIssuer   = "https://auth.example.com/application/o/claude-ci/"
	testClientID = "ci-client-id"
	testSub      = "ak-Claude CI-client_credentials"
	testHash     = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
	testKid      = "kid-rsa-1"
	testSecret   = "client-secret-never-shown"
)

// testNow is the fixed clock of every test.
var testNow = time.Unix(1_800_000_000, 0).UTC()

// Keys are generated once per test binary.
var (
	rsaKey  = mustRSA()
	rsaKey2 = mustRSA()
	ecKey   = mustEC()
)

func mustRSA() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

func mustEC() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

// signingKey says how a test token is signed.
type signingKey struct {
	alg jose.SignatureAlgorithm
	key any
	kid string // empty: no kid header
}

var rsaSigner = signingKey{jose.RS256, rsaKey, testKid}

func sign(t testing.TB, k signingKey, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if k.kid != "" {
		opts = opts.WithHeader("kid", k.kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: k.key}, opts)
	if err != nil {
		t.Fatalf("signer: %v", err)
	}
	raw, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		t.Fatalf("signing: %v", err)
	}
	return raw
}

// encrypt makes a JWE as authentik does when an Encryption Key is set.
func encrypt(t testing.TB, claims map[string]any) string {
	t.Helper()
	enc, err := jose.NewEncrypter(jose.A256CBC_HS512, jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: &rsaKey2.PublicKey},
		(&jose.EncrypterOptions{}).WithType("JWE"))
	if err != nil {
		t.Fatalf("encrypter: %v", err)
	}
	payload, _ := json.Marshal(claims)
	obj, err := enc.Encrypt(payload)
	if err != nil {
		t.Fatalf("encrypt: %v", err)
	}
	raw, err := obj.CompactSerialize()
	if err != nil {
		t.Fatalf("serialize: %v", err)
	}
	return raw
}

// unsigned builds a JWS by hand, for algorithms go-jose will not sign with.
func unsigned(header, claims map[string]any) string {
	seg := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return seg(header) + "." + seg(claims) + "." + base64.RawURLEncoding.EncodeToString([]byte("sig"))
}

func jwksOf(keys ...jose.JSONWebKey) []byte {
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		panic(err)
	}
	return b
}

func rsaJWK(k *rsa.PrivateKey, kid string) jose.JSONWebKey {
	return jose.JSONWebKey{Key: &k.PublicKey, KeyID: kid, Algorithm: "RS256", Use: "sig"}
}

// goodProvider is the provider behind testIssuer as authentik's admin API shows it.
func goodProvider() *wif.AuthentikProvider {
	return &wif.AuthentikProvider{PK: 7, Name: "Claude CI", ClientType: "confidential", ClientID: testClientID,
		AccessTokenValidity: "hours=1", IncludeClaimsInIDToken: true,
		SigningKey: wif.AuthentikKeyRef{PK: "3f1c0b8e-0000-4000-8000-000000000001", Name: wif.SelfSignedKeypairName, KeyType: "rsa", HasPrivateKey: true},
		SubMode:    wif.SubUsername, IssuerMode: wif.IssuerModePerProvider, ApplicationSlug: "claude-ci", ApplicationName: "Claude CI"}
}

func goodClaims() map[string]any {
	return map[string]any{
		"iss": testIssuer,
		"sub": testSub,
		"aud": testClientID,
		"exp": testNow.Unix() + 3599,
		"iat": testNow.Unix(),
		"jti": "Yx2b1c9d0e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b",
		"acr": "goauthentik.io/providers/oauth2/default",
	}
}

func discoveryBody(issuer string, algs ...string) []byte {
	if len(algs) == 0 {
		algs = []string{"RS256"}
	}
	b, _ := json.Marshal(map[string]any{
		"issuer":                                issuer,
		"token_endpoint":                        "https://auth.example.com/application/o/token/",
		"jwks_uri":                              "https://auth.example.com/application/o/claude-ci/jwks/",
		"id_token_signing_alg_values_supported": algs,
	})
	return b
}

func tokenBody(idToken string) []byte {
	b, _ := json.Marshal(map[string]any{
		"access_token": "opaque-access", "token_type": "Bearer", "scope": "openid profile",
		"expires_in": 3600, "id_token": idToken,
	})
	return b
}

// fixture is one verification's inputs; newFixture's pass every check but exchange.
type fixture struct {
	cfg    Config
	obs    Observation
	claims map[string]any
	key    signingKey
	token  string // when set, used instead of signing claims
}

func newFixture() *fixture {
	return &fixture{
		cfg: Config{
			Connection: "ci-prod", IssuerURL: testIssuer, AuthentikURL: "https://auth.example.com", AppSlug: "claude-ci",
			SubjectMode: wif.SubUsername, IssuerMode: wif.IssuerModePerProvider, ClientID: testClientID, TokenField: "auto",
			SubjectPrefix: testSub, Audience: testClientID,
			MaxIdentityTokenLifetime: time.Hour, TokenLifetime: time.Hour,
			FederationRuleID: "fdrl_01abc", OrganizationID: "0d3b1c2a-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
			ServiceAccountID: "svac_01abc", WorkspaceID: "default",
			AccessTokenValidity: time.Hour, OAuthScope: "workspace:developer",
		},
		obs: Observation{
			Discovery:   Fetch{URL: "https://auth.example.com/application/o/claude-ci/.well-known/openid-configuration", Status: 200, Body: discoveryBody(testIssuer)},
			JWKS:        &Fetch{URL: "https://auth.example.com/application/o/claude-ci/jwks/", Status: 200, Body: jwksOf(rsaJWK(rsaKey, testKid))},
			Token:       &TokenResponse{URL: "https://auth.example.com/application/o/token/", Status: 200},
			IssuerAddrs: []string{"93.184.216.34", "2606:2800:220:1::1"},
			Provider:    &ProviderRead{URL: "https://auth.example.com", Provider: goodProvider(), Version: "2026.2.2"},
		},
		claims: goodClaims(),
		key:    rsaSigner,
	}
}

// report signs the token (unless one is set), fills an empty token response and runs the engine.
func (f *fixture) report(t testing.TB) Report {
	t.Helper()
	if f.token == "" {
		f.token = sign(t, f.key, f.claims)
	}
	if f.obs.Token != nil && f.obs.Token.Body == nil && f.obs.Token.Status == 200 {
		f.obs.Token.Body = tokenBody(f.token)
	}
	return Run(f.cfg, f.obs, testNow)
}

func checkOf(t testing.TB, rep Report, id string) Check {
	t.Helper()
	for _, c := range rep.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %s in report", id)
	return Check{}
}

// assertInvariants holds for every report: all checks in order, every skip says why, every
// warn and fail says what to change and no pass offers a fix, the summary matches the test's own
// count, and the raw token never appears.
func assertInvariants(t testing.TB, rep Report, rawToken string) {
	t.Helper()
	if len(rep.Checks) != len(CheckIDs) {
		t.Fatalf("report has %d checks, want %d", len(rep.Checks), len(CheckIDs))
	}
	for i, c := range rep.Checks {
		if c.ID != CheckIDs[i] {
			t.Errorf("check %d is %s, want %s", i, c.ID, CheckIDs[i])
		}
		if c.Status == Skip && c.Message == "" {
			t.Errorf("%s: skip without a reason", c.ID)
		}
		if (c.Status == Warn || c.Status == Fail) && c.Fix == "" {
			t.Errorf("%s: %s without a fix", c.ID, c.Status)
		}
		if c.Status == Pass && c.Fix != "" {
			t.Errorf("%s: pass with a fix %q; a passing check has nothing to change", c.ID, c.Fix)
		}
	}
	if sum := countVerdicts(t, rep.Checks); sum != rep.Summary || rep.OK != (sum.Fail == 0) {
		t.Errorf("summary %+v ok=%v, counted %+v", rep.Summary, rep.OK, sum)
	}
	assertNoSecret(t, rep, rawToken)
}

func assertNoSecret(t testing.TB, rep Report, rawToken string) {
	t.Helper()
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	js := string(b)
	for _, secret := range []string{rawToken, testSecret} {
		if len(secret) > 20 && strings.Contains(js, secret) {
			t.Fatalf("report contains a secret: %.40s…", secret)
		}
	}
	if parts := strings.Split(rawToken, "."); len(parts) == 3 && len(parts[2]) > 20 && strings.Contains(js, parts[2]) {
		t.Fatalf("report contains the token's signature")
	}
}

func mustAddr(t testing.TB, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// smallRSAKey is under wif.MinRSABits: a key set holding only it has no usable key.
var smallRSAKey = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		panic(err)
	}
	return k
}()

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func rsaModulus(k *rsa.PrivateKey) string { return b64(k.N.Bytes()) }
