package verify

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// A Dex-shaped issuer (issue 17): no trailing slash, endpoints below it, invalid_client for a
// wrong secret, no request_id, no scope member.
const (
	dexIssuer   = "https://id.example.com/dex"
	dexToken    = "https://id.example.com/dex/token"
	dexKeys     = "https://id.example.com/dex/keys"
	dexClientID = "ci-client"
)

func discoveryJSONFor(issuer, tokenEndpoint, jwksURI string) []byte {
	b, _ := json.Marshal(map[string]any{
		"issuer": issuer, "token_endpoint": tokenEndpoint, "jwks_uri": jwksURI,
		"id_token_signing_alg_values_supported": []string{"RS256"},
	})
	return b
}

// newDexFixture passes every check but exchange, for an issuer that is not authentik.
func newDexFixture() *fixture {
	f := newFixture()
	f.cfg.IssuerURL, f.cfg.ClientID, f.cfg.SubjectPrefix, f.cfg.Audience = dexIssuer, dexClientID, dexClientID, dexClientID
	f.cfg.AccessTokenValidity = 0
	f.cfg.AuthentikURL, f.cfg.AppSlug, f.cfg.SubjectMode, f.cfg.IssuerMode = "", "", "", ""
	f.obs.Provider = nil
	f.obs.Discovery = Fetch{URL: dexIssuer + "/.well-known/openid-configuration", Status: 200, Body: discoveryJSONFor(dexIssuer, dexToken, dexKeys)}
	f.obs.JWKS = &Fetch{URL: dexKeys, Status: 200, Body: jwksOf(rsaJWK(rsaKey, testKid))}
	f.obs.Token = &TokenResponse{URL: dexToken, Status: 200}
	f.claims = map[string]any{"iss": dexIssuer, "sub": dexClientID, "aud": dexClientID, "exp": testNow.Unix() + 3600, "iat": testNow.Unix()}
	return f
}

func dexTokenBody(idToken string) []byte {
	b, _ := json.Marshal(map[string]any{"access_token": "opaque", "token_type": "bearer", "expires_in": 3600, "id_token": idToken})
	return b
}

// TestGenericIssuerAllPass: a correctly configured issuer that is not authentik passes every
// check (issue 17 item 1: the trailing slash was demanded of every issuer, and adding it made
// discovery.issuer and claim.iss fail — a loop).
func TestGenericIssuerAllPass(t *testing.T) {
	f := newDexFixture()
	f.token = sign(t, f.key, f.claims)
	f.obs.Token.Body = dexTokenBody(f.token)
	rep := f.report(t)
	assertInvariants(t, rep, f.token)
	for _, c := range rep.Checks {
		// A non-authentik issuer has no provider to read: authentik.provider says so and skips.
		if c.Status != Pass && c.ID != CheckExchange && !notGiven[c.ID] && !(c.ID == CheckAuthentikProvider && c.Status == Skip) {
			t.Errorf("%s: %s — %s (fix: %s)", c.ID, c.Status, c.Message, c.Fix)
		}
	}
	if !rep.OK {
		t.Fatal("report not ok")
	}
}

func TestIssuerURLSlashOnlyForAuthentik(t *testing.T) {
	noSlash := strings.TrimSuffix(testIssuer, "/")
	runCheckCasesOn(t, newDexFixture, CheckIssuerURL, []checkCase{
		{"OKGenericNoSlash", none, Pass, "", dexIssuer},
		{"OKGenericWithSlashIsNotJudgedHere", func(_ testing.TB, f *fixture) { f.cfg.IssuerURL = dexIssuer + "/" }, Pass, "", dexIssuer + "/"},
	})
	runCheckCases(t, CheckIssuerURL, []checkCase{
		{"OKAuthentikShapeJudgesAgreeWithoutSlash", func(_ testing.TB, f *fixture) {
			f.cfg.IssuerURL = noSlash
			f.obs.Discovery.Body = discoveryBody(noSlash)
			f.claims["iss"] = noSlash
		}, Pass, "", noSlash},
		{"WarnAuthentikShapeUnconfirmed", func(_ testing.TB, f *fixture) {
			f.cfg.IssuerURL = noSlash
			f.obs.Discovery = Fetch{URL: f.obs.Discovery.URL, Status: 404}
			f.obs.Token, f.obs.TokenSkipped = nil, TokenSkipNoSecret
		}, Warn, "authentik's per-provider issuer is", "neither discovery nor a token confirmed it"},
		{"ErrAuthentikGlobalNoSlash", func(_ testing.TB, f *fixture) {
			f.cfg.IssuerURL = "https://auth.example.com"
			f.obs.Discovery.Body = discoveryBody("https://auth.example.com/")
			f.claims["iss"] = "https://auth.example.com/"
		}, Fail, `exactly "https://auth.example.com/"`, "does not end with '/'"},
	})
}

// TestIssuerURLEveryProblemAtOnce: issue 17 item 2.
func TestIssuerURLEveryProblemAtOnce(t *testing.T) {
	const local = "http://localhost:35557/dex"
	atLocal := func(_ testing.TB, f *fixture) {
		f.cfg.IssuerURL = local
		f.claims["iss"] = local
		f.obs.Discovery.Body = discoveryJSONFor(local, "http://localhost:35557/dex/token", "http://localhost:35557/dex/keys")
		f.obs.IssuerAddrs = []string{"127.0.0.1", "::1"}
	}
	every := "it uses http, not https; it uses port 35557, not 443; its host resolves here only to non-public addresses"
	runCheckCasesOn(t, newDexFixture, CheckIssuerURL, []checkCase{
		{"ErrDiscoveryFromIt", atLocal, Fail, "Publish the issuer at https://<public DNS name>/ on port 443", every + " (see issuer.public) — Anthropic cannot fetch"},
		{"WarnInlineKeys", func(t testing.TB, f *fixture) {
			atLocal(t, f)
			f.cfg.InlineJWKS = jwksOf(rsaJWK(rsaKey, testKid))
		}, Warn, "inline keys", "it uses http, not https; it uses port 35557, not 443 — the Console uses inline keys, so Anthropic fetches nothing from it and only compares it with iss"},
		{"WarnPublicDiscoveryBase", func(t testing.TB, f *fixture) {
			atLocal(t, f)
			f.cfg.DiscoveryBase = "https://id.example.com/dex"
		}, Warn, "discovery base is public", "Anthropic fetches discovery from the discovery base https://id.example.com/dex and only compares this URL with iss"},
		{"ErrPrivateDiscoveryBase", func(t testing.TB, f *fixture) {
			atLocal(t, f)
			f.cfg.DiscoveryBase = "https://10.0.0.7:8443/dex"
		}, Fail, "Publish the issuer", "the discovery base https://10.0.0.7:8443/dex: it uses port 8443, not 443; its host is an IP address, not a DNS name (and a private one)"},
		{"ErrIPLiteralAndQuery", func(_ testing.TB, f *fixture) { f.cfg.IssuerURL = "https://203.0.113.7/dex?x=1" }, Fail, "without '?' or '#'", "which an OpenID issuer identifier never has; its host is an IP address"},
	})
}

// TestTokenErrorsPerIssuer: issue 17 items 3 and 4.
func TestTokenErrorsPerIssuer(t *testing.T) {
	refuse := func(status int, body string) func(testing.TB, *fixture) {
		return func(_ testing.TB, f *fixture) {
			f.obs.Token = &TokenResponse{URL: f.obs.Token.URL, Status: status, Body: []byte(body)}
		}
	}
	runCheckCasesOn(t, newDexFixture, CheckTokenRequest, []checkCase{
		{"ErrInvalidClientNamesBothCauses", refuse(401, `{"error":"invalid_client","error_description":"Invalid client credentials."}`), Fail,
			"client ID and the client secret", "either the client ID is unknown or the client secret is wrong"},
		{"ErrOtherErrorQuoted", refuse(400, `{"error":"invalid_request","error_description":"Unsupported scope."}`), Fail,
			"issuer's log", `The issuer refused the token request with error "invalid_request", error_description "Unsupported scope.". The issuer found the request invalid; its error_description says why.`},
	})
	runCheckCases(t, CheckTokenRequest, []checkCase{
		{"ErrAuthentikInvalidClientIsUnknownClient", refuse(400, `{"error":"invalid_client","error_description":"Client authentication failed."}`), Fail,
			"Copy the Client ID again", "authentik does not know this client ID (for a wrong client secret authentik answers invalid_grant"},
		{"ErrAuthentikUnknownCodeWithRequestID", refuse(400, `{"error":"server_error","request_id":"f00d"}`), Fail,
			"event log", `authentik refused the token request with error "server_error", request_id "f00d". Look request_id "f00d" up`},
	})
	for _, tc := range []struct {
		name  string
		start func() *fixture
		body  string
	}{
		{"Dex", newDexFixture, `{"error":"server_error","error_description":"x"}`},
		{"AuthentikWithoutRequestID", newFixture, `{"error":"server_error","error_description":"x"}`},
	} {
		t.Run("NoRequestIDMentioned"+tc.name, func(t *testing.T) {
			f := tc.start()
			refuse(400, tc.body)(t, f)
			c := checkOf(t, f.report(t), CheckTokenRequest)
			all := c.Message + c.Fix + c.Actual
			if strings.Contains(all, "request_id") || strings.Contains(all, "refused the request.") {
				t.Errorf("mentions a request_id that was not sent, or garbles: %q / %q", c.Message, c.Fix)
			}
		})
	}
}

// TestHostMismatchFixesAreNotCircular: issue 17 item 5.
func TestHostMismatchFixesAreNotCircular(t *testing.T) {
	const other = "https://dex.internal/dex"
	runCheckCasesOn(t, newDexFixture, CheckDiscoveryIssuer, []checkCase{
		{"ErrGenericConfiguredIssuer", func(_ testing.TB, f *fixture) { f.obs.Discovery.Body = discoveryJSONFor(other, dexToken, dexKeys) }, Fail,
			`set the Console's Issuer URL to exactly "https://dex.internal/dex", or change the issuer's configured issuer URL to "https://id.example.com/dex"`, `host "dex.internal"`},
	})
	runCheckCasesOn(t, newDexFixture, CheckClaimIss, []checkCase{
		{"ErrGenericConfiguredIssuer", claim("iss", other), Fail, "change the issuer's configured issuer URL", `host "dex.internal"`},
	})
	runCheckCases(t, CheckDiscoveryIssuer, []checkCase{
		{"ErrAuthentikProxyRewritesHost", func(_ testing.TB, f *fixture) {
			f.obs.Discovery.Body = discoveryBody("https://authentik.internal/application/o/claude-ci/")
		}, Fail, "pass the original Host header", `host "authentik.internal"`},
	})
	for _, id := range []string{CheckDiscoveryIssuer, CheckClaimIss} {
		for name, start := range map[string]func() *fixture{"authentik": newFixture, "dex": newDexFixture} {
			t.Run(id+"/"+name+"NoLoop", func(t *testing.T) {
				f := start()
				iss := strings.Replace(f.cfg.IssuerURL, "example.com", "internal.test", 1)
				f.claims["iss"] = iss
				var d map[string]any
				_ = json.Unmarshal(f.obs.Discovery.Body, &d)
				d["issuer"] = iss
				f.obs.Discovery.Body, _ = json.Marshal(d)
				c := checkOf(t, f.report(t), id)
				base := strings.TrimSuffix(f.cfg.IssuerURL, "/")
				if strings.Contains(c.Fix, "discovery base to \""+base+"\"") || strings.Contains(c.Fix, "through the public URL") {
					t.Errorf("fix asks for what is already in use: %s", c.Fix)
				}
			})
		}
	}
}

// TestTokenSkipReasons: issue 17 item 6.
func TestTokenSkipReasons(t *testing.T) {
	runCheckCasesOn(t, newDexFixture, CheckTokenRequest, []checkCase{
		{"SkipDiscoveryFailed", func(_ testing.TB, f *fixture) {
			f.obs.Discovery = Fetch{URL: f.obs.Discovery.URL, Err: "TLS: the certificate is signed by an unknown authority"}
			f.obs.Token, f.obs.TokenSkipped = nil, TokenSkipNoEndpoint
		}, Skip, "", "discovery failed, so no token endpoint is known"},
		{"ErrDiscoveryNamesNoTokenEndpoint", func(_ testing.TB, f *fixture) {
			f.obs.Discovery.Body = discoveryJSONFor(dexIssuer, "", dexKeys)
			f.obs.Token, f.obs.TokenSkipped = nil, TokenSkipNoEndpoint
		}, Fail, "token URL", "names no token endpoint"},
		{"ErrForeignTokenEndpoint", func(_ testing.TB, f *fixture) {
			f.obs.Discovery.Body = discoveryJSONFor(dexIssuer, "https://collector.example.net/token", dexKeys)
			f.obs.Token, f.obs.TokenSkipped = nil, TokenSkipForeignEndpoint
		}, Fail, "--token-url", "never sends the client secret to another origin"},
	})
	f := newDexFixture()
	f.obs.Token, f.obs.TokenSkipped = nil, TokenSkipNoEndpoint
	f.obs.Discovery.Status = 503
	if c := checkOf(t, f.report(t), CheckTokenRequest); strings.Contains(c.Message, "no client secret") {
		t.Errorf("false reason: %s", c.Message)
	}
}

// TestTokenResponseMembersNotGiven: issue 17 item 7.
func TestTokenResponseMembersNotGiven(t *testing.T) {
	runCheckCasesOn(t, newDexFixture, CheckTokenRequest, []checkCase{
		{"OKNoScopeNoExpiresIn", func(t testing.TB, f *fixture) {
			f.token = sign(t, f.key, f.claims)
			f.obs.Token.Body = []byte(`{"token_type":"bearer","id_token":"` + f.token + `"}`)
		}, Pass, "", "expires_in not given, scope not given"},
		{"OKEmptyScope", func(t testing.TB, f *fixture) {
			f.token = sign(t, f.key, f.claims)
			f.obs.Token.Body = []byte(`{"token_type":"bearer","scope":"","expires_in":300,"id_token":"` + f.token + `"}`)
		}, Pass, "", `expires_in 300 s, scope ""`},
	})
}

// TestMissingIDTokenOneMessage: issue 17 item 8 — the engine and PickToken (which wifwiz token
// uses) say the same.
func TestMissingIDTokenOneMessage(t *testing.T) {
	f := newDexFixture()
	f.cfg.TokenField = "id_token"
	f.obs.Token.Body = []byte(`{"access_token":"opaque","token_type":"bearer"}`)
	c := checkOf(t, f.report(t), CheckTokenRequest)
	_, _, err := PickToken("", "opaque", "id_token")
	var pe *PickError
	if !errors.As(err, &pe) {
		t.Fatalf("PickToken error %v", err)
	}
	if !strings.Contains(c.Fix, "openid scope") || !strings.Contains(strings.ToLower(c.Fix), strings.ToLower(pe.Fix)) || !strings.Contains(c.Actual, pe.Problem) {
		t.Errorf("check says %q / %q; PickToken says %q", c.Actual, c.Fix, err)
	}
	if strings.Contains(c.Fix, "--token-field auto") {
		t.Errorf("fix still points at --token-field auto: %s", c.Fix)
	}
}

// TestFreshKeyRotation: issue 17 item 9.
func TestFreshKeyRotation(t *testing.T) {
	seen := func(ago time.Duration) func(testing.TB, *fixture) {
		return func(_ testing.TB, f *fixture) {
			f.obs.KidFirstSeen = map[string]time.Time{testKid: testNow.Add(-ago)}
		}
	}
	runCheckCases(t, CheckHeaderKid, []checkCase{
		{"OKNoHistory", none, Pass, "", `"kid-rsa-1"`},
		{"OKSeenLongAgo", seen(time.Hour), Pass, "", `"kid-rsa-1"`},
		{"WarnSeenJustNow", seen(20 * time.Second), Warn, "authentik publishes a newly selected Signing Key", "appeared there only 20 s ago"},
		{"WarnNotInHistory", func(_ testing.TB, f *fixture) {
			f.obs.KidFirstSeen = map[string]time.Time{"old": testNow.Add(-time.Hour)}
		}, Warn, "Wait a minute", "only 0 s ago"},
		{"OKInlineKeysAreNotFetched", func(t testing.TB, f *fixture) {
			seen(0)(t, f)
			f.cfg.InlineJWKS = jwksOf(rsaJWK(rsaKey, testKid))
		}, Pass, "", "inline JWKS"},
	})
	runCheckCasesOn(t, newDexFixture, CheckHeaderKid, []checkCase{
		{"WarnGeneric", seen(0), Warn, "publish new keys in its JWKS well before signing with them", "about a minute"},
	})
	f := newFixture()
	seen(0)(t, f)
	f.obs.Exchange = &Exchange{URL: "https://api.anthropic.com/v1/oauth/token", Status: 401, ErrorType: "authentication_error", Message: "Authentication failed"}
	if c := checkOf(t, f.report(t), CheckExchange); !strings.Contains(c.Message, "header.kid (warn)") {
		t.Errorf("exchange does not name the fresh key: %s", c.Message)
	}
}

// authentikWords are authentik's UI labels and names that must not reach a generic issuer's
// report (issue 17 item 10).
var authentikWords = []string{"authentik", "Signing Key", "Access token validity", "Applications →", "Subject mode", "Encryption Key", "Include claims", "ak-…"}

// TestGenericIssuerTextsNameNoAuthentikSetting: every failure of a generic issuer is explained
// without authentik's settings. lifetime and rule.lifetime are left out: their texts live in
// lifetime.go, changed elsewhere.
func TestGenericIssuerTextsNameNoAuthentikSetting(t *testing.T) {
	mutations := map[string]func(testing.TB, *fixture){
		"hs256":     func(_ testing.TB, f *fixture) { f.key = signingKey{jose.HS256, []byte(testSecret + testSecret), ""} },
		"noKid":     func(_ testing.TB, f *fixture) { f.key.kid = "" },
		"otherKid":  func(_ testing.TB, f *fixture) { f.key.kid = "other" },
		"emptyJWKS": func(_ testing.TB, f *fixture) { f.obs.JWKS.Body = []byte("{}") },
		"jwe":       func(t testing.TB, f *fixture) { f.token = encrypt(t, f.claims) },
		"bigToken":  func(_ testing.TB, f *fixture) { f.claims["groups"] = strings.Repeat("admins,", 3000) },
		"emptySub":  func(_ testing.TB, f *fixture) { f.claims["sub"] = "" },
		"otherSub":  func(_ testing.TB, f *fixture) { f.claims["sub"] = strings.Repeat("a", 64) },
		"noExp":     dropClaim("exp"),
		"expired":   claim("exp", testNow.Unix()-3600),
		"future":    claim("iat", testNow.Unix()+3600),
		"noAud":     dropClaim("aud"),
		"otherAud":  claim("aud", "someone"),
		"noIss":     dropClaim("iss"),
		"httpIss":   claim("iss", "http://id.example.com/dex"),
		"disc404":   func(_ testing.TB, f *fixture) { f.obs.Discovery.Status = 404 },
		"discErr":   func(_ testing.TB, f *fixture) { f.obs.Discovery.Err = "dial tcp: refused" },
		"jwks500":   func(_ testing.TB, f *fixture) { f.obs.JWKS.Status = 500 },
		"noJWKSURI": func(_ testing.TB, f *fixture) { f.obs.Discovery.Body = discoveryJSONFor(dexIssuer, dexToken, "") },
		"onlyHS": func(_ testing.TB, f *fixture) {
			f.obs.Discovery.Body = []byte(`{"issuer":"` + dexIssuer + `","jwks_uri":"` + dexKeys + `","id_token_signing_alg_values_supported":["HS256"]}`)
		},
		"tokenErr": func(_ testing.TB, f *fixture) {
			f.obs.Token = &TokenResponse{URL: dexToken, Status: 401, Body: []byte(`{"error":"invalid_client"}`)}
		},
		"tokenDown": func(_ testing.TB, f *fixture) { f.obs.Token = &TokenResponse{URL: dexToken, Err: "refused"} },
		"proxyPage": func(_ testing.TB, f *fixture) {
			f.obs.Token = &TokenResponse{URL: dexToken, Status: 502, Body: []byte("<html>")}
		},
		"private":     func(_ testing.TB, f *fixture) { f.obs.IssuerAddrs = []string{"10.0.0.1"} },
		"inlineStale": func(_ testing.TB, f *fixture) { f.cfg.InlineJWKS = jwksOf(rsaJWK(rsaKey2, "old")) },
		"freshKey":    func(_ testing.TB, f *fixture) { f.obs.KidFirstSeen = map[string]time.Time{} },
		"opaqueID":    func(_ testing.TB, f *fixture) { f.token = "opaque-id-token" },
	}
	for name, mutate := range mutations {
		t.Run(name, func(t *testing.T) {
			f := newDexFixture()
			mutate(t, f)
			if f.token == "" {
				f.token = sign(t, f.key, f.claims)
			}
			if f.obs.Token != nil && f.obs.Token.Body == nil && f.obs.Token.Status == 200 {
				f.obs.Token.Body = dexTokenBody(f.token)
			}
			rep := Run(f.cfg, f.obs, testNow)
			assertInvariants(t, rep, f.token)
			if rep.Summary.Fail+rep.Summary.Warn == 0 {
				t.Fatalf("mutation %s changed nothing", name)
			}
			for _, c := range rep.Checks {
				if c.ID == CheckLifetime || c.ID == CheckRuleLifetime {
					continue
				}
				for _, w := range authentikWords {
					if all := c.Expected + "|" + c.Actual + "|" + c.Message + "|" + c.Fix; strings.Contains(all, w) {
						t.Errorf("%s (%s) names %q for a generic issuer: %s", c.ID, c.Status, w, all)
					}
				}
			}
		})
	}
}

// TestForeignJWKSURI: a discovery document may not point wifwiz at another origin (issue 13, M3).
func TestForeignJWKSURI(t *testing.T) {
	runCheckCasesOn(t, newDexFixture, CheckJWKS, []checkCase{
		{"ErrOtherOrigin", func(_ testing.TB, f *fixture) {
			f.obs.Discovery.Body = discoveryJSONFor(dexIssuer, dexToken, "http://169.254.169.254/latest/meta-data/")
			f.obs.JWKS = nil
		}, Fail, "inline keys", "is on another origin"},
		{"OKDiscoveryBaseOrigin", func(_ testing.TB, f *fixture) {
			f.cfg.DiscoveryBase = "https://dex.internal/dex"
			f.obs.Discovery.Body = discoveryJSONFor(dexIssuer, dexToken, "https://dex.internal/dex/keys")
		}, Pass, "", "signing key"},
	})
}
