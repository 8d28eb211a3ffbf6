package verify

import "testing"

func exchange(x Exchange) func(testing.TB, *fixture) {
	return func(_ testing.TB, f *fixture) { f.obs.Exchange = &x }
}

func TestCheckExchange(t *testing.T) {
	denied := Exchange{URL: "https://api.anthropic.com/v1/oauth/token", Status: 401, ErrorType: "authentication_error", Message: "Authentication failed"}
	runCheckCases(t, CheckExchange, []checkCase{
		{"SkipNotRequested", none, Skip, "", "Not requested."},
		{"OK", exchange(Exchange{Status: 200, Scope: "workspace:developer", ExpiresIn: 3600, TokenPrefix: "sk-ant-oat01-abcdefghijkl"}), Pass, "",
			"rule.lifetime predicted 3600 s, Anthropic minted 3600 s"},
		{"OKScopeDiffers", exchange(Exchange{Status: 200, Scope: "workspace:inference", ExpiresIn: 3600}), Pass, "", `recorded OAuth scope "workspace:developer"`},
		{"ErrBadRuleID", exchange(Exchange{Status: 400, ErrorType: "invalid_request_error", Message: "federation_rule_id: invalid format"}), Fail, "fdrl_", "names federation_rule_id"},
		{"ErrBadWorkspace", exchange(Exchange{Status: 400, ErrorType: "invalid_request_error", Message: "workspace_id is malformed"}), Fail, "Workspaces", "names workspace_id"},
		{"ErrBadRequestOther", exchange(Exchange{Status: 400, Message: "something"}), Fail, "ids check", "malformed"},
		{"ErrDeniedWithLocalCause", func(tb testing.TB, f *fixture) {
			f.claims["sub"] = testHash
			exchange(denied)(tb, f)
		}, Fail, "Fix the failing and warning checks", "Local checks that explain it: claim.sub (fail)"},
		{"ErrDeniedAllLocalPass", exchange(denied), Fail, "authentication history", "jti was already used"},
		{"ErrTransport", exchange(Exchange{URL: "https://api.anthropic.com/v1/oauth/token", Err: "connection reset"}), Fail, "Anthropic base URL", "connection reset"},
		{"ErrServer", exchange(Exchange{Status: 503}), Fail, "Retry", "HTTP 503"},
	})
}

func TestExchangeShowsOnlyTokenPrefix(t *testing.T) {
	f := newFixture()
	f.obs.Exchange = &Exchange{Status: 200, TokenPrefix: "sk-ant-oat01-SECRETPART"}
	c := checkOf(t, f.report(t), CheckExchange)
	if c.Status != Pass || !contains(c.Actual, "sk-ant-oat01-…") || contains(c.Actual, "SECRETPART") {
		t.Fatalf("actual = %q", c.Actual)
	}
}
