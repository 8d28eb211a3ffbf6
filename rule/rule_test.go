package rule

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/wif"
)

// token is a decoded claim set as encoding/json produces it (numbers are float64).
func token(t testing.TB) map[string]any {
	t.Helper()
	var c map[string]any
	err := json.Unmarshal([]byte(`{
		"iss": "https://auth.example.com/application/o/ci/", "sub": "ak-ci-client_credentials",
		"aud": "client-1", "env": "prod", "ref": "refs/heads/dev", "n": 3, "admin": false,
		"ctx": {"repo": "acme/app", "team": "infra"}, "groups": ["dev", "ops"], "nothing": null}`), &c)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSubjectMatches(t *testing.T) {
	cases := []struct {
		prefix, sub string
		want        bool
	}{
		{"ak-ci-client_credentials", "ak-ci-client_credentials", true},
		{"ak-ci-client_credentials", "ak-ci-client_credentials2", false},
		{"ak-*", "ak-ci", true},
		{"ak-*", "AK-ci", false},
		{"ak-*", "ak-", true},
		{"a*b", "a*b", true},
		{"a*b", "axb", false},
		{"repo:acme/*", "repo:acme/app", true},
		{"repo:acme/*", "repo:acme", false},
	}
	for _, tc := range cases {
		if got := SubjectMatches(tc.prefix, tc.sub); got != tc.want {
			t.Errorf("SubjectMatches(%q, %q) = %v, want %v", tc.prefix, tc.sub, got, tc.want)
		}
	}
}

func TestAudienceMatches(t *testing.T) {
	cases := []struct {
		aud  any
		want bool
	}{
		{"client-1", true},
		{"client-2", false},
		{[]any{"x", "client-1"}, true},
		{[]string{"client-1"}, true},
		{[]any{"x", 1.0}, false},
		{[]any{}, false},
		{nil, false},
		{1.0, false},
	}
	for _, tc := range cases {
		if got := AudienceMatches("client-1", tc.aud); got != tc.want {
			t.Errorf("AudienceMatches(client-1, %#v) = %v, want %v", tc.aud, got, tc.want)
		}
	}
}

func TestSubjectAndAudienceResults(t *testing.T) {
	c := token(t)
	if r := Subject("ak-ci-*", c); !r.OK || r.Reason != "" {
		t.Errorf("Subject pass: %+v", r)
	}
	r := Subject("ak-other-*", c)
	if r.OK || r.Reason != ReasonSubject || !strings.Contains(r.Fix, `"ak-ci-client_credentials"`) || r.Actual != `"ak-ci-client_credentials"` {
		t.Errorf("Subject fail: %+v", r)
	}
	if r := Audience("client-1", c); !r.OK {
		t.Errorf("Audience pass: %+v", r)
	}
	r = Audience("", c)
	if r.OK || r.Reason != ReasonAudience || !strings.Contains(r.Expected, wif.DefaultAPIAudience) || !strings.Contains(r.Message, "default audience") {
		t.Errorf("Audience empty: %+v", r)
	}
}

func TestClaims(t *testing.T) {
	c := token(t)
	cases := []struct {
		name    string
		want    map[string]string
		ok      bool
		problem string // in the message
		fix     string
	}{
		{"OK", map[string]string{"env": "prod", "sub": "ak-ci-client_credentials"}, true, "", ""},
		{"ErrValue", map[string]string{"env": "staging"}, false, `The claim "env" is "prod", the rule wants "staging".`, "scope mapping"},
		{"ErrCase", map[string]string{"env": "Prod"}, false, `is "prod", the rule wants "Prod"`, ""},
		{"ErrAbsent", map[string]string{"team": "infra"}, false, `The token has no claim "team"`, ""},
		{"ErrNested", map[string]string{"ctx": "acme/app"}, false, `a nested object claim can only be matched with a condition, e.g. claims.ctx.field == "value"`, `matcher "ctx"`},
		{"ErrNumber", map[string]string{"n": "3"}, false, `"n" is a number (3), not a string`, "condition instead"},
		{"ErrBool", map[string]string{"admin": "false"}, false, "a boolean claim can only be matched with a condition, e.g. claims.admin == false", ""},
		{"ErrList", map[string]string{"groups": "dev"}, false, `e.g. "value" in claims.groups`, ""},
		{"ErrNull", map[string]string{"nothing": ""}, false, `"nothing" is null, not a string`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Claims(tc.want, c)
			if r.OK != tc.ok || !strings.Contains(r.Message, tc.problem) || !strings.Contains(r.Fix, tc.fix) {
				t.Fatalf("Claims(%v) = %+v", tc.want, r.Result)
			}
			if !tc.ok && r.Reason != ReasonClaims {
				t.Errorf("reason = %q", r.Reason)
			}
			if len(r.Each) != len(tc.want) {
				t.Errorf("Each = %+v", r.Each)
			}
		})
	}
	r := Claims(map[string]string{"env": "prod", "ctx": "x"}, c)
	if r.Expected != `ctx = "x", env = "prod"` || r.Actual != `ctx = {"repo":"acme/app","team":"infra"}, env = "prod"` || r.Each[0].OK || !r.Each[1].OK {
		t.Errorf("summary: %+v", r)
	}
}

func TestConditionTrue(t *testing.T) {
	c := token(t)
	for _, src := range []string{
		`claims.sub.startsWith("ak-ci-") && claims.env in ["prod", "staging"]`,
		`claims.n == 3 && claims.n > 2.5`,
		`claims.ctx.repo == "acme/app"`,
		`"ops" in claims.groups`,
		`claims.groups.exists(g, g == "dev")`,
		`has(claims.ctx.team)`,
		`claims.admin == false`,
	} {
		r := CheckCondition(context.Background(), src, c)
		if !r.OK || !r.Value || r.Err != nil || r.Actual != "true" || r.Reason != "" {
			t.Errorf("%s: %+v", src, r)
		}
	}
}

func TestConditionFalseExplained(t *testing.T) {
	c := token(t)
	cases := []struct {
		src    string
		leaves []string
	}{
		{`claims.sub.startsWith("repo:") && claims.ref in ["refs/heads/main"]`,
			[]string{`claims.sub.startsWith("repo:") (claims.sub = "ak-ci-client_credentials")`}},
		{`claims.env == "prod" && claims.ref in ["refs/heads/main", "refs/heads/release"]`,
			[]string{`claims.ref in ["refs/heads/main", "refs/heads/release"] (claims.ref = "refs/heads/dev")`}},
		{`claims.n > 5 || claims.ctx.repo == "other/repo"`,
			[]string{`claims.n > 5 (claims.n = 3)`, `claims.ctx.repo == "other/repo" (claims.ctx.repo = "acme/app")`}},
		{`!(claims.env == "prod")`,
			[]string{`!(claims.env == "prod") (claims.env = "prod")`}},
		{`claims["ctx"]["team"] == "web"`,
			[]string{`claims["ctx"]["team"] == "web" (claims["ctx"]["team"] = "infra")`}},
		{`claims.env == "prod" ? claims.groups.exists(g, g == "admin") : true`,
			[]string{`claims.groups.exists(g, g == "admin") (claims.groups = ["dev", "ops"])`}},
		{`has(claims.team)`, []string{`has(claims.team)`}},
		{`claims.ctx == {"repo": "x"}`, []string{`claims.ctx == {"repo": "x"} (claims.ctx = {"repo": "acme/app", "team": "infra"})`}},
	}
	for _, tc := range cases {
		t.Run(tc.src, func(t *testing.T) {
			r := CheckCondition(context.Background(), tc.src, c)
			if r.OK || r.Value || r.Err != nil || r.Reason != ReasonCondition || r.Actual != "false" {
				t.Fatalf("result %+v", r)
			}
			var got []string
			for _, l := range r.False {
				got = append(got, l.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.leaves, "\n") {
				t.Fatalf("false leaves:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.leaves, "\n"))
			}
			if !strings.Contains(r.Message, tc.leaves[0]) {
				t.Errorf("message %q does not name %q", r.Message, tc.leaves[0])
			}
		})
	}
}

func TestConditionEvaluationError(t *testing.T) {
	c := token(t)
	cases := []struct{ src, at, msg string }{
		{`claims.team == "infra"`, "claims.team", `the token has no claim (or key) "team"`},
		{`claims.ctx.owner == "x"`, "claims.ctx.owner", `no claim (or key) "owner"`},
		{`claims.env > 3`, "claims.env > 3", "no such overload"},
	}
	for _, tc := range cases {
		r := CheckCondition(context.Background(), tc.src, c)
		if r.OK || r.Err == nil || r.Reason != ReasonCondition || r.ErrorAt != tc.at || !strings.Contains(r.Message, tc.msg) || !strings.Contains(r.Message, "no match") {
			t.Errorf("%s: %+v (ErrorAt %q)", tc.src, r.Result, r.ErrorAt)
		}
	}
}

func TestConditionCompileErrors(t *testing.T) {
	cases := []struct{ src, problem string }{
		{`claims.sub ==`, "does not compile"},
		{`request.sub == "x"`, "does not compile: ERROR: <input>:1:1: undeclared reference to 'request'"},
		{`claims.sub`, "must evaluate to a bool"},
		{`"x"`, "must evaluate to a bool, not string"},
		{`true`, "always true"},
		{`1 == 1`, "always true"},
		{`true || claims.sub == "x"`, "always true"},
		{`claims.sub == "x" || (1 < 2 && "a" != "b")`, "always true"},
		{`[1, 2, 3].all(i, i > 0)`, "always true"},
		{`   `, "is empty"},
		{strings.Repeat("a", 4097), "4097 characters long"},
	}
	for _, tc := range cases {
		_, err := Compile(tc.src)
		var ce *CompileError
		if !errors.As(err, &ce) || !strings.Contains(ce.Problem, tc.problem) || !strings.HasPrefix(err.Error(), "condition: ") {
			t.Errorf("Compile(%.40q) = %v, want a problem containing %q", tc.src, err, tc.problem)
		}
		r := CheckCondition(context.Background(), tc.src, token(t))
		if r.OK || r.Reason != ReasonCondition || r.Actual != "does not compile" {
			t.Errorf("CheckCondition(%.40q) = %+v", tc.src, r.Result)
		}
	}
	if _, err := Compile(`claims.sub == "x" && true`); err != nil {
		t.Errorf("an && with a claim test is not constant: %v", err)
	}
	if _, err := Compile(`false`); err != nil {
		t.Errorf("constant false is allowed (it only never matches): %v", err)
	}
}

func TestConditionCostLimit(t *testing.T) {
	src := `[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, claims.n > 0)))))`
	r := CheckCondition(context.Background(), src, token(t))
	if r.OK || r.Err == nil || !strings.Contains(r.Err.Error(), "cost limit") || !strings.Contains(r.Fix, "Simplify") {
		t.Fatalf("%+v", r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	big := token(t)
	big["many"] = make([]any, 5000)
	if r := CheckCondition(ctx, `claims.many.all(g, g == null)`, big); r.OK || !errors.Is(r.Err, context.Canceled) && !strings.Contains(r.Err.Error(), "cancel") {
		t.Errorf("evaluated under a cancelled context: %+v", r)
	}
}

func TestConditionJSONNumbers(t *testing.T) {
	d := json.NewDecoder(strings.NewReader(`{"n": 3, "f": 2.5, "nested": {"m": 7}}`))
	d.UseNumber()
	var c map[string]any
	if err := d.Decode(&c); err != nil {
		t.Fatal(err)
	}
	if r := CheckCondition(context.Background(), `claims.n == 3 && claims.f < 3 && claims.nested.m == 7`, c); !r.OK {
		t.Fatalf("%+v", r)
	}
}

func TestMatch(t *testing.T) {
	c := token(t)
	m := wif.RuleMatch{SubjectPrefix: "ak-ci-*", Audience: "client-1", Claims: map[string]string{"env": "prod"}, Condition: `claims.ctx.team == "infra"`}
	rs := Match(context.Background(), m, c)
	if len(rs) != 4 {
		t.Fatalf("results %+v", rs)
	}
	if f, bad := Failed(rs); bad {
		t.Fatalf("failed: %+v", f)
	}
	m.Condition = `claims.ctx.team == "web"`
	m.Audience = ""
	f, bad := Failed(Match(context.Background(), m, c))
	if !bad || f.Matcher != MatcherAudience {
		t.Errorf("first failure = %+v, want the audience (the default audience is not client-1)", f)
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name  string
		match wif.RuleMatch
		want  string // the first problem's Error(), or "" for valid
	}{
		{"OK", wif.RuleMatch{SubjectPrefix: "ak-*", Audience: "a"}, ""},
		{"OKClaimsOnly", wif.RuleMatch{Claims: map[string]string{"env": "prod"}}, ""},
		{"OKConditionOnly", wif.RuleMatch{Condition: `claims.env == "prod"`}, ""},
		{"ErrAudienceAlone", wif.RuleMatch{Audience: "a"}, "match: at least one of subject_prefix, claims or condition is required"},
		{"ErrEmpty", wif.RuleMatch{}, "match: at least one"},
		{"ErrStar", wif.RuleMatch{SubjectPrefix: "*"}, "match.subject_prefix: '*' alone"},
		{"ErrLongSubject", wif.RuleMatch{SubjectPrefix: strings.Repeat("s", 1025)}, "match.subject_prefix: at most 1024"},
		{"ErrLongAudience", wif.RuleMatch{SubjectPrefix: "x", Audience: strings.Repeat("a", 1025)}, "match.audience: at most 1024"},
		{"ErrClaimName", wif.RuleMatch{Claims: map[string]string{"": "x"}}, "match.claims: a claim name is empty"},
		{"ErrConstantTrue", wif.RuleMatch{SubjectPrefix: "x", Condition: "true"}, "match.condition: is always true"},
		{"ErrConditionType", wif.RuleMatch{Condition: "claims.n + 1"}, "match.condition: must evaluate to a bool"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := Validate(tc.match)
			if tc.want == "" {
				if ps.Err() != nil {
					t.Fatalf("unexpected problems: %v", ps.Err())
				}
				return
			}
			if len(ps) == 0 || !strings.HasPrefix(ps[0].Error(), tc.want) {
				t.Fatalf("problems %v, want the first to start %q", ps, tc.want)
			}
		})
	}
}
