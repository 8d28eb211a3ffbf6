// Package rule evaluates a federation rule's match block the way Anthropic does at an exchange:
// the subject prefix, the audience, the exact claims matchers and the CEL condition. It is pure
// (no I/O) and returns results shaped like report checks (expected, actual, message, fix), with
// the reason Anthropic's authentication history would record for a denial.
package rule

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// Matchers of a rule's match block, in the order they are evaluated.
const (
	MatcherSubject   = "subject_prefix"
	MatcherAudience  = "audience"
	MatcherClaims    = "claims"
	MatcherCondition = "condition"
)

// Reasons the Console's authentication history records for a failed matcher. Only
// match_subject_prefix is named in Anthropic's documentation; the others follow its pattern.
const (
	ReasonSubject   = "match_subject_prefix"
	ReasonAudience  = "match_audience"
	ReasonClaims    = "match_claims"
	ReasonCondition = "match_condition"
)

// Result is one matcher's verdict. Reason is empty when OK.
type Result struct {
	Matcher  string
	OK       bool
	Reason   string
	Expected string
	Actual   string
	Message  string
	Fix      string
}

// SubjectMatches is Anthropic's subject match: sub equals prefix, or starts with the text before
// a trailing '*'; case-sensitive. A '*' anywhere else is a literal character.
func SubjectMatches(prefix, sub string) bool {
	if p, ok := strings.CutSuffix(prefix, "*"); ok {
		return strings.HasPrefix(sub, p)
	}
	return sub == prefix
}

// AudienceMatches reports whether aud (a string, or an array of strings as decoded from JSON)
// equals want or holds it as one element.
func AudienceMatches(want string, aud any) bool {
	auds, ok := Audiences(aud)
	return ok && slices.Contains(auds, want)
}

// Audiences reads an aud claim: a string, or an array whose elements are all strings.
func Audiences(aud any) ([]string, bool) {
	switch v := aud.(type) {
	case string:
		return []string{v}, true
	case []string:
		return v, len(v) > 0
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, len(out) > 0
	}
	return nil, false
}

// EffectiveAudience is the audience a rule demands: its own, or, when it has none, the value
// Anthropic expects by default (an assumption: Anthropic does not spell that value out).
func EffectiveAudience(audience string) string {
	if audience == "" {
		return wif.DefaultAPIAudience
	}
	return audience
}

// Subject checks the subject_prefix matcher against the token's claims.
func Subject(prefix string, claims map[string]any) Result {
	r := Result{Matcher: MatcherSubject, Expected: subjectExpected(prefix)}
	sub, isString := claims["sub"].(string)
	r.Actual = shown(claims, "sub")
	switch {
	case !isString || sub == "":
		return r.fail(ReasonSubject, "The token has no sub; Anthropic requires one.", "Make authentik issue a token with a sub (the provider's Subject mode).")
	case !SubjectMatches(prefix, sub):
		return r.fail(ReasonSubject, fmt.Sprintf("The token's sub %q does not match the rule's subject prefix %q.", sub, prefix),
			fmt.Sprintf("Set the rule's subject prefix to %q, or change authentik's Subject mode so that sub matches.", sub))
	}
	r.OK, r.Message = true, "The token's sub matches the rule's subject prefix."
	return r
}

func subjectExpected(prefix string) string {
	if p, ok := strings.CutSuffix(prefix, "*"); ok {
		return fmt.Sprintf("sub starts with %q", p)
	}
	return fmt.Sprintf("sub equals %q", prefix)
}

// Audience checks the audience matcher; an empty audience demands EffectiveAudience("").
func Audience(audience string, claims map[string]any) Result {
	want := EffectiveAudience(audience)
	r := Result{Matcher: MatcherAudience, Expected: fmt.Sprintf("aud is, or contains, %q", want), Actual: shown(claims, "aud")}
	if AudienceMatches(want, claims["aud"]) {
		r.OK, r.Message = true, "The token's aud contains the rule's audience."
		return r
	}
	msg := fmt.Sprintf("The token's aud does not contain %q.", want)
	if audience == "" {
		msg += " The rule has no audience, so Anthropic's default audience is wanted."
	}
	return r.fail(ReasonAudience, msg, "Set the rule's audience to the authentik Client ID (the token's aud).")
}

// Match evaluates every populated matcher of m, in Anthropic's order: subject prefix, audience
// (always: an absent audience demands the default), claims, condition. The match passes when
// every result is OK.
func Match(ctx context.Context, m wif.RuleMatch, claims map[string]any) []Result {
	var out []Result
	if m.SubjectPrefix != "" {
		out = append(out, Subject(m.SubjectPrefix, claims))
	}
	out = append(out, Audience(m.Audience, claims))
	if len(m.Claims) > 0 {
		out = append(out, Claims(m.Claims, claims).Result)
	}
	if m.Condition != "" {
		out = append(out, CheckCondition(ctx, m.Condition, claims).Result)
	}
	return out
}

// Failed returns the first failed result, if any.
func Failed(results []Result) (Result, bool) {
	for _, r := range results {
		if !r.OK {
			return r, true
		}
	}
	return Result{}, false
}

func (r Result) fail(reason, msg, fix string) Result {
	r.OK, r.Reason, r.Message, r.Fix = false, reason, msg, fix
	return r
}

// shown renders claim name for a report: its JSON value, or "(absent)".
func shown(claims map[string]any, name string) string {
	v, ok := claims[name]
	if !ok {
		return "(absent)"
	}
	return formatNative(v)
}
