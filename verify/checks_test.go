package verify

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

// checkCase changes the good fixture and expects one check's verdict. fix must appear in Fix
// (empty: the check has no fix); text, when set, in Expected, Actual or Message.
type checkCase struct {
	name   string
	change func(testing.TB, *fixture)
	want   Status
	fix    string
	text   string
}

func runCheckCases(t *testing.T, id string, cases []checkCase) {
	t.Helper()
	runCheckCasesOn(t, newFixture, id, cases)
}

// runCheckCasesOn is runCheckCases starting from another good fixture.
func runCheckCasesOn(t *testing.T, start func() *fixture, id string, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := start()
			tc.change(t, f)
			rep := f.report(t)
			assertInvariants(t, rep, f.token)
			c := checkOf(t, rep, id)
			if c.Status != tc.want {
				t.Fatalf("%s = %s, want %s\nexpected: %s\nactual:   %s\nmessage:  %s\nfix:      %s", id, c.Status, tc.want, c.Expected, c.Actual, c.Message, c.Fix)
			}
			switch {
			case tc.fix == "" && c.Fix != "":
				t.Errorf("fix %q, want none", c.Fix)
			case tc.fix != "" && !strings.Contains(c.Fix, tc.fix):
				t.Errorf("fix %q does not contain %q", c.Fix, tc.fix)
			}
			if all := c.Expected + "\n" + c.Actual + "\n" + c.Message; tc.text != "" && !strings.Contains(all, tc.text) {
				t.Errorf("check does not say %q:\n%s", tc.text, all)
			}
		})
	}
}

func none(testing.TB, *fixture) {}

func TestCheckConsoleIDs(t *testing.T) {
	runCheckCases(t, CheckConsoleIDs, []checkCase{
		{"OK", none, Pass, "", `"fdrl_01abc"`},
		{"OKNoWorkspace", func(_ testing.TB, f *fixture) { f.cfg.WorkspaceID = "" }, Pass, "", "workspace_id=(none)"},
		{"ErrWrongType", func(_ testing.TB, f *fixture) { f.cfg.ServiceAccountID = "fdrl_abc" }, Fail,
			`Service account ID must start with "svac_" — you entered a federation rule ID, "fdrl_abc"; copy it from Console → Service accounts.`, "malformed"},
		{"ErrOrganizationSpaces", func(_ testing.TB, f *fixture) { f.cfg.OrganizationID = " 0d3b1c2a-4e5f-4a6b-8c7d-9e0f1a2b3c4d" }, Fail, "spaces", ""},
		{"ErrAPIKeyNotShown", func(_ testing.TB, f *fixture) { f.cfg.WorkspaceID = "sk-ant-api03-abcdefgh" }, Fail, "API key", "(a pasted key, not shown)"},
		{"SkipMissingInWizard", func(_ testing.TB, f *fixture) { f.cfg.FederationRuleID = "" }, Skip, "", "federation_rule_id"},
		{"ErrMissingRequired", func(_ testing.TB, f *fixture) { f.cfg.FederationRuleID = ""; f.cfg.RequireIDs = true }, Fail, "--federation-rule-id", "federation_rule_id"},
	})
}

func TestCheckIssuerURL(t *testing.T) {
	inline := func(f *fixture) { f.cfg.InlineJWKS = jwksOf(rsaJWK(rsaKey, testKid)) }
	runCheckCases(t, CheckIssuerURL, []checkCase{
		{"OK", none, Pass, "", testIssuer},
		{"ErrHTTP", func(_ testing.TB, f *fixture) { f.cfg.IssuerURL = "http://auth.example.com/application/o/claude-ci/" }, Fail, "inline keys", "not https"},
		{"WarnHTTPWithInlineJWKS", func(_ testing.TB, f *fixture) {
			f.cfg.IssuerURL = "http://auth.example.com/application/o/claude-ci/"
			inline(f)
		}, Warn, "inline keys", "fetches nothing"},
		{"ErrPort", func(_ testing.TB, f *fixture) {
			f.cfg.IssuerURL = "https://auth.example.com:8443/application/o/claude-ci/"
		}, Fail, "port 443", "port 8443"},
		{"ErrIPLiteral", func(_ testing.TB, f *fixture) { f.cfg.IssuerURL = "https://203.0.113.7/application/o/claude-ci/" }, Fail, "DNS name", "IP address"},
		{"ErrNoTrailingSlash", func(_ testing.TB, f *fixture) { f.cfg.IssuerURL = strings.TrimSuffix(testIssuer, "/") }, Fail,
			`Set the Console's Issuer URL to exactly "` + testIssuer + `"`, "discovery and the token name"},
		{"ErrEmpty", func(_ testing.TB, f *fixture) { f.cfg.IssuerURL = "" }, Fail, "Issuer URL", "No issuer URL"},
		{"ErrRelative", func(_ testing.TB, f *fixture) { f.cfg.IssuerURL = "auth.example.com/application/o/x/" }, Fail, "Issuer URL", "not an absolute"},
	})
}

func TestCheckIssuerPublic(t *testing.T) {
	runCheckCases(t, CheckIssuerPublic, []checkCase{
		{"OK", none, Pass, "", "93.184.216.34"},
		{"WarnPrivate", func(_ testing.TB, f *fixture) { f.obs.IssuerAddrs = []string{"93.184.216.34", "10.1.2.3"} }, Warn, "inline keys", "10.1.2.3 (private)"},
		{"WarnCGNAT", func(_ testing.TB, f *fixture) { f.obs.IssuerAddrs = []string{"100.100.1.1"} }, Warn, "inline keys", "carrier-grade NAT"},
		{"WarnNoAddresses", func(_ testing.TB, f *fixture) { f.obs.IssuerAddrs = []string{} }, Warn, "public DNS", "no address"},
		{"OKPrivateWithInlineJWKS", func(_ testing.TB, f *fixture) {
			f.obs.IssuerAddrs = []string{"192.168.1.10"}
			f.cfg.InlineJWKS = jwksOf(rsaJWK(rsaKey, testKid))
		}, Pass, "", "inline JWKS"},
		{"WarnResolveError", func(_ testing.TB, f *fixture) { f.obs.IssuerAddrs, f.obs.ResolveErr = nil, "no such host" }, Warn, "public DNS", "no such host"},
		{"SkipNotResolved", func(_ testing.TB, f *fixture) { f.obs.IssuerAddrs = nil }, Skip, "", "not resolved"},
		{"WarnLoopbackLiteral", func(_ testing.TB, f *fixture) { f.cfg.IssuerURL = "https://127.0.0.1/application/o/claude-ci/" }, Warn, "inline keys", "loopback"},
	})
}

func TestAddrClass(t *testing.T) {
	tests := map[string]string{
		"93.184.216.34": "", "2606:2800:220:1::1": "",
		"127.0.0.1": "loopback", "::1": "loopback", "10.0.0.1": "private", "172.16.5.4": "private",
		"192.168.0.1": "private", "169.254.169.254": "link-local", "fe80::1": "link-local",
		"0.0.0.0": "unspecified", "::": "unspecified", "100.64.0.1": "carrier-grade NAT (100.64/10)",
		"100.127.255.254": "carrier-grade NAT (100.64/10)", "100.128.0.1": "",
		"fd12:3456::1": "unique local (IPv6 ULA)", "::ffff:10.0.0.1": "private", "224.0.0.1": "link-local", "239.1.2.3": "not a unicast address",
	}
	for addr, want := range tests {
		t.Run(addr, func(t *testing.T) {
			if got := addrClass(mustAddr(t, addr)); got != want {
				t.Errorf("addrClass(%s) = %q, want %q", addr, got, want)
			}
		})
	}
}

func TestCheckDiscovery(t *testing.T) {
	runCheckCases(t, CheckDiscovery, []checkCase{
		{"OK", none, Pass, "", "HTTP 200"},
		{"Err404", func(_ testing.TB, f *fixture) {
			f.obs.Discovery = Fetch{URL: f.obs.Discovery.URL, Status: 404, Body: []byte("<html>\n<title>Not Found</title>" + strings.Repeat("x", 500))}
		}, Fail, "application slug", "body starts: <html> <title>Not Found</title>"},
		{"ErrTransport", func(_ testing.TB, f *fixture) {
			f.obs.Discovery = Fetch{URL: f.obs.Discovery.URL, Err: "x509: certificate signed by unknown authority"}
		}, Fail, "discovery base", "x509"},
		{"ErrNotJSON", func(_ testing.TB, f *fixture) {
			f.obs.Discovery = Fetch{URL: f.obs.Discovery.URL, Status: 200, Body: []byte("<html>login</html>")}
		}, Fail, "discovery base", "not an OpenID configuration"},
		{"WarnOnlyHS256", func(_ testing.TB, f *fixture) {
			f.obs.Discovery.Body = discoveryBody(testIssuer, "HS256")
		}, Warn, "Signing Key", "only HS256"},
		{"SkipNotFetched", func(_ testing.TB, f *fixture) { f.obs.Discovery = Fetch{} }, Skip, "", "not fetched"},
		{"OKUnusedMemberWrongType", func(_ testing.TB, f *fixture) {
			f.obs.Discovery.Body = []byte(`{"issuer":"` + testIssuer + `","userinfo_endpoint":1,"authorization_endpoint":[],"device_authorization_endpoint":{}}`)
		}, Pass, "", "HTTP 200"},
		{"ErrUsedMemberWrongType", func(_ testing.TB, f *fixture) {
			f.obs.Discovery.Body = []byte(`{"issuer":"` + testIssuer + `","userinfo_endpoint":1,"jwks_uri":2}`)
		}, Fail, "discovery base", "a member has the wrong type"},
		{"OKURLFromDiscoveryBase", func(_ testing.TB, f *fixture) {
			f.obs.Discovery.URL = ""
			f.cfg.DiscoveryBase = "https://auth.example.com/application/o/claude-ci"
		}, Pass, "", "GET https://auth.example.com/application/o/claude-ci/.well-known/openid-configuration"},
	})
}

func TestCheckDiscoveryIssuer(t *testing.T) {
	withIssuer := func(iss string) func(testing.TB, *fixture) {
		return func(_ testing.TB, f *fixture) { f.obs.Discovery.Body = discoveryBody(iss) }
	}
	runCheckCases(t, CheckDiscoveryIssuer, []checkCase{
		{"OK", none, Pass, "", testIssuer},
		{"ErrTrailingSlash", withIssuer(strings.TrimSuffix(testIssuer, "/")), Fail, "Issuer URL to exactly", "the Console's Issuer URL ends with '/', discovery's issuer does not"},
		{"ErrHostFetchedInternally", func(t testing.TB, f *fixture) {
			withIssuer("https://authentik.internal/application/o/claude-ci/")(t, f)
			f.obs.Discovery.URL = "https://authentik.internal/application/o/claude-ci/.well-known/openid-configuration"
		}, Fail, `set the discovery base to "https://auth.example.com/application/o/claude-ci"`, `host "authentik.internal"`},
		{"ErrSchemeBehindProxy", withIssuer("http://auth.example.com/application/o/claude-ci/"), Fail, "X-Forwarded-Proto", "uses http"},
		{"ErrGlobalIssuerMode", withIssuer("https://auth.example.com/"), Fail, "Issuer mode", "global issuer"},
		{"SkipDiscoveryFailed", func(_ testing.TB, f *fixture) { f.obs.Discovery.Status = 503 }, Skip, "", "Discovery failed"},
	})
}

func TestCheckJWKS(t *testing.T) {
	setJWKS := func(body string) func(testing.TB, *fixture) {
		return func(_ testing.TB, f *fixture) { f.obs.JWKS.Body = []byte(body) }
	}
	rsa2 := rsaJWK(rsaKey2, "kid-old")
	runCheckCases(t, CheckJWKS, []checkCase{
		{"OK", none, Pass, "", `kid "kid-rsa-1" (RSA 2048 RS256)`},
		{"OKEC", func(_ testing.TB, f *fixture) {
			f.obs.JWKS.Body = jwksOf(jose.JSONWebKey{Key: &ecKey.PublicKey, KeyID: "ec", Algorithm: "ES256"})
		}, Pass, "", "EC P-256"},
		{"ErrNoSigningKeySelected", setJWKS("{}"), Fail, "select a Signing Key", "no \"keys\" member"},
		{"ErrEmptyKeys", setJWKS(`{"keys":[]}`), Fail, "Signing Key", "0 signing key(s)"},
		{"ErrOnlyEncryptionKey", func(_ testing.TB, f *fixture) {
			f.obs.JWKS.Body = jwksOf(jose.JSONWebKey{Key: &rsaKey.PublicKey, KeyID: "e", Use: "enc"})
		}, Fail, "Signing Key", "encryption key"},
		{"ErrOnlyEd25519", setJWKS(`{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"ed","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`), Fail, "RSA or EC", "Ed25519 (EdDSA)"},
		{"ErrOnlySymmetric", setJWKS(`{"keys":[{"kty":"oct","kid":"s","k":"c2VjcmV0"}]}`), Fail, "Signing Key", "symmetric"},
		{"ErrUnreadableKey", setJWKS(`{"keys":[{"kty":"RSA","kid":"r","n":"!!","e":"AQAB"}]}`), Fail, "Signing Key", "unreadable"},
		// Degenerate keys a hostile issuer publishes: refused, each with the reason.
		{"ErrRSAModulusZero", setJWKS(`{"keys":[{"kty":"RSA","kid":"z","n":"AA","e":"AQAB"}]}`), Fail, "Signing Key", "RSA key of 0 bits; wifwiz accepts at least 2048"},
		{"ErrRSA1024", func(_ testing.TB, f *fixture) {
			f.obs.JWKS.Body = jwksOf(rsaJWK(smallRSAKey, "small"))
		}, Fail, "Signing Key", "RSA key of 1024 bits"},
		{"ErrRSAEvenExponent", setJWKS(`{"keys":[{"kty":"RSA","kid":"e","n":"` + rsaModulus(rsaKey) + `","e":"Ag"}]}`), Fail, "Signing Key", "invalid public exponent 2"},
		{"ErrECNotOnCurve", setJWKS(`{"keys":[{"kty":"EC","crv":"P-256","kid":"c","x":"` + b64(bytes.Repeat([]byte{1}, 32)) + `","y":"` + b64(bytes.Repeat([]byte{2}, 32)) + `"}]}`), Fail, "Signing Key", `key #1`},
		{"ErrNotJSON", setJWKS(`[1,2]`), Fail, "jwks_uri", "not a JSON key set"},
		{"ErrKeysNotArray", setJWKS(`{"keys":{}}`), Fail, "jwks_uri", "not a JSON key set"},
		{"Err500", func(_ testing.TB, f *fixture) { f.obs.JWKS.Status = 500 }, Fail, "jwks_uri", "HTTP 500"},
		{"ErrNoJWKSURI", func(_ testing.TB, f *fixture) { f.obs.Discovery.Body = []byte(`{"issuer":"` + testIssuer + `"}`) }, Fail, "jwks_uri", "no jwks_uri"},
		{"SkipDiscoveryFailed", func(_ testing.TB, f *fixture) { f.obs.Discovery.Status = 500 }, Skip, "", "Discovery failed"},
		{"SkipNotFetched", func(_ testing.TB, f *fixture) { f.obs.JWKS = nil }, Skip, "", "not fetched"},
		{"OKInline", func(_ testing.TB, f *fixture) { f.cfg.InlineJWKS = jwksOf(rsaJWK(rsaKey, testKid)) }, Pass, "", "inline keys"},
		{"OKInlineWithoutFetch", func(_ testing.TB, f *fixture) {
			f.cfg.InlineJWKS = jwksOf(rsaJWK(rsaKey, testKid))
			f.obs.Discovery, f.obs.JWKS = Fetch{}, nil
		}, Pass, "", "inline keys"},
		{"WarnInlineOutdated", func(_ testing.TB, f *fixture) { f.cfg.InlineJWKS = jwksOf(rsa2) }, Warn, "paste it into the Console's JWKS source (inline keys)", "rotated"},
		{"ErrInlineNotJSON", func(_ testing.TB, f *fixture) { f.cfg.InlineJWKS = []byte("keys") }, Fail, "Paste the provider's JWKS", "inline"},
		{"ErrInlineEmpty", func(_ testing.TB, f *fixture) { f.cfg.InlineJWKS = []byte("{}") }, Fail, "Signing Key", "inline JWKS"},
	})
}

func TestCheckTokenRequest(t *testing.T) {
	tokenErr := func(status int, body string) func(testing.TB, *fixture) {
		return func(_ testing.TB, f *fixture) {
			f.obs.Token = &TokenResponse{URL: "https://auth.example.com/application/o/token/", Status: status, Body: []byte(body)}
		}
	}
	runCheckCases(t, CheckTokenRequest, []checkCase{
		{"OK", none, Pass, "", "id_token"},
		{"OKAccessTokenJWT", func(t testing.TB, f *fixture) {
			f.token = sign(t, f.key, f.claims)
			f.obs.Token.Body = []byte(`{"access_token":"` + f.token + `","token_type":"Bearer"}`)
		}, Pass, "", "access_token"},
		// A recorded token URL on another origin: its answer's body is never echoed.
		{"ErrForeignBodyNotShown", func(_ testing.TB, f *fixture) {
			f.obs.Token = &TokenResponse{URL: "http://10.0.0.5:8080/internal", Status: 502, Body: []byte("INTERNAL-ONLY root:x:0:0")}
		}, Fail, "token_endpoint", `24 bytes, not shown: the answer came from "http://10.0.0.5:8080"`},
		{"ErrInvalidClient", tokenErr(400, `{"error":"invalid_client","error_description":"Client authentication failed.","request_id":"f00dbabe"}`),
			Fail, "Copy the Client ID again", `request_id "f00dbabe" up in authentik's event log`},
		{"ErrInvalidGrant", tokenErr(400, `{"error":"invalid_grant","error_description":"The provided authorization grant is invalid"}`),
			Fail, "Client secret", "provider is not attached to an application"},
		{"ErrProxyPage", tokenErr(502, "<html>Bad Gateway</html>"), Fail, "token_endpoint", "HTTP 502 Bad Gateway; body starts: <html>Bad Gateway</html>"},
		{"ErrTransport", func(_ testing.TB, f *fixture) {
			f.obs.Token = &TokenResponse{URL: "https://x/token/", Err: "i/o timeout"}
		}, Fail, "reachable", "i/o timeout"},
		{"ErrNotJSON", tokenErr(200, "ok"), Fail, "token_endpoint", "not with a token response"},
		{"ErrNoIDTokenOpaqueAccess", tokenErr(200, `{"access_token":"opaque","token_type":"Bearer"}`), Fail, "Request the openid scope", "access_token is not a JWT"},
		{"ErrIDTokenRequested", func(t testing.TB, f *fixture) {
			f.cfg.TokenField = "id_token"
			f.obs.Token.Body = []byte(`{"access_token":"a.b.c"}`)
		}, Fail, "Request the openid scope", "no id_token"},
		{"SkipNotRequested", func(_ testing.TB, f *fixture) { f.obs.Token, f.obs.TokenSkipped = nil, TokenSkipNoSecret }, Skip, "", "no client secret was given"},
		{"SkipNoReasonClaimsNone", func(_ testing.TB, f *fixture) { f.obs.Token = nil }, Skip, "", "No token was requested."},
	})
}

func TestCheckTokenFormat(t *testing.T) {
	runCheckCases(t, CheckTokenFormat, []checkCase{
		{"OK", none, Pass, "", "JWS"},
		{"ErrJWE", func(t testing.TB, f *fixture) { f.token = encrypt(t, f.claims) }, Fail, "clear its Encryption Key", "alg RSA-OAEP-256, enc A256CBC-HS512"},
		{"ErrOpaqueAccessToken", func(t testing.TB, f *fixture) {
			f.cfg.TokenField = "access_token"
			f.obs.Token.Body = []byte(`{"access_token":"8f14e45fceea167a5a36dedd4bea2543","id_token":"x.y.z"}`)
		}, Fail, "id_token", "opaque"},
		{"ErrTooLarge", func(_ testing.TB, f *fixture) { f.claims["groups"] = strings.Repeat("admins,", 3000) }, Fail, "Include claims in id_token", "larger than the 16384 bytes"},
		{"ErrMalformed", func(_ testing.TB, f *fixture) { f.token = "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln" }, Fail, "rewrites", "not a JSON object"},
		{"SkipNoToken", func(_ testing.TB, f *fixture) { f.obs.Token = nil }, Skip, "", "No token was requested"},
	})
}

func TestCheckHeaderAlg(t *testing.T) {
	runCheckCases(t, CheckHeaderAlg, []checkCase{
		{"OK", none, Pass, "", `"RS256"`},
		{"OKES256", func(_ testing.TB, f *fixture) { f.key = signingKey{jose.ES256, ecKey, "ec"} }, Pass, "", `"ES256"`},
		{"OKPS512", func(_ testing.TB, f *fixture) { f.key = signingKey{jose.PS512, rsaKey, testKid} }, Pass, "", `"PS512"`},
		{"ErrHS256", func(_ testing.TB, f *fixture) { f.key = signingKey{jose.HS256, []byte(testSecret + testSecret), ""} }, Fail, "select a Signing Key", "HS256: authentik signed the token with the client secret"},
		{"ErrNone", func(_ testing.TB, f *fixture) {
			f.token = unsigned(map[string]any{"alg": "none", "kid": testKid}, f.claims)
		}, Fail, "Signing Key", "not signed"},
		{"ErrEdDSA", func(_ testing.TB, f *fixture) {
			f.token = unsigned(map[string]any{"alg": "EdDSA", "kid": testKid}, f.claims)
		}, Fail, "RSA or EC", `does not accept "EdDSA"`},
		{"ErrMissing", func(_ testing.TB, f *fixture) { f.token = unsigned(map[string]any{"kid": testKid}, f.claims) }, Fail, "authentik", "no alg"},
		{"SkipJWE", func(t testing.TB, f *fixture) { f.token = encrypt(t, f.claims) }, Skip, "", "encrypted"},
	})
}

func TestCheckHeaderKid(t *testing.T) {
	runCheckCases(t, CheckHeaderKid, []checkCase{
		{"OK", none, Pass, "", `"kid-rsa-1"`},
		{"OKInline", func(_ testing.TB, f *fixture) { f.cfg.InlineJWKS = jwksOf(rsaJWK(rsaKey, testKid)) }, Pass, "", "inline JWKS recorded for the Console"},
		{"ErrMissing", func(_ testing.TB, f *fixture) { f.key.kid = "" }, Fail, "Signing Key", "no kid"},
		{"ErrRotated", func(_ testing.TB, f *fixture) { f.key.kid = "kid-new" }, Fail, "about a minute", `"kid-new"; the JWKS has "kid-rsa-1"`},
		{"ErrInlineOutdated", func(_ testing.TB, f *fixture) { f.cfg.InlineJWKS = jwksOf(rsaJWK(rsaKey2, "kid-old")) }, Fail,
			"paste it into the Console's JWKS source (inline keys)", "rotated, or the inline JWKS is outdated"},
		{"ErrInlineAndRemoteLack", func(_ testing.TB, f *fixture) {
			f.cfg.InlineJWKS = jwksOf(rsaJWK(rsaKey2, "kid-old"))
			f.key.kid = "kid-other"
		}, Fail, "Signing Key", "neither"},
		{"SkipJWKSFailed", func(_ testing.TB, f *fixture) { f.obs.JWKS.Status = 500 }, Skip, "", "JWKS fetch failed"},
		{"SkipHS256", func(_ testing.TB, f *fixture) { f.key = signingKey{jose.HS256, []byte(testSecret + testSecret), "k"} }, Skip, "", "client secret"},
	})
}

func TestCheckSignature(t *testing.T) {
	runCheckCases(t, CheckSignature, []checkCase{
		{"OK", none, Pass, "", "RS256 with kid"},
		{"OKEC", func(_ testing.TB, f *fixture) {
			f.key = signingKey{jose.ES256, ecKey, "ec"}
			f.obs.JWKS.Body = jwksOf(jose.JSONWebKey{Key: &ecKey.PublicKey, KeyID: "ec", Algorithm: "ES256", Use: "sig"})
		}, Pass, "", "ES256"},
		{"ErrOtherKeySameKid", func(_ testing.TB, f *fixture) { f.obs.JWKS.Body = jwksOf(rsaJWK(rsaKey2, testKid)) }, Fail, "select the Signing Key again", "did not sign"},
		{"ErrTampered", func(t testing.TB, f *fixture) {
			good := strings.Split(sign(t, f.key, f.claims), ".")
			f.claims["sub"] = "someone-else"
			forged := strings.Split(sign(t, f.key, f.claims), ".")
			f.token = forged[0] + "." + forged[1] + "." + good[2]
		}, Fail, "Signing Key", "does not verify"},
		{"ErrInlineStaleKey", func(_ testing.TB, f *fixture) { f.cfg.InlineJWKS = jwksOf(rsaJWK(rsaKey2, testKid)) }, Fail, "inline keys", "did not sign"},
		{"ErrKeyTypeNotAlg", func(_ testing.TB, f *fixture) {
			f.obs.JWKS.Body = jwksOf(jose.JSONWebKey{Key: &ecKey.PublicKey, KeyID: testKid, Algorithm: "ES256", Use: "sig"})
		}, Fail, "select the Signing Key again", "does not verify"},
		{"SkipKidUnknown", func(_ testing.TB, f *fixture) { f.key.kid = "kid-new" }, Skip, "", "see header.kid"},
		{"SkipNoToken", func(_ testing.TB, f *fixture) { f.obs.Token = nil }, Skip, "", "No token"},
	})
}

// TestKeyFitsAlg: go-oidc's StaticKeySet accepts any algorithm it knows, so verifySignature first
// requires the key to be of the type the header's alg names.
func TestKeyFitsAlg(t *testing.T) {
	ec384 := mustECCurve(elliptic.P384())
	for _, tc := range []struct {
		key crypto.PublicKey
		alg string
		ok  bool
	}{
		{&rsaKey.PublicKey, "RS256", true},
		{&rsaKey.PublicKey, "PS512", true},
		{&rsaKey.PublicKey, "ES256", false},
		{&ecKey.PublicKey, "ES256", true},
		{&ecKey.PublicKey, "ES384", false},
		{&ec384.PublicKey, "ES384", true},
		{&ecKey.PublicKey, "RS256", false},
		{&rsaKey.PublicKey, "EdDSA", false},
		{&rsaKey.PublicKey, "HS256", false},
		{rsaKey, "RS256", false},
		{nil, "ES256", false},
	} {
		if err := keyFitsAlg(tc.key, tc.alg); (err == nil) != tc.ok {
			t.Errorf("keyFitsAlg(%T, %s) = %v, want ok %v", tc.key, tc.alg, err, tc.ok)
		}
	}
}

func mustECCurve(c elliptic.Curve) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}
