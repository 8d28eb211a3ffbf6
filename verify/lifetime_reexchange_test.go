package verify

import (
	"testing"
	"time"
)

// TestCheckRuleLifetimeReExchange: a rule Token lifetime that leaves the SDKs less than 5 minutes
// between exchanges is a warning with the numbers; each exchange needs a fresh identity token.
func TestCheckRuleLifetimeReExchange(t *testing.T) {
	rule := func(d time.Duration) func(testing.TB, *fixture) {
		return func(_ testing.TB, f *fixture) { f.cfg.TokenLifetime = d }
	}
	runCheckCases(t, CheckRuleLifetime, []checkCase{
		{"OKSevenMinutes", rule(420 * time.Second), Pass, "", "Anthropic will mint 420 s"},
		{"WarnJustUnderSevenMinutes", rule(419 * time.Second), Warn, "at least 420 s (5 minutes between exchanges)",
			"so every 299 s, each time with an identity token never exchanged before"},
		{"WarnThreeMinutes", rule(180 * time.Second), Warn, "or keep it and run wifwiz token",
			"rewritten more often than every 60 s, by one refresher per workload process"},
		{"WarnEveryCall", rule(60 * time.Second), Warn, "at least 420 s",
			"so on nearly every call, each time with an identity token never exchanged before: no identity token file"},
		{"WarnShortTokenToo", func(_ testing.TB, f *fixture) { f.claims["exp"] = testNow.Unix() + 100 }, Warn,
			`"Access token validity" in authentik to at least seconds=1800`, "mint 200 s"},
	})
	f := newFixture()
	f.claims["exp"] = testNow.Unix() + 100
	if c := checkOf(t, f.report(t), CheckRuleLifetime); c.Message == "" || !contains(c.Message, "every 80 s") {
		t.Errorf("a short identity token does not say how often the SDKs exchange: %q", c.Message)
	}
}
