package verify

import (
	"testing"
	"time"
)

// countVerdicts counts checks by verdict with the test's own tally, not the engine's Summary
// code, and fails on a verdict that is none of the four.
func countVerdicts(t testing.TB, checks []Check) Summary {
	t.Helper()
	n := map[Status]int{}
	for _, c := range checks {
		n[c.Status]++
	}
	sum := Summary{Pass: n[Pass], Warn: n[Warn], Fail: n[Fail], Skip: n[Skip]}
	if total := sum.Pass + sum.Warn + sum.Fail + sum.Skip; total != len(checks) {
		t.Errorf("%d checks have a verdict other than pass, warn, fail or skip: %v", len(checks)-total, n)
	}
	return sum
}

// TestVerdictsCarryTheirFix runs scenarios that between them reach every verdict: a pass never
// offers a fix, a warn or fail always does, a skip says why, and the report's summary and OK
// agree with the test's count.
func TestVerdictsCarryTheirFix(t *testing.T) {
	scenarios := []struct {
		name   string
		change func(testing.TB, *fixture)
	}{
		{"Good", none},
		{"ExchangeOK", func(_ testing.TB, f *fixture) {
			f.obs.Exchange = &Exchange{Status: 200, Scope: "workspace:developer", ExpiresIn: 3600, TokenPrefix: "sk-ant-oat01-abcdefghijkl"}
		}},
		{"PrivateAddress", func(_ testing.TB, f *fixture) { f.obs.IssuerAddrs = []string{"10.1.2.3"} }},
		{"ShortIdentityToken", func(_ testing.TB, f *fixture) { f.claims["exp"] = testNow.Unix() + 600 }},
		{"HashedSubject", func(_ testing.TB, f *fixture) { f.claims["sub"] = testHash }},
		{"Expired", func(_ testing.TB, f *fixture) {
			f.claims["iat"] = testNow.Add(-2 * time.Hour).Unix()
			f.claims["exp"] = testNow.Add(-time.Hour).Unix()
		}},
		{"HS256", func(_ testing.TB, f *fixture) { f.key = signingKey{"HS256", []byte(testSecret + testSecret), ""} }},
		{"JWE", func(t testing.TB, f *fixture) { f.token = encrypt(t, f.claims) }},
		{"Discovery500", func(_ testing.TB, f *fixture) {
			f.obs.Discovery = Fetch{URL: f.obs.Discovery.URL, Status: 500, Body: []byte("oops")}
			f.obs.JWKS = nil
		}},
		{"NoToken", func(_ testing.TB, f *fixture) { f.obs.Token = nil }},
	}
	var seen Summary
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			f := newFixture()
			sc.change(t, f)
			rep := f.report(t)
			for _, c := range rep.Checks {
				switch c.Status {
				case Pass:
					if c.Fix != "" {
						t.Errorf("%s passes but offers a fix: %q", c.ID, c.Fix)
					}
				case Warn, Fail:
					if c.Fix == "" {
						t.Errorf("%s: %s without a fix", c.ID, c.Status)
					}
				case Skip:
					if c.Message == "" {
						t.Errorf("%s: skip without a reason", c.ID)
					}
				}
			}
			sum := countVerdicts(t, rep.Checks)
			if rep.Summary != sum {
				t.Errorf("report summary %+v, the test counted %+v", rep.Summary, sum)
			}
			if rep.OK != (sum.Fail == 0) {
				t.Errorf("report OK = %v with %d failed checks", rep.OK, sum.Fail)
			}
			seen.Pass, seen.Warn, seen.Fail, seen.Skip = seen.Pass+sum.Pass, seen.Warn+sum.Warn, seen.Fail+sum.Fail, seen.Skip+sum.Skip
		})
	}
	if seen.Pass == 0 || seen.Warn == 0 || seen.Fail == 0 || seen.Skip == 0 {
		t.Errorf("the scenarios reached %+v; they must reach every verdict", seen)
	}
}
