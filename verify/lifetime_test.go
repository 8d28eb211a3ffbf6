package verify

import (
	"testing"
	"time"
)

func TestCheckLifetime(t *testing.T) {
	runCheckCases(t, CheckLifetime, []checkCase{
		{"OK", none, Pass, "", "exp − iat = 3599 s"},
		{"OKOneSecondShort", none, Pass, "", "1 s short of its Access token validity (3600 s)"},
		{"OKDefaultMaximum", func(_ testing.TB, f *fixture) { f.cfg.MaxIdentityTokenLifetime = 0 }, Pass, "", "3600 s, the Console's Maximum identity token lifetime (Console default)"},
		{"ErrTooLong", func(_ testing.TB, f *fixture) { f.claims["exp"] = testNow.Unix() + 7200 }, Fail,
			`Raise the Console's "Maximum identity token lifetime" to at least 7200 s, or lower the provider's "Access token validity" in authentik to at most seconds=3600`, "longer than the 3600 s"},
		{"ErrBeyondConsoleRange", func(_ testing.TB, f *fixture) {
			f.claims["exp"] = testNow.Unix() + 200000
			f.cfg.MaxIdentityTokenLifetime = 176400 * time.Second
		}, Fail, "The Console allows at most 176400 s: lower", "200000 s"},
		{"ErrMaximumOutOfRange", func(_ testing.TB, f *fixture) { f.cfg.MaxIdentityTokenLifetime = 49*time.Hour + time.Second }, Fail, "between 1 and 176400", "1 to 176400"},
		{"ErrExpBeforeIat", func(_ testing.TB, f *fixture) { f.claims["iat"] = testNow.Unix() + 4000 }, Fail, "Access token validity", "not after its iat"},
		{"SkipNoExp", dropClaim("exp"), Skip, "", "see claim.exp"},
		{"SkipNoToken", func(_ testing.TB, f *fixture) { f.obs.Token = nil }, Skip, "", "No token"},
	})
}

func TestCheckRuleLifetime(t *testing.T) {
	runCheckCases(t, CheckRuleLifetime, []checkCase{
		{"OK", none, Pass, "", "Anthropic will mint 3600 s (identity token valid 3599 s more)"},
		{"OKDefault", func(_ testing.TB, f *fixture) { f.cfg.TokenLifetime = 0 }, Pass, "", "3600 s (Console default)"},
		{"WarnShortIdentityToken", func(_ testing.TB, f *fixture) { f.claims["exp"] = testNow.Unix() + 600 }, Warn,
			`Raise the provider's "Access token validity" in authentik to at least seconds=1800`, "mint 1200 s"},
		{"WarnFloor", func(_ testing.TB, f *fixture) { f.claims["exp"] = testNow.Unix() + 10 }, Warn, `"Token lifetime" to 60 s`, "mint 60 s"},
		{"ErrTooShort", func(_ testing.TB, f *fixture) { f.cfg.TokenLifetime = 30 * time.Second }, Fail, "between 60 and 86400", "60 to 86400"},
		{"ErrTooLong", func(_ testing.TB, f *fixture) { f.cfg.TokenLifetime = 25 * time.Hour }, Fail, "between 60 and 86400", "60 to 86400"},
		{"SkipNoToken", func(_ testing.TB, f *fixture) { f.obs.Token = nil }, Skip, "", "No token"},
		{"SkipNoExp", dropClaim("exp"), Skip, "", "see claim.exp"},
	})
}
