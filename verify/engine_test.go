package verify

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestRunGoodToken(t *testing.T) {
	f := newFixture()
	rep := f.report(t)
	assertInvariants(t, rep, f.token)
	for _, c := range rep.Checks {
		want := Pass
		if c.ID == CheckExchange || notGiven[c.ID] {
			want = Skip
		}
		if c.Status != want {
			t.Errorf("%s: %s (%s; fix %s), want %s", c.ID, c.Status, c.Message, c.Fix, want)
		}
	}
	if rep.Summary != (Summary{Pass: len(CheckIDs) - 1 - len(notGiven), Skip: 1 + len(notGiven)}) || !rep.OK {
		t.Errorf("summary %+v ok=%v", rep.Summary, rep.OK)
	}
	if rep.Connection == nil || *rep.Connection != "ci-prod" || rep.Issuer != testIssuer || !rep.StartedAt.Equal(testNow) {
		t.Errorf("report header: connection %v issuer %q started %v", rep.Connection, rep.Issuer, rep.StartedAt)
	}
	if rep.Token == nil || rep.Token.Field != "id_token" || rep.Token.SHA256 != Fingerprint(f.token) {
		t.Fatalf("token summary %+v", rep.Token)
	}
	if rep.Token.Header["kid"] != testKid || rep.Token.Claims["sub"] != testSub {
		t.Errorf("decoded token: header %v claims %v", rep.Token.Header, rep.Token.Claims)
	}
}

// notGiven are the checks that skip when no Console token and no claims or condition are given
// (the fixture reads the provider, so authentik.provider runs).
var notGiven = map[string]bool{CheckConsoleAccess: true, CheckConsoleIssuer: true, CheckConsoleRule: true, CheckConsoleAccount: true,
	CheckRuleClaims: true, CheckRuleCondition: true}

func TestRunAdHocHasNoConnection(t *testing.T) {
	f := newFixture()
	f.cfg.Connection = ""
	rep := f.report(t)
	b, _ := json.Marshal(rep)
	if rep.Connection != nil || !strings.Contains(string(b), `"connection":null`) {
		t.Fatalf("connection = %v, JSON %s", rep.Connection, b[:60])
	}
}

// TestFailedDiscoverySkipsDependents: a check whose input a failed fetch did not deliver is skip,
// never pass.
func TestFailedDiscoverySkipsDependents(t *testing.T) {
	tests := []struct {
		name       string
		change     func(*fixture)
		dependents []string
	}{
		{"ErrDiscovery500", func(f *fixture) {
			f.obs.Discovery = Fetch{URL: f.obs.Discovery.URL, Status: 500, Body: []byte("oops")}
			f.obs.JWKS = nil
		}, []string{CheckDiscoveryIssuer, CheckJWKS, CheckHeaderKid, CheckSignature}},
		{"ErrDiscoveryAndTokenTransport", func(f *fixture) {
			f.obs.Discovery = Fetch{URL: f.obs.Discovery.URL, Err: "dial tcp: connection refused"}
			f.obs.JWKS = nil
			f.obs.Token = &TokenResponse{URL: "https://auth.example.com/application/o/token/", Err: "dial tcp: connection refused"}
		}, []string{CheckDiscoveryIssuer, CheckJWKS, CheckTokenFormat, CheckHeaderAlg, CheckHeaderKid, CheckSignature,
			CheckClaimIss, CheckClaimSub, CheckClaimAud, CheckClaimExp, CheckClaimIat, CheckClaimNbf, CheckLifetime, CheckRuleLifetime, CheckExchange}},
		{"ErrJWKS404", func(f *fixture) {
			f.obs.JWKS = &Fetch{URL: f.obs.JWKS.URL, Status: 404, Body: []byte("Not Found")}
		}, []string{CheckHeaderKid, CheckSignature}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture()
			tc.change(f)
			rep := f.report(t)
			assertInvariants(t, rep, f.token)
			for _, id := range tc.dependents {
				if c := checkOf(t, rep, id); c.Status != Skip {
					t.Errorf("%s: %s (%s), want skip", id, c.Status, c.Message)
				}
			}
			if rep.OK {
				t.Error("a failed fetch must make the report not OK")
			}
		})
	}
}

func TestReportNeverContainsRawToken(t *testing.T) {
	cases := map[string]func(testing.TB, *fixture){
		"OK":        func(testing.TB, *fixture) {},
		"HS256":     func(_ testing.TB, f *fixture) { f.key = signingKey{"HS256", []byte(testSecret + testSecret), ""} },
		"JWE":       func(t testing.TB, f *fixture) { f.token = encrypt(t, f.claims) },
		"TooLarge":  func(_ testing.TB, f *fixture) { f.claims["groups"] = strings.Repeat("g", 20000) },
		"BadIssuer": func(_ testing.TB, f *fixture) { f.claims["iss"] = "https://internal/application/o/x/" },
		"ErrorBodyEchoesToken": func(t testing.TB, f *fixture) {
			f.token = sign(t, f.key, f.claims)
			f.obs.Token = &TokenResponse{Status: 502, Body: []byte("<html>upstream said " + f.token + "</html>")}
		},
		"OAuthErrorEchoesToken": func(t testing.TB, f *fixture) {
			f.token = sign(t, f.key, f.claims)
			f.obs.Token = &TokenResponse{Status: 400, Body: []byte(`{"error":"invalid_grant","error_description":"` + f.token + `"}`)}
		},
		"ExchangeEchoesToken": func(t testing.TB, f *fixture) {
			f.token = sign(t, f.key, f.claims)
			f.obs.Exchange = &Exchange{Status: 401, ErrorType: "authentication_error", Message: "bad " + f.token}
		},
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFixture()
			change(t, f)
			rep := f.report(t)
			assertInvariants(t, rep, f.token)
		})
	}
}

func TestConfigFor(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		cfg, err := ConfigFor(connectionFixture(), true)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.IssuerURL != testIssuer || cfg.TokenField != "auto" || !cfg.RequireIDs || cfg.InlineJWKS != nil ||
			cfg.TokenLifetime != time.Hour || cfg.MaxIdentityTokenLifetime != time.Hour || cfg.AccessTokenValidity != 90*time.Minute {
			t.Fatalf("cfg = %+v", cfg)
		}
	})
	t.Run("OKInline", func(t *testing.T) {
		c := connectionFixture()
		c.JWKSSource, c.InlineJWKS = "inline", string(jwksOf(rsaJWK(rsaKey, testKid)))
		cfg, err := ConfigFor(c, false)
		if err != nil || string(cfg.InlineJWKS) != c.InlineJWKS {
			t.Fatalf("cfg.InlineJWKS = %q, err %v", cfg.InlineJWKS, err)
		}
	})
	t.Run("ErrInlineMissing", func(t *testing.T) {
		c := connectionFixture()
		c.JWKSSource = "inline"
		if _, err := ConfigFor(c, false); err == nil || !strings.Contains(err.Error(), "inline JWKS") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrValidity", func(t *testing.T) {
		c := connectionFixture()
		c.AccessTokenValidity = "forever"
		if _, err := ConfigFor(c, false); err == nil || !strings.Contains(err.Error(), "access token validity") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestOversizedTokenClaimsLeftOut(t *testing.T) {
	f := newFixture()
	f.claims["groups"] = strings.Repeat("admins,", 3000)
	rep := f.report(t)
	if rep.Token == nil || rep.Token.Claims != nil || rep.Token.Header["kid"] != testKid {
		t.Fatalf("token summary %+v", rep.Token)
	}
	if c := checkOf(t, rep, CheckClaimSub); c.Status != Pass {
		t.Fatalf("claims are still checked: claim.sub = %s", c.Status)
	}
}
