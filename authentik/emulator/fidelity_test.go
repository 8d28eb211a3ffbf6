package emulator

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-jose/go-jose/v4"
	"github.com/wifwiz/wifwiz/wif"
)

// authentik's JWKS view (providers/oauth2/views/jwks.py, get_jwk_for_key) publishes each key with
// its certificate: x5c (standard base64 DER), x5t and x5t#S256 (URL-safe base64 of the SHA-1 and
// SHA-256 of the DER, unpadded); the algorithm follows the curve, P-521 giving ES512.
func TestJWKSCertificateMembers(t *testing.T) {
	for _, alg := range []string{RS256, ES256, ES384, ES512} {
		t.Run(alg, func(t *testing.T) {
			e := mustStart(t)
			p := mustAdd(t, e, Provider{Slug: "claude", Signing: alg})
			c := trustingClient(t, e)
			a := get(t, c, e.URL()+"/application/o/claude/jwks/")
			if a.header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("Access-Control-Allow-Origin %q, want *", a.header.Get("Access-Control-Allow-Origin"))
			}
			var doc struct {
				Keys []map[string]any `json:"keys"`
			}
			if err := json.Unmarshal(a.body, &doc); err != nil || len(doc.Keys) != 1 {
				t.Fatalf("JWKS %s: %v", a.body, err)
			}
			k := doc.Keys[0]
			x5c, _ := k["x5c"].([]any)
			if len(x5c) != 1 {
				t.Fatalf("x5c %v: want one certificate", k["x5c"])
			}
			der, err := base64.StdEncoding.DecodeString(x5c[0].(string))
			if err != nil {
				t.Fatalf("x5c is not standard base64: %v", err)
			}
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				t.Fatalf("x5c: %v", err)
			}
			s1, s256 := sha1.Sum(der), sha256.Sum256(der)
			if k["x5t"] != base64.RawURLEncoding.EncodeToString(s1[:]) || k["x5t#S256"] != base64.RawURLEncoding.EncodeToString(s256[:]) {
				t.Errorf("x5t %v, x5t#S256 %v: not the unpadded URL-safe thumbprints of x5c", k["x5t"], k["x5t#S256"])
			}
			if cert.Subject.CommonName == "" || cert.Subject.Organization[0] != "authentik" {
				t.Errorf("certificate subject %v", cert.Subject)
			}
			// go-jose refuses a JWK whose certificate holds another key or whose thumbprints differ.
			set := fetchJWKS(t, c, e.URL()+"/application/o/claude/jwks/")
			header, _ := verify(t, tokens(t, c, e.URL(), p, "openid")["id_token"].(string), set)
			if header["alg"] != alg || k["alg"] != alg || k["use"] != "sig" {
				t.Errorf("token alg %v, JWK alg %v use %v: want %s, sig", header["alg"], k["alg"], k["use"], alg)
			}
		})
	}
}

// An encryption key's JWK says alg RSA-OAEP-256 and enc A256CBC-HS512 (jwks.py).
func TestJWKSEncryptionKeyMembers(t *testing.T) {
	e := mustStart(t)
	mustAdd(t, e, Provider{Slug: "enc", Signing: ES256, Encrypted: true})
	c := trustingClient(t, e)
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(get(t, c, e.URL()+"/application/o/enc/jwks/").body, &doc); err != nil || len(doc.Keys) != 2 {
		t.Fatalf("JWKS: %v %v", doc, err)
	}
	enc := doc.Keys[1]
	if enc["use"] != "enc" || enc["alg"] != "RSA-OAEP-256" || enc["enc"] != "A256CBC-HS512" || enc["x5c"] == nil {
		t.Errorf("encryption JWK %v", enc)
	}
}

// The generated account is ak-<name[:USERNAME_MAX_LENGTH-22]>-client_credentials
// (providers/oauth2/token/client_credentials.py): the name cut to 128 characters — Python
// slices characters, not bytes — so the username stays within 150.
func TestServiceAccountNameCut(t *testing.T) {
	e := mustStart(t)
	long := strings.Repeat("é", 100) + strings.Repeat("x", 100) // 200 characters, 300 bytes
	p := mustAdd(t, e, Provider{Slug: "long", Name: long, SubMode: wif.SubUsername, IncludeClaims: true})
	c := trustingClient(t, e)
	_, claims := decodeJWT(t, tokens(t, c, e.URL(), p, "openid profile")["id_token"].(string))
	want := "ak-" + strings.Repeat("é", 100) + strings.Repeat("x", 28) + "-client_credentials"
	if claims["sub"] != want || claims["preferred_username"] != want {
		t.Fatalf("sub %q, preferred_username %q, want %q", claims["sub"], claims["preferred_username"], want)
	}
	if n := utf8.RuneCountInString(want); n != 150 {
		t.Fatalf("want has %d characters, the test expects 150", n)
	}
	short := mustAdd(t, e, Provider{Slug: "short", Name: "Claude WIF", SubMode: wif.SubUsername})
	if _, claims := decodeJWT(t, tokens(t, c, e.URL(), short, "openid")["id_token"].(string)); claims["sub"] != "ak-Claude WIF-client_credentials" {
		t.Errorf("short name: sub %q", claims["sub"])
	}
}

// extract_client_auth (providers/oauth2/utils.py) takes the credentials from an Authorization
// header matching ^Basic\s{1}.+$ and then ignores client_id/client_secret in the form; an
// undecodable header gives empty credentials (an unknown client).
func TestBasicHeaderPreferredOverForm(t *testing.T) {
	e := mustStart(t)
	p := mustAdd(t, e, Provider{Slug: "claude"})
	c := trustingClient(t, e)
	post := func(header string, form url.Values) answer {
		req, _ := http.NewRequest(http.MethodPost, e.URL()+"/application/o/token/", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", header)
		return do(t, c, req)
	}
	basic := func(id, secret string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
	}
	wrongForm := credentials(p, "openid")
	wrongForm.Set("client_secret", "wrong")
	unknownForm := credentials(p, "openid")
	unknownForm.Set("client_id", "nobody")
	for name, tc := range map[string]struct {
		header string
		form   url.Values
		code   string // "" for success
	}{
		"BasicGoodFormWrongSecret": {basic(p.ClientID, p.ClientSecret), wrongForm, ""},
		"BasicGoodFormUnknownID":   {basic(p.ClientID, p.ClientSecret), unknownForm, ""},
		"BasicWrongFormGood":       {basic(p.ClientID, "wrong"), credentials(p, "openid"), "invalid_grant"},
		"BasicUnknownFormGood":     {basic("nobody", p.ClientSecret), credentials(p, "openid"), "invalid_client"},
		"BasicUndecodableFormGood": {"Basic !!!notbase64", credentials(p, "openid"), "invalid_client"},
		"LowercaseBasicIsNotBasic": {"basic " + strings.TrimPrefix(basic("nobody", "x"), "Basic "), credentials(p, "openid"), ""},
	} {
		t.Run(name, func(t *testing.T) {
			a := post(tc.header, tc.form)
			if tc.code == "" {
				if a.status != http.StatusOK {
					t.Fatalf("HTTP %d %s, want 200", a.status, a.body)
				}
				return
			}
			if got, _ := wif.ParseAuthentikError(a.body); a.status != http.StatusBadRequest || got.Code != tc.code {
				t.Fatalf("HTTP %d %s, want 400 %s", a.status, a.body, tc.code)
			}
		})
	}
}

// Tokens carry a 40-character jti since 2026.2 and none before; keys created before 2026.2 have
// an MD5 kid (crypto/models.py kid); token errors carry request_id since 2025.8.
func TestVersionGatedTokenShapes(t *testing.T) {
	for _, tc := range []struct {
		version   string
		jti       bool
		kid       *regexp.Regexp
		requestID bool
	}{
		{DefaultVersion, true, regexp.MustCompile(`^[A-Za-z0-9_-]{86}$`), true},
		{"2025.12.4", false, regexp.MustCompile(`^[0-9a-f]{32}$`), true},
		{"2025.4.1", false, regexp.MustCompile(`^[0-9a-f]{32}$`), false},
	} {
		t.Run(tc.version, func(t *testing.T) {
			e := mustStart(t, WithVersion(tc.version))
			p := mustAdd(t, e, Provider{Slug: "claude"})
			c := trustingClient(t, e)
			header, claims := decodeJWT(t, tokens(t, c, e.URL(), p, "openid")["id_token"].(string))
			jti, has := claims["jti"].(string)
			if has != tc.jti || has && len(jti) != 40 {
				t.Errorf("jti %q present=%v, want present=%v with 40 characters", jti, has, tc.jti)
			}
			if kid, _ := header["kid"].(string); !tc.kid.MatchString(kid) {
				t.Errorf("kid %q does not match %s", kid, tc.kid)
			}
			wrong := credentials(p, "openid")
			wrong.Set("client_secret", "wrong")
			a := postForm(t, c, e.URL()+"/application/o/token/", wrong)
			if _, has := a.json(t)["request_id"]; has != tc.requestID {
				t.Errorf("request_id present=%v, want %v: %s", has, tc.requestID, a.body)
			}
		})
	}
	if _, err := Start(WithVersion("latest")); err == nil {
		t.Error("an unreadable version was accepted")
	}
}

// The granted scopes are the requested ones the provider has scope mappings for, others dropped
// silently (token/base.py check_scopes); discovery lists the mappings' scopes plus openid
// (views/provider.py).
func TestGrantedScopesFromMappings(t *testing.T) {
	e := mustStart(t)
	some := mustAdd(t, e, Provider{Slug: "some", Scopes: []string{"openid", "profile"}, IncludeClaims: true})
	none := mustAdd(t, e, Provider{Slug: "none", Scopes: []string{}, IncludeClaims: true})
	c := trustingClient(t, e)

	body := tokens(t, c, e.URL(), some, "openid email profile bogus")
	if body["scope"] != "openid profile" {
		t.Errorf("scope %q, want the requested scopes the provider has: openid profile", body["scope"])
	}
	if _, claims := decodeJWT(t, body["id_token"].(string)); claims["preferred_username"] == nil || claims["email"] != nil {
		t.Errorf("claims %v: want the profile claims and no email", claims)
	}
	assertStrings(t, get(t, c, e.URL()+"/application/o/some/.well-known/openid-configuration").json(t)["scopes_supported"], []string{"openid", "profile"})

	body = tokens(t, c, e.URL(), none, "openid profile")
	if body["scope"] != "" || body["id_token"] == nil {
		t.Errorf("no mappings: scope %q, id_token present %v; want an empty scope and an id_token anyway", body["scope"], body["id_token"] != nil)
	}
	assertStrings(t, get(t, c, e.URL()+"/application/o/none/.well-known/openid-configuration").json(t)["scopes_supported"], []string{"openid"})
}

// authentik's token router sends grant_type=password to the client-credentials request class
// (providers/oauth2/token/router.py), so the provider's secret gets a token with it too.
func TestPasswordGrantIsClientCredentials(t *testing.T) {
	e := mustStart(t)
	p := mustAdd(t, e, Provider{Slug: "claude", SubMode: wif.SubUsername})
	c := trustingClient(t, e)
	form := credentials(p, "openid")
	form.Set("grant_type", "password")
	a := postForm(t, c, e.URL()+"/application/o/token/", form)
	if a.status != http.StatusOK {
		t.Fatalf("HTTP %d %s", a.status, a.body)
	}
	if _, claims := decodeJWT(t, a.json(t)["id_token"].(string)); claims["sub"] != "ak-claude-client_credentials" {
		t.Errorf("sub %v", claims["sub"])
	}
}

// A signing keypair authentik derives no JWT algorithm from (JWTAlgorithms.from_private_key
// raises for Ed25519 and for a keypair without a private key) breaks discovery and the token
// endpoint with 500; the JWKS skips a key without a private key ({}), and fails on Ed25519.
func TestUnusableSigningKeypairs(t *testing.T) {
	e := mustStart(t)
	keyless, err := e.AddKeypair(KeypairSpec{Name: "imported certificate", Type: KeyRSA, NoPrivateKey: true})
	if err != nil {
		t.Fatal(err)
	}
	ed := mustAdd(t, e, Provider{Slug: "ed", Signing: SigningEd25519})
	nokey := mustAdd(t, e, Provider{Slug: "nokey", SigningKey: keyless.UUID})
	c := trustingClient(t, e)
	for _, tc := range []struct {
		p    Provider
		jwks string // "" for HTTP 500
	}{{ed, ""}, {nokey, "{}"}} {
		t.Run(tc.p.Slug, func(t *testing.T) {
			base := e.URL() + "/application/o/" + tc.p.Slug
			if a := get(t, c, base+"/.well-known/openid-configuration"); a.status != http.StatusInternalServerError {
				t.Errorf("discovery: HTTP %d, want 500", a.status)
			}
			a := get(t, c, base+"/jwks/")
			if tc.jwks == "" && a.status != http.StatusInternalServerError || tc.jwks != "" && string(a.body) != tc.jwks {
				t.Errorf("JWKS: HTTP %d %s", a.status, a.body)
			}
			if a := postForm(t, c, e.URL()+"/application/o/token/", credentials(tc.p, "openid")); a.status != http.StatusInternalServerError {
				t.Errorf("token: HTTP %d %s, want 500", a.status, a.body)
			}
		})
	}
	if keyless.HasPrivateKey || keyless.KID != "" || keyless.Alg != "" {
		t.Errorf("keypair without a private key: %+v", keyless)
	}
}

// The verify engine's verdicts depend on these JWKS being readable by go-jose as a whole set.
func TestJWKSParsesAsKeySet(t *testing.T) {
	e := mustStart(t)
	mustAdd(t, e, Provider{Slug: "p521", Signing: ES512})
	c := trustingClient(t, e)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(get(t, c, e.URL()+"/application/o/p521/jwks/").body, &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 1 || len(set.Keys[0].Certificates) != 1 || set.Keys[0].KeyID != e.KeyID("p521") {
		t.Fatalf("JWKS %+v", set.Keys)
	}
}
