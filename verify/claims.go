package verify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wifwiz/wifwiz/rule"
	"github.com/wifwiz/wifwiz/wif"
)

func (r *run) checkClaimIss() Check {
	want := r.cfg.IssuerURL
	exp := quote(want) + ", the Console's Issuer URL, byte for byte"
	if r.jwt == nil {
		return skip(exp, r.jwtWhy)
	}
	v, present := r.jwt.claims["iss"]
	iss, isString := v.(string)
	if present && !isString {
		return fail(exp, fmt.Sprintf("%v", v), "The token's iss is not a string.", r.fromIssuerFix("iss as a string"))
	}
	if want == "" {
		return fail("the Console's Issuer URL", quote(iss), "No issuer URL is configured to compare with.", fmt.Sprintf("Set the Console's Issuer URL to exactly %q.", iss))
	}
	if iss == want {
		return pass(exp, quote(iss), "The token's iss is the Console's Issuer URL.")
	}
	d := compareIssuers(want, iss)
	return fail(exp, shownString(iss, present), "The token's iss differs from the Console's Issuer URL: "+d.what("the token's iss")+".", d.tokenFix(r.tokenURL(), r.authentik()))
}

func shownString(s string, present bool) string {
	if !present {
		return "(absent)"
	}
	return quote(s)
}

func subExpected(prefix string, fromConsole bool) string {
	switch {
	case prefix == "" && fromConsole:
		return "sub present and not empty; the Console's rule has no subject prefix"
	case prefix == "":
		return "sub present and not empty; the Console's Subject prefix is not recorded yet"
	case strings.HasSuffix(prefix, "*"):
		return fmt.Sprintf("sub starts with %q (the Console's Subject prefix %q)", strings.TrimSuffix(prefix, "*"), prefix)
	}
	return fmt.Sprintf("sub equals %q (the Console's Subject prefix)", prefix)
}

func (r *run) checkClaimSub() Check {
	prefix := r.cfg.SubjectPrefix
	exp := subExpected(prefix, r.ruleFromConsole()) + r.ruleNote()
	if r.jwt == nil {
		return skip(exp, r.jwtWhy)
	}
	v, present := r.jwt.claims["sub"]
	sub, isString := v.(string)
	switch {
	case !present || !isString:
		return fail(exp, "(absent or not a string)", "The token has no usable sub; Anthropic requires one.", r.subjectModeFix())
	case sub == "":
		return fail(exp, `""`, r.byKind("The token's sub is empty: authentik's Subject mode is \"Based on the User's Email\" and its generated service account has no email. Anthropic rejects an empty sub.",
			"The token's sub is empty; Anthropic rejects an empty sub."), r.subjectModeFix())
	case prefix == "" && r.ruleFromConsole():
		return pass(exp, quote(sub), "The Console's rule has no subject prefix: it matches with its claims matchers or condition (see rule.claims and rule.condition).")
	case prefix == "":
		c := skip(exp, fmt.Sprintf("No Subject prefix recorded yet: the Console's Subject prefix must be %q.", sub))
		c.Actual = quote(sub)
		return c
	case prefix == "*":
		return fail(exp, quote(sub), "The Console does not allow '*' alone as Subject prefix.", fmt.Sprintf("Set the Console's Subject prefix to %q.", sub))
	}
	if !rule.SubjectMatches(prefix, sub) {
		msg, fix := subHint(sub, prefix, r.authentik())
		return fail(exp, quote(sub), msg, fix)
	}
	if broadPrefix(prefix) {
		return warn(exp, quote(sub), fmt.Sprintf("The wildcard prefix %q is broad: it matches every sub that starts with %q, such as %s.", prefix, strings.TrimSuffix(prefix, "*"), r.byKind("other providers' ak-…-client_credentials accounts or other users", "other clients or users")),
			fmt.Sprintf("Set the Console's Subject prefix to exactly %q.", sub))
	}
	return pass(exp, quote(sub), "The Console's Subject prefix matches the token's sub.")
}

func (r *run) subjectModeFix() string {
	return r.byKind("In authentik, set the provider's Subject mode to \"Based on the User's username\" (sub becomes ak-<provider name>-client_credentials) or \"Based on the Hashed User ID\", then put that sub in the Console's Subject prefix.",
		"Configure the issuer to put a non-empty subject (the client's identifier) in sub, then put that sub in the Console's Subject prefix.")
}

func broadPrefix(prefix string) bool {
	p, ok := strings.CutSuffix(prefix, "*")
	return ok && len(p) < wif.BroadPrefixLength
}

func (r *run) audExpected(aud string) string {
	if aud == "" {
		return "aud present; the Console's Audience (" + r.audienceIs() + ") is not recorded yet"
	}
	return fmt.Sprintf("aud is, or contains, %q (the Console's Audience: %s)", aud, r.audienceIs())
}

// audienceIs says what the audience is for this kind of issuer.
func (r *run) audienceIs() string {
	return r.byKind("the authentik Client ID", "the aud value the issuer puts in its tokens")
}

func (r *run) checkClaimAud() Check {
	if r.cfg.Audience == "" && r.ruleFromConsole() {
		return r.checkDefaultAudience()
	}
	exp := r.audExpected(r.cfg.Audience) + r.ruleNote()
	if r.jwt == nil {
		return skip(exp, r.jwtWhy)
	}
	auds, ok := audiences(r.jwt.claims["aud"])
	if !ok {
		return fail(exp, "(absent or not a string or array of strings)", "The token has no usable aud.", r.fromIssuerFix("aud (to the Client ID)"))
	}
	actual := strings.Join(quoteAll(auds), ", ")
	if r.cfg.Audience == "" {
		c := skip(exp, fmt.Sprintf("No Audience recorded yet: the Console's Audience must be %q.", auds[0]))
		c.Actual = actual
		return c
	}
	if slices.Contains(auds, r.cfg.Audience) {
		return pass(exp, actual, "The token's aud contains the Console's Audience.")
	}
	return fail(exp, actual, fmt.Sprintf("The token's aud does not contain the Console's Audience %q.", r.cfg.Audience), r.audFix(auds))
}

// audiences reads aud as a string or an array of strings, as Anthropic does; an empty string is
// no audience.
func audiences(v any) ([]string, bool) {
	auds, ok := rule.Audiences(v)
	if !ok || len(auds) == 1 && auds[0] == "" {
		return nil, false
	}
	return auds, true
}

// checkDefaultAudience: a rule read from the Console without an audience wants the audience
// Anthropic expects by default.
func (r *run) checkDefaultAudience() Check {
	want := rule.EffectiveAudience("")
	exp := fmt.Sprintf("aud is, or contains, %q: the Console's rule has no audience, so Anthropic's default audience is wanted (Anthropic does not spell it out; its guides request this one)%s", want, readNote)
	if r.jwt == nil {
		return skip(exp, r.jwtWhy)
	}
	auds, ok := audiences(r.jwt.claims["aud"])
	if ok && slices.Contains(auds, want) {
		return pass(exp, strings.Join(quoteAll(auds), ", "), "The token's aud contains Anthropic's default audience.")
	}
	actual := "(absent or not a string or array of strings)"
	if ok {
		actual = strings.Join(quoteAll(auds), ", ")
	}
	return fail(exp, actual, "The Console's rule has no audience, and the token's aud is not Anthropic's default audience.",
		fmt.Sprintf("Set the rule's audience in the Console to the token's aud%s.", r.byKind(" (the authentik Client ID)", "")))
}

func (r *run) audFix(auds []string) string {
	if !r.authentik() {
		return fmt.Sprintf("Set the Console's Audience to %q if tokens for this rule carry that aud, or configure the issuer to put %q in aud.", auds[0], r.cfg.Audience)
	}
	id := r.cfg.ClientID
	switch {
	case id == "":
		return fmt.Sprintf("The audience is the authentik Client ID: set the Console's Audience to %q if that is this provider's Client ID.", auds[0])
	case slices.Contains(auds, id):
		return fmt.Sprintf("The audience is the authentik Client ID: set the Console's Audience to %q.", id)
	}
	return fmt.Sprintf("The audience is the authentik Client ID, %q, but this token was issued to %q: request it with this provider's Client ID, and set the Console's Audience to %q.", id, auds[0], id)
}
