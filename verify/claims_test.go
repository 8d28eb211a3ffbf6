package verify

import (
	"strings"
	"testing"
	"time"
)

func claim(name string, v any) func(testing.TB, *fixture) {
	return func(_ testing.TB, f *fixture) { f.claims[name] = v }
}

func dropClaim(name string) func(testing.TB, *fixture) {
	return func(_ testing.TB, f *fixture) { delete(f.claims, name) }
}

func TestCheckClaimIss(t *testing.T) {
	runCheckCases(t, CheckClaimIss, []checkCase{
		{"OK", none, Pass, "", testIssuer},
		{"ErrTokenHasSlashConsoleNot", func(_ testing.TB, f *fixture) { f.cfg.IssuerURL = strings.TrimSuffix(testIssuer, "/") }, Fail,
			`Set the Console's Issuer URL to exactly "` + testIssuer + `"`, "the token's iss ends with '/', the Console's Issuer URL does not"},
		{"ErrConsoleHasSlashTokenNot", claim("iss", strings.TrimSuffix(testIssuer, "/")), Fail, "Issuer URL", "the Console's Issuer URL ends with '/', the token's iss does not"},
		{"ErrInternalHost", func(t testing.TB, f *fixture) {
			claim("iss", "https://authentik.internal/application/o/claude-ci/")(t, f)
			f.obs.Token.URL = "https://authentik.internal/application/o/token/"
		}, Fail, "authentik builds iss from the host the client used, and the token was requested from authentik.internal: request tokens through the public URL https://auth.example.com/", `host "authentik.internal"`},
		{"ErrHTTPBehindProxy", claim("iss", "http://auth.example.com/application/o/claude-ci/"), Fail, "X-Forwarded-Proto: https", "uses http, the Console's Issuer URL https"},
		{"ErrGlobalIssuerMode", claim("iss", "https://auth.example.com/"), Fail, "Issuer mode", "global issuer"},
		{"ErrOtherSlug", claim("iss", "https://auth.example.com/application/o/other-app/"), Fail, `application "claude-ci"`, `slug "other-app"`},
		{"ErrCase", claim("iss", "https://auth.example.com/application/o/Claude-CI/"), Fail, "exactly", "letter case"},
		{"ErrMissing", dropClaim("iss"), Fail, "authentik's token endpoint", "(absent)"},
		{"ErrNotString", claim("iss", 42), Fail, "authentik", "not a string"},
		{"SkipNoToken", func(_ testing.TB, f *fixture) { f.obs.Token = nil }, Skip, "", "No token"},
	})
}

func TestCheckClaimSub(t *testing.T) {
	prefix := func(p string) func(testing.TB, *fixture) {
		return func(_ testing.TB, f *fixture) { f.cfg.SubjectPrefix = p }
	}
	runCheckCases(t, CheckClaimSub, []checkCase{
		{"OK", none, Pass, "", `"ak-Claude CI-client_credentials"`},
		{"OKWildcard", prefix("ak-Claude CI-*"), Pass, "", `starts with "ak-Claude CI-"`},
		{"OKHash", func(_ testing.TB, f *fixture) { f.claims["sub"], f.cfg.SubjectPrefix = testHash, testHash }, Pass, "", testHash},
		{"WarnBroadPrefix", prefix("ak-*"), Warn, `Subject prefix to exactly "ak-Claude CI-client_credentials"`, "broad"},
		{"ErrHashedSubUsernameRule", claim("sub", testHash), Fail, `Subject mode to "Based on the User's username"`, `Subject mode is "Based on the Hashed User ID" (the default)`},
		{"ErrUsernameSubHashRule", prefix(testHash), Fail, `"Based on the Hashed User ID"`, `Subject mode is "Based on the User's username"`},
		{"ErrOtherProvider", prefix("ak-Claude-CI-client_credentials"), Fail, `Subject prefix to "ak-Claude CI-client_credentials"`, "not the slug"},
		{"ErrCase", prefix("ak-claude ci-client_credentials"), Fail, "Subject prefix", "letter case"},
		{"ErrCaseWildcard", prefix("AK-Claude*"), Fail, "Subject prefix", "letter case"},
		{"ErrNumericUserID", claim("sub", "42"), Fail, "Subject prefix", `"Based on the User's ID"`},
		{"ErrEmptyFromEmailMode", claim("sub", ""), Fail, "Subject mode", `"Based on the User's Email"`},
		{"ErrMissing", dropClaim("sub"), Fail, "Subject mode", "no usable sub"},
		{"ErrStarAlone", prefix("*"), Fail, "Subject prefix", "'*' alone"},
		{"ErrOther", prefix("workload-a"), Fail, `Subject prefix to "ak-Claude CI-client_credentials"`, "does not match"},
		{"SkipNoPrefix", prefix(""), Skip, "", `must be "ak-Claude CI-client_credentials"`},
	})
}

func TestCheckClaimAud(t *testing.T) {
	runCheckCases(t, CheckClaimAud, []checkCase{
		{"OK", none, Pass, "", `"ci-client-id"`},
		{"OKArray", claim("aud", []string{"other", testClientID}), Pass, "", `"other", "ci-client-id"`},
		{"ErrConsoleHasSlug", func(_ testing.TB, f *fixture) { f.cfg.Audience = "claude-ci" }, Fail, `set the Console's Audience to "ci-client-id"`, `Audience "claude-ci"`},
		{"ErrOtherProvider", claim("aud", "another-client"), Fail, `issued to "another-client"`, "does not contain"},
		{"ErrNoClientIDKnown", func(_ testing.TB, f *fixture) { f.cfg.ClientID, f.cfg.Audience = "", "x" }, Fail, `Audience to "ci-client-id" if that is`, ""},
		{"ErrMissing", dropClaim("aud"), Fail, "Client ID", "no usable aud"},
		{"ErrArrayOfNumbers", claim("aud", []int{1}), Fail, "Client ID", "no usable aud"},
		{"SkipNoAudience", func(_ testing.TB, f *fixture) { f.cfg.Audience = "" }, Skip, "", `must be "ci-client-id"`},
	})
}

func TestCheckClaimExp(t *testing.T) {
	runCheckCases(t, CheckClaimExp, []checkCase{
		{"OK", none, Pass, "", "1800003599 (2027-01-15T08:59:59Z), in 3599 s"},
		{"OKFractional", claim("exp", float64(testNow.Unix())+100.5), Pass, "", "in 100 s"},
		{"ErrExpired", claim("exp", testNow.Unix()-100), Fail, "Request a fresh token", "100 s ago"},
		{"WarnWithinLeeway", claim("exp", testNow.Unix()-10), Warn, "fresh token", "within the 30 s leeway"},
		{"ErrAtLeeway", claim("exp", testNow.Add(-30*time.Second).Unix()), Fail, "NTP", "expired"},
		{"ErrMissing", dropClaim("exp"), Fail, "authentik", "no exp"},
		{"ErrString", claim("exp", "tomorrow"), Fail, "authentik", "not a NumericDate"},
		{"ErrHuge", claim("exp", 1e300), Fail, "authentik", "not a NumericDate"},
	})
}

func TestCheckClaimIat(t *testing.T) {
	runCheckCases(t, CheckClaimIat, []checkCase{
		{"OK", claim("iat", testNow.Unix()-5), Pass, "", "5 s ago"},
		{"OKWithinLeeway", claim("iat", testNow.Unix()+20), Pass, "", "in 20 s"},
		{"ErrFuture", claim("iat", testNow.Unix()+60), Fail, "NTP", "issued in the future"},
		{"ErrMissing", dropClaim("iat"), Fail, "authentik", "no iat"},
		{"ErrNegative", claim("iat", -1), Fail, "authentik", "not a NumericDate"},
	})
}

func TestCheckClaimNbf(t *testing.T) {
	runCheckCases(t, CheckClaimNbf, []checkCase{
		{"OKAbsent", none, Pass, "", "(absent)"},
		{"OKPast", claim("nbf", testNow.Unix()-1), Pass, "", "1 s ago"},
		{"OKWithinLeeway", claim("nbf", testNow.Unix()+30), Pass, "", "in 30 s"},
		{"ErrFuture", claim("nbf", testNow.Unix()+120), Fail, "NTP", "not valid yet"},
		{"ErrMalformed", claim("nbf", true), Fail, "authentik", "not a NumericDate"},
	})
}
