package verify_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

const (
	issuer   = "https://auth.example.com/application/o/app/"
	jwksURI  = "https://auth.example.com/application/o/app/jwks/"
	inlineEx = "kid present and in the inline JWKS recorded for the Console"
)

// passing is a report as a passing run stores it: every check passed, a token with its header and claims.
func passing() verify.Report {
	var checks []verify.Check
	for _, id := range verify.CheckIDs {
		checks = append(checks, verify.Check{ID: id, Status: verify.Pass, Expected: "x", Actual: "x"})
	}
	rep := verify.Report{Issuer: issuer, Checks: checks, OK: true, Token: &verify.Token{
		Field:  "id_token",
		Header: map[string]any{"alg": "RS256", "kid": "k1"},
		Claims: map[string]any{"iss": issuer, "sub": "ak-batch-client_credentials", "aud": "client-1", "iat": float64(1000), "exp": float64(4600)},
	}}
	set(&rep, verify.CheckDiscovery, verify.Pass, "", `HTTP 200; issuer "`+issuer+`", jwks_uri "`+jwksURI+`", algorithms [RS256]`)
	set(&rep, verify.CheckDiscoveryIssuer, verify.Pass, "", `"`+issuer+`"`)
	return rep
}

func set(r *verify.Report, id string, st verify.Status, expected, actual string) {
	for i := range r.Checks {
		if r.Checks[i].ID == id {
			r.Checks[i].Status, r.Checks[i].Actual, r.Checks[i].Fix = st, actual, "the fix for "+id
			r.Checks[i].Message = "what went wrong with " + id
			if expected != "" {
				r.Checks[i].Expected = expected
			}
		}
	}
}

// stored round-trips a report through JSON, as Record and the store do: numbers become float64.
func stored(t *testing.T, r verify.Report) verify.Report {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var out verify.Report
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDrift(t *testing.T) {
	tests := []struct {
		name   string
		change func(*verify.Report)
		want   []wif.Drift // Message is matched as a substring
	}{
		{"OKNoChange", func(*verify.Report) {}, nil},
		{"KidRotated", func(r *verify.Report) { r.Token.Header["kid"] = "k2" },
			[]wif.Drift{{Kind: verify.DriftKid, Before: "k1", After: "k2", Message: "rotated"}}},
		{"AlgChanged", func(r *verify.Report) { r.Token.Header["alg"] = "ES256" },
			[]wif.Drift{{Kind: verify.DriftAlg, Before: "RS256", After: "ES256", Message: "Signing Key"}}},
		{"SubChanged", func(r *verify.Report) { r.Token.Claims["sub"] = strings.Repeat("a", 64) },
			[]wif.Drift{{Kind: verify.DriftSub, Before: "ak-batch-client_credentials", After: strings.Repeat("a", 64), Message: "Subject mode"}}},
		{"AudChanged", func(r *verify.Report) { r.Token.Claims["aud"] = "client-2" },
			[]wif.Drift{{Kind: verify.DriftAud, Before: "client-1", After: "client-2", Message: "Client ID"}}},
		{"IssChanged", func(r *verify.Report) { r.Token.Claims["iss"] = "https://other/application/o/app/" },
			[]wif.Drift{{Kind: verify.DriftIssuer, Before: issuer, After: "https://other/application/o/app/", Message: "iss"}}},
		{"LifetimeChanged", func(r *verify.Report) { // as decoded from a token: json.Number
			r.Token.Claims["iat"], r.Token.Claims["exp"] = json.Number("1000"), json.Number("6400")
		},
			[]wif.Drift{{Kind: verify.DriftLifetime, Before: "3600 s", After: "5400 s", Message: "Access token validity"}}},
		{"DiscoveryIssuerChanged", func(r *verify.Report) {
			set(r, verify.CheckDiscovery, verify.Pass, "", `HTTP 200; issuer "`+issuer+`x", jwks_uri "`+jwksURI+`", algorithms [RS256]`)
			set(r, verify.CheckDiscoveryIssuer, verify.Fail, "", `"`+issuer+`x"`)
		}, []wif.Drift{
			{Kind: verify.DriftDiscoveryIssuer, Before: `"` + issuer + `"`, After: `"` + issuer + `x"`, Message: "issuer changed"},
			{Kind: verify.DriftCheck, Before: "pass", After: "fail", Message: "check discovery.issuer passed before and fails now: what went wrong with discovery.issuer"},
		}},
		{"DiscoveryEndpointChanged", func(r *verify.Report) {
			set(r, verify.CheckDiscovery, verify.Pass, "", `HTTP 200; issuer "`+issuer+`", jwks_uri "https://proxy/jwks/", algorithms [RS256]`)
		}, []wif.Drift{{Kind: verify.DriftDiscoveryJWKSURI, Before: jwksURI, After: "https://proxy/jwks/", Message: "jwks_uri changed"}}},
		{"DiscoveryAlgorithmsChanged", func(r *verify.Report) {
			set(r, verify.CheckDiscovery, verify.Warn, "", `HTTP 200; issuer "`+issuer+`", jwks_uri "`+jwksURI+`", algorithms [HS256]`)
		}, []wif.Drift{{Kind: verify.DriftDiscoveryAlgorithms, Before: "[RS256]", After: "[HS256]", Message: "algorithms"}}},
		{"DiscoveryDownIsACheckNotAValue", func(r *verify.Report) {
			set(r, verify.CheckDiscovery, verify.Fail, "", "HTTP 503")
			set(r, verify.CheckDiscoveryIssuer, verify.Skip, "", "")
		}, []wif.Drift{{Kind: verify.DriftCheck, Before: "pass", After: "fail", Message: "check discovery passed before"}}},
		{"InlineJWKSLacksCurrentKey", func(r *verify.Report) {
			r.Token.Header["kid"] = "k2"
			set(r, verify.CheckHeaderKid, verify.Fail, inlineEx, `"k2"; the inline JWKS recorded for the Console has "k1"`)
			set(r, verify.CheckJWKS, verify.Warn, "", `1 signing key(s): kid "k1"`)
			set(r, verify.CheckSignature, verify.Skip, "", "")
		}, []wif.Drift{
			{Kind: verify.DriftKid, Before: "k1", After: "k2", Message: "rotated"},
			{Kind: verify.DriftInlineJWKS, Before: "pass", After: "fail", Message: "no longer holds the current signing key: the fix for header.kid"},
		}},
		{"InlineJWKSLacksAPublishedKey", func(r *verify.Report) {
			set(r, verify.CheckJWKS, verify.Warn, "", `1 signing key(s): kid "k1"`)
		}, []wif.Drift{{Kind: verify.DriftInlineJWKS, Before: "pass", After: "warn", Message: "lacks a key authentik now publishes: the fix for jwks"}}},
		{"KidNotInFetchedJWKSIsACheck", func(r *verify.Report) {
			set(r, verify.CheckHeaderKid, verify.Fail, "kid present and in the JWKS", `"k1"; the JWKS has "k9"`)
		}, []wif.Drift{{Kind: verify.DriftCheck, Before: "pass", After: "fail", Message: "check header.kid passed before and fails now"}}},
		{"TokenRequestFails", func(r *verify.Report) {
			r.Token = nil
			set(r, verify.CheckTokenRequest, verify.Fail, "", "HTTP 400; invalid_grant")
		}, []wif.Drift{{Kind: verify.DriftCheck, Before: "pass", After: "fail", Message: "check token.request passed before"}}},
		{"WarnIsNotAFailure", func(r *verify.Report) { set(r, verify.CheckClaimSub, verify.Warn, "", "") }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev := stored(t, passing())
			cur := passing()
			tt.change(&cur)
			for _, c := range []verify.Report{cur, stored(t, cur)} { // as observed, and as read back from the store
				got := verify.Drift(prev, c)
				if len(got) != len(tt.want) {
					t.Fatalf("Drift = %+v, want %d entries: %+v", got, len(tt.want), tt.want)
				}
				for i, w := range tt.want {
					g := got[i]
					if g.Kind != w.Kind || g.Before != w.Before || g.After != w.After || !strings.Contains(g.Message, w.Message) {
						t.Errorf("drift %d = %+v, want %+v", i, g, w)
					}
				}
			}
		})
	}
}

func TestDriftWithoutBaselineToken(t *testing.T) {
	prev := passing()
	prev.Token = nil
	if got := verify.Drift(prev, passing()); len(got) != 0 {
		t.Fatalf("Drift = %+v; a previous report without a token has no token values to compare", got)
	}
}

const providerFacts = `client_id="client-1"; signing_key="authentik Self-signed Certificate"; signing_key_id="k-1"; signing_key_type="rsa"; encryption_key="none"; sub_mode="user_username"; issuer_mode="per_provider"; access_token_validity="hours=1"; application="app"`

// TestProviderDrift: each authentik-side change read through the admin API is named once, with
// its own kind, instead of as a generic failed check.
func TestProviderDrift(t *testing.T) {
	for _, tc := range []struct {
		name, from, to string
		kind, before   string
		after, msg     string
	}{
		{"SigningKeyChanged", `signing_key="authentik Self-signed Certificate"; signing_key_id="k-1"`, `signing_key="rotated"; signing_key_id="k-2"`,
			verify.DriftSigningKey, "authentik Self-signed Certificate (k-1)", "rotated (k-2)", "another key"},
		{"SigningKeyRemoved", `signing_key="authentik Self-signed Certificate"; signing_key_id="k-1"; signing_key_type="rsa"`, `signing_key="none"; signing_key_id=""; signing_key_type=""`,
			verify.DriftSigningKey, "authentik Self-signed Certificate (k-1)", "none", "HS256"},
		{"EncryptionKeyAdded", `encryption_key="none"`, `encryption_key="enc"`, verify.DriftEncryptionKey, "none", "enc", "JWEs"},
		{"SubMode", `sub_mode="user_username"`, `sub_mode="hashed_user_id"`, verify.DriftSubMode, "user_username", "hashed_user_id", "subject prefix"},
		{"IssuerMode", `issuer_mode="per_provider"`, `issuer_mode="global"`, verify.DriftIssuerMode, "per_provider", "global", "issuer URL"},
		{"Validity", `access_token_validity="hours=1"`, `access_token_validity="hours=2"`, verify.DriftValidity, "hours=1", "hours=2", "maximum identity token lifetime"},
		{"Unbound", `application="app"`, `application="none"`, verify.DriftApplication, "app", "none", "no longer bound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prev, cur := passing(), passing()
			set(&prev, verify.CheckAuthentikProvider, verify.Pass, "", providerFacts)
			after := strings.Replace(providerFacts, tc.from, tc.to, 1)
			if after == providerFacts {
				t.Fatalf("%q not in the facts", tc.from)
			}
			set(&cur, verify.CheckAuthentikProvider, verify.Fail, "", after)
			got := verify.Drift(stored(t, prev), cur)
			if len(got) != 1 || got[0].Kind != tc.kind || got[0].Before != tc.before || got[0].After != tc.after || !strings.Contains(got[0].Message, tc.msg) {
				t.Fatalf("Drift = %+v, want one %s %q → %q naming %q", got, tc.kind, tc.before, tc.after, tc.msg)
			}
		})
	}
	t.Run("ReadFailedIsACheck", func(t *testing.T) {
		prev, cur := passing(), passing()
		set(&prev, verify.CheckAuthentikProvider, verify.Pass, "", providerFacts)
		set(&cur, verify.CheckAuthentikProvider, verify.Fail, "", "")
		got := verify.Drift(prev, cur)
		if len(got) != 1 || got[0].Kind != verify.DriftCheck {
			t.Fatalf("Drift = %+v, want the failed check", got)
		}
	})
}
