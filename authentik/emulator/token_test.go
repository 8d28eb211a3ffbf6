package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/wifwiz/wifwiz/wif"
)

var asymmetric = []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.ES384, jose.ES512}

func TestToken(t *testing.T) {
	e := mustStart(t)
	p := mustAdd(t, e, Provider{Slug: "claude", Name: "Claude WIF", IncludeClaims: true})
	c := trustingClient(t, e)
	a := postForm(t, c, e.URL()+"/application/o/token/", credentials(p, "openid profile"))
	if a.status != http.StatusOK {
		t.Fatalf("HTTP %d: %s", a.status, a.body)
	}
	if a.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", a.header.Get("Cache-Control"))
	}
	body := a.json(t)
	if body["token_type"] != "Bearer" || body["scope"] != "openid profile" || body["expires_in"] != float64(3600) {
		t.Errorf("response %v", body)
	}
	if _, ok := body["refresh_token"]; ok {
		t.Error("client credentials must not return a refresh token")
	}
	set := fetchJWKS(t, c, e.URL()+"/application/o/claude/jwks/")

	t.Run("IDToken", func(t *testing.T) {
		header, claims := verify(t, body["id_token"].(string), set)
		if header["typ"] != "JWT" || header["kid"] != e.KeyID("claude") || header["alg"] != "RS256" {
			t.Errorf("header %v", header)
		}
		want := map[string]any{
			"iss": e.IssuerURL("claude"), "aud": p.ClientID, "acr": "goauthentik.io/providers/oauth2/default",
			"preferred_username": "ak-Claude WIF-client_credentials",
		}
		for k, v := range want {
			if claims[k] != v {
				t.Errorf("%s = %v, want %v", k, claims[k], v)
			}
		}
		if jti, _ := claims["jti"].(string); len(jti) != 40 {
			t.Errorf("jti %q: want 40 characters", jti)
		}
		if claims["auth_time"] != claims["iat"] || claims["exp"].(float64)-claims["iat"].(float64) > 3600 {
			t.Errorf("times: iat %v auth_time %v exp %v", claims["iat"], claims["auth_time"], claims["exp"])
		}
		if _, ok := claims["azp"]; ok {
			t.Error("azp belongs to the access token only")
		}
	})
	t.Run("AccessToken", func(t *testing.T) {
		_, claims := verify(t, body["access_token"].(string), set)
		if claims["azp"] != p.ClientID || claims["scope"] != "openid profile" || claims["uid"] == nil {
			t.Errorf("access token claims %v", claims)
		}
	})
}

func TestTokenBasicAuth(t *testing.T) {
	e := mustStart(t)
	p := mustAdd(t, e, Provider{Slug: "claude"})
	c := trustingClient(t, e)
	req, _ := http.NewRequest(http.MethodPost, e.URL()+"/application/o/token/",
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {"openid"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(p.ClientID, p.ClientSecret)
	if a := do(t, c, req); a.status != http.StatusOK || a.json(t)["id_token"] == nil {
		t.Fatalf("HTTP %d: %s", a.status, a.body)
	}
}

func TestTokenErrors(t *testing.T) {
	e := mustStart(t)
	ok := mustAdd(t, e, Provider{Slug: "ok"})
	detached := mustAdd(t, e, Provider{Slug: "detached", Detached: true})
	denied := mustAdd(t, e, Provider{Slug: "denied", DenyPolicy: true})
	c := trustingClient(t, e)
	wrongSecret := credentials(ok, "openid")
	wrongSecret.Set("client_secret", "not-the-secret")
	unknown := credentials(ok, "openid")
	unknown.Set("client_id", "unknown")
	// authentik routes grant_type=password to its client-credentials handling (token/router.py),
	// so a grant it has no route for is what gets unsupported_grant_type.
	implicit := credentials(ok, "openid")
	implicit.Set("grant_type", "implicit")

	for name, tc := range map[string]struct {
		form url.Values
		code string
	}{
		"UnknownClient": {unknown, "invalid_client"},
		"WrongSecret":   {wrongSecret, "invalid_grant"},
		"NotAttached":   {credentials(detached, "openid"), "invalid_grant"},
		"PolicyDenied":  {credentials(denied, "openid"), "invalid_grant"},
		"OtherGrant":    {implicit, "unsupported_grant_type"},
	} {
		t.Run(name, func(t *testing.T) {
			a := postForm(t, c, e.URL()+"/application/o/token/", tc.form)
			if a.status != http.StatusBadRequest {
				t.Fatalf("HTTP %d, want 400", a.status)
			}
			got, parsed := wif.ParseAuthentikError(a.body)
			if !parsed || got.Code != tc.code || got.Description == "" {
				t.Fatalf("error %+v, want code %s with a description", got, tc.code)
			}
			if got.RequestID == "" || got.RequestID != a.header.Get("X-authentik-id") {
				t.Errorf("request_id %q, X-authentik-id %q: want the same, non-empty", got.RequestID, a.header.Get("X-authentik-id"))
			}
		})
	}
}

func TestSubjectModes(t *testing.T) {
	e := mustStart(t)
	p := mustAdd(t, e, Provider{Slug: "claude", Name: "My Provider"})
	c := trustingClient(t, e)
	sub := func() string {
		_, claims := decodeJWT(t, tokens(t, c, e.URL(), p, "openid")["id_token"].(string))
		return claims["sub"].(string)
	}
	hashed := sub()
	if !wif.LooksHashed(hashed) || sub() != hashed {
		t.Fatalf("hashed sub %q: want 64 lowercase hex, stable across tokens", hashed)
	}
	uuidShape := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for mode, check := range map[string]func(string) bool{
		wif.SubUserID:   func(s string) bool { _, err := strconv.Atoi(s); return err == nil },
		wif.SubUserUUID: uuidShape.MatchString,
		wif.SubUsername: func(s string) bool { return s == "ak-My Provider-client_credentials" },
		wif.SubEmail:    func(s string) bool { return s == "" },
		wif.SubUPN:      func(s string) bool { return s == hashed },
	} {
		if err := e.SetSubMode("claude", mode); err != nil {
			t.Fatal(err)
		}
		if got := sub(); !check(got) {
			t.Errorf("%s: sub %q has the wrong shape", mode, got)
		}
	}
	if err := e.SetSubMode("claude", "nonsense"); err == nil {
		t.Error("an unknown subject mode was accepted")
	}
}

func TestNoSigningKey(t *testing.T) {
	e := mustStart(t)
	p := mustAdd(t, e, Provider{Slug: "claude", Signing: SigningNone})
	c := trustingClient(t, e)
	doc := get(t, c, e.URL()+"/application/o/claude/.well-known/openid-configuration").json(t)
	assertStrings(t, doc["id_token_signing_alg_values_supported"], []string{"HS256"})
	if a := get(t, c, e.URL()+"/application/o/claude/jwks/"); string(a.body) != "{}" {
		t.Errorf("JWKS %q, want {} exactly", a.body)
	}
	token := tokens(t, c, e.URL(), p, "openid")["id_token"].(string)
	header, _ := decodeJWT(t, token)
	if header["alg"] != "HS256" || header["kid"] != nil {
		t.Errorf("header %v: want HS256 without kid", header)
	}
	dot := strings.LastIndex(token, ".")
	mac := hmac.New(sha256.New, []byte(p.ClientSecret))
	mac.Write([]byte(token[:dot]))
	if base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) != token[dot+1:] {
		t.Error("HS256 signature is not keyed with the client secret")
	}
	if _, err := e.AddProvider(Provider{Slug: "short", Signing: SigningNone, ClientSecret: "short"}); err == nil {
		t.Error("HS256 with a secret under 32 bytes was accepted")
	}
}

func TestEncryptedTokens(t *testing.T) {
	e := mustStart(t)
	p := mustAdd(t, e, Provider{Slug: "claude", Encrypted: true})
	c := trustingClient(t, e)
	token := tokens(t, c, e.URL(), p, "openid")["id_token"].(string)
	if n := len(strings.Split(token, ".")); n != 5 {
		t.Fatalf("token has %d parts, want 5 (JWE)", n)
	}
	header := decodeSegment(t, strings.Split(token, ".")[0])
	if header["alg"] != "RSA-OAEP-256" || header["enc"] != "A256CBC-HS512" || header["typ"] != "JWE" {
		t.Errorf("JWE header %v", header)
	}
	m, err := e.encryptionKeypair("claude").material()
	if err != nil {
		t.Fatal(err)
	}
	jwe, err := jose.ParseEncryptedCompact(token, []jose.KeyAlgorithm{jose.RSA_OAEP_256}, []jose.ContentEncryption{jose.A256CBC_HS512})
	if err != nil {
		t.Fatal(err)
	}
	inner, err := jwe.Decrypt(m.private)
	if err != nil {
		t.Fatalf("decrypt: %v", err)
	}
	_, claims := verify(t, string(inner), fetchJWKS(t, c, e.URL()+"/application/o/claude/jwks/"))
	if claims["aud"] != p.ClientID {
		t.Errorf("inner token aud %v", claims["aud"])
	}
}

func TestECSigning(t *testing.T) {
	for _, alg := range []string{ES256, ES384} {
		t.Run(alg, func(t *testing.T) {
			e := mustStart(t)
			p := mustAdd(t, e, Provider{Slug: "claude", Signing: alg})
			c := trustingClient(t, e)
			set := fetchJWKS(t, c, e.URL()+"/application/o/claude/jwks/")
			header, _ := verify(t, tokens(t, c, e.URL(), p, "openid")["id_token"].(string), set)
			if header["alg"] != alg {
				t.Errorf("alg %v, want %s", header["alg"], alg)
			}
		})
	}
}

func TestValidity(t *testing.T) {
	fixed := time.Date(2026, 5, 1, 12, 0, 0, 500_000_000, time.UTC)
	e := mustStart(t, WithNow(func() time.Time { return fixed }))
	p := mustAdd(t, e, Provider{Slug: "claude", Validity: "minutes=5"})
	c := trustingClient(t, e)
	lifetime := func() float64 {
		body := tokens(t, c, e.URL(), p, "openid")
		if body["expires_in"] != float64(300) {
			t.Errorf("expires_in %v, want 300", body["expires_in"])
		}
		_, claims := decodeJWT(t, body["id_token"].(string))
		return claims["exp"].(float64) - claims["iat"].(float64)
	}
	if got := lifetime(); got != 300 {
		t.Errorf("exp - iat = %v with a still clock, want 300", got)
	}
	// The clock moves on between computing exp and iat, across a second boundary.
	var calls atomic.Int64
	e.SetNow(func() time.Time { return fixed.Add(time.Duration(calls.Add(1)) * 300 * time.Millisecond) })
	if got := lifetime(); got != 299 {
		t.Errorf("exp - iat = %v when the clock crosses a second, want 299 like authentik", got)
	}
}

func TestScopes(t *testing.T) {
	e := mustStart(t)
	p := mustAdd(t, e, Provider{Slug: "claude", Name: "Claude"})
	c := trustingClient(t, e)
	body := tokens(t, c, e.URL(), p, "openid bogus profile email")
	if body["scope"] != "openid profile email" {
		t.Errorf("scope %q: unknown scopes must be dropped silently", body["scope"])
	}
	_, id := decodeJWT(t, body["id_token"].(string))
	if _, ok := id["preferred_username"]; ok {
		t.Error("IncludeClaims off: the id_token must not carry profile claims")
	}
	_, access := decodeJWT(t, body["access_token"].(string))
	if access["preferred_username"] != "ak-Claude-client_credentials" || access["email"] != "" {
		t.Errorf("access token profile claims: %v", access)
	}
}

// verify checks a compact JWS against a JWKS and returns its header and claims.
func verify(t *testing.T, token string, set jose.JSONWebKeySet) (map[string]any, map[string]any) {
	t.Helper()
	jws, err := jose.ParseSignedCompact(token, asymmetric)
	if err != nil {
		t.Fatalf("parse JWS: %v", err)
	}
	keys := set.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q: %d keys in the JWKS", jws.Signatures[0].Header.KeyID, len(keys))
	}
	if _, err := jws.Verify(keys[0]); err != nil {
		t.Fatalf("signature: %v", err)
	}
	return decodeJWT(t, token)
}
