package rule

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ClaimCheck is the verdict on one claims matcher.
type ClaimCheck struct {
	Name    string
	Want    string
	Actual  string // the claim's value as JSON, or "(absent)"
	OK      bool
	Problem string // why it failed; empty when OK
}

// ClaimsResult is the verdict on the claims matchers: Result sums them up, Each has one entry
// per matcher in name order.
type ClaimsResult struct {
	Result
	Each []ClaimCheck
}

// Claims checks the rule's claims matchers: each names a top-level claim that must be a string
// exactly equal to the wanted value. A nested, number, boolean, list or null claim never matches
// here: only a condition can test it.
func Claims(want map[string]string, claims map[string]any) ClaimsResult {
	out := ClaimsResult{Result: Result{Matcher: MatcherClaims}}
	var exp, act, problems []string
	for _, name := range slices.Sorted(maps.Keys(want)) {
		c := checkClaim(name, want[name], claims)
		out.Each = append(out.Each, c)
		exp = append(exp, fmt.Sprintf("%s = %q", name, c.Want))
		act = append(act, fmt.Sprintf("%s = %s", name, c.Actual))
		if !c.OK {
			problems = append(problems, c.Problem)
		}
	}
	out.Expected, out.Actual = strings.Join(exp, ", "), strings.Join(act, ", ")
	if len(problems) == 0 {
		out.OK, out.Message = true, "Every claims matcher of the rule holds."
		return out
	}
	out.Result = out.fail(ReasonClaims, strings.Join(problems, " "), claimsFix(out.Each))
	return out
}

func checkClaim(name, want string, claims map[string]any) ClaimCheck {
	c := ClaimCheck{Name: name, Want: want, Actual: shown(claims, name)}
	v, present := claims[name]
	s, isString := v.(string)
	switch {
	case !present:
		c.Problem = fmt.Sprintf("The token has no claim %q (the rule wants %q).", name, want)
	case !isString:
		c.Problem = fmt.Sprintf("The claim %q is %s, not a string: a claims matcher compares strings only — a %s claim can only be matched with a condition, e.g. %s.",
			name, describe(v, c.Actual), kindOf(v), conditionExample(name, v))
	case s != want:
		c.Problem = fmt.Sprintf("The claim %q is %q, the rule wants %q.", name, s, want)
	default:
		c.OK = true
	}
	return c
}

func claimsFix(each []ClaimCheck) string {
	for _, c := range each {
		if !c.OK && strings.Contains(c.Problem, "not a string") {
			return fmt.Sprintf("Remove the claims matcher %q and test that claim in the rule's condition instead, or make authentik emit it as a string.", c.Name)
		}
	}
	return "Change the rule's claims matchers to the token's values, or make authentik emit the wanted values (a scope mapping on the provider)."
}

// kindOf names a decoded JSON value's type as a person would.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64, json.Number, int, int64:
		return "number"
	case []any, []string:
		return "list"
	case map[string]any:
		return "nested object"
	}
	return fmt.Sprintf("%T", v)
}

// describe says what a non-string claim is: "null", "a number (3)", "an object ({…})".
func describe(v any, shown string) string {
	kind := kindOf(v)
	if kind == "null" {
		return kind
	}
	article := "a"
	if strings.ContainsRune("aeiou", rune(kind[0])) {
		article = "an"
	}
	return fmt.Sprintf("%s %s (%s)", article, kind, shown)
}

func conditionExample(name string, v any) string {
	ref := "claims." + name
	if !identPattern(name) {
		ref = fmt.Sprintf("claims[%q]", name)
	}
	switch v.(type) {
	case map[string]any:
		return ref + `.field == "value"`
	case []any, []string:
		return `"value" in ` + ref
	}
	return ref + " == " + formatNative(v)
}

func identPattern(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}
