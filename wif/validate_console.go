package wif

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// maxIssuerNameLength bounds the issuer's display name (wifwiz's own limit).
const maxIssuerNameLength = 255

// ValidateConsole checks wizard step 4: the Anthropic Console fields, in Console order.
func ValidateConsole(c Connection) FieldErrors {
	e := FieldErrors{}
	e.Add(FieldServiceAccountID, requiredID(c.ServiceAccountID, serviceAccountID))
	e.Add(FieldIssuerName, trimProblem("Issuer name", c.IssuerName))
	e.Add(FieldIssuerName, lengthProblem("Issuer name", c.IssuerName, maxIssuerNameLength))
	e.Add(FieldIssuerURL, issuerURLProblem(c))
	e.Add(FieldJWKSSource, choiceProblem("JWKS source", c.JWKSSource, []string{JWKSDiscovery, JWKSInline}))
	if c.JWKSSource == JWKSInline {
		e.Add(FieldInlineJWKS, inlineJWKSProblem(c.InlineJWKS))
	}
	if c.DiscoveryBase != "" {
		e.Add(FieldDiscoveryBase, urlProblem("Discovery base", c.DiscoveryBase))
	}
	e.Add(FieldRuleName, ruleNameProblem(c.RuleName))
	if c.SubjectPrefix != "" || len(c.Claims) == 0 && c.Condition == "" {
		e.Add(FieldSubjectPrefix, subjectPrefixProblem(c.SubjectPrefix)) // a rule may match on claims or a condition alone
	}
	e.Add(FieldAudience, audienceProblem(c.Audience, c.ClientID, c.issuerKind()))
	e.Add(FieldOAuthScope, choiceProblem("OAuth scope", c.OAuthScope, OAuthScopes))
	e.Add(FieldTokenLifetime, rangeProblem("Token lifetime", c.TokenLifetime, MinTokenLifetime, MaxTokenLifetime))
	e.Add(FieldMaxIdentityTokenLifetime, rangeProblem("Maximum identity token lifetime", c.MaxIdentityTokenLifetime, MinMaxIdentityTokenLifetime, MaxMaxIdentityTokenLifetime))
	e.Add(FieldFederationRuleID, requiredID(c.FederationRuleID, federationRuleID))
	e.Add(FieldOrganizationID, requiredID(c.OrganizationID, organizationID))
	e.Add(FieldWorkspaceID, WorkspaceIDProblem(c.WorkspaceID))
	e.Add(FieldClaims, claimsProblem(c.Claims))
	e.Add(FieldCondition, conditionProblem(c.Condition))
	e.Add(FieldIssuerID, optionalIDProblem(c.IssuerID, PrefixIssuer, "Federation issuer ID"))
	e.Add(FieldConsoleTokenRef, secretRefProblem(c.ConsoleTokenRef))
	if c.AnthropicBaseURL != "" {
		e.Add(FieldAnthropicBaseURL, anthropicURLProblem(c.AnthropicBaseURL))
	}
	e.Merge(textProblems(c, FieldServiceAccountID, FieldIssuerName, FieldIssuerURL, FieldJWKSSource, FieldInlineJWKS,
		FieldDiscoveryBase, FieldRuleName, FieldSubjectPrefix, FieldAudience, FieldOAuthScope, FieldFederationRuleID,
		FieldOrganizationID, FieldWorkspaceID, FieldAnthropicBaseURL, FieldCondition, FieldIssuerID, FieldConsoleTokenRef))
	return e
}

func requiredID(v string, k idKind) string {
	if v == "" {
		return required(k.label, k.where)
	}
	return k.problem(v)
}

func issuerURLProblem(c Connection) string {
	const label = "Issuer URL"
	v := c.IssuerURL
	if v == "" {
		return required(label, "enter the issuer exactly as it appears in the token's iss, e.g. authentik's https://authentik.company/application/o/<slug>/ (with the trailing slash).")
	}
	if p := urlProblem(label, v); p != "" {
		return p
	}
	// Only authentik's per-provider issuer is known to end with '/'; any other issuer's URL is
	// whatever it puts in iss, which only the token can tell.
	if KindOfIssuer(v) == IssuerAuthentik && !strings.HasSuffix(v, "/") {
		return fmt.Sprintf("%s must end with '/' like authentik's issuer — you entered %q; enter %q.", label, v, v+"/")
	}
	return ""
}

func inlineJWKSProblem(v string) string {
	const label = "Inline JWKS"
	if strings.TrimSpace(v) == "" {
		return required(label, "paste the JWKS (from the provider's jwks_uri) that you pasted into the Console.")
	}
	var set struct {
		Keys *[]map[string]any `json:"keys"`
	}
	if err := json.Unmarshal([]byte(v), &set); err != nil {
		return fmt.Sprintf("%s must be JSON like {\"keys\": [...]} — it could not be read (%v).", label, err)
	}
	if set.Keys == nil || len(*set.Keys) == 0 {
		return fmt.Sprintf("%s has no keys — authentik publishes {} when no Signing Key is selected on the provider: select one, then copy the JWKS again.", label)
	}
	for _, k := range *set.Keys {
		if hasPrivateMember(k) {
			return fmt.Sprintf("%s contains a private key (a \"d\" or \"k\" member) — paste only the public JWKS from the provider's jwks_uri, and replace that key.", label)
		}
	}
	return ""
}

func hasPrivateMember(k map[string]any) bool {
	for _, m := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
		if _, ok := k[m]; ok {
			return true
		}
	}
	return false
}

func ruleNameProblem(v string) string {
	const label = "Rule name"
	switch {
	case v == "":
		return required(label, "use lowercase letters, digits and '-', e.g. \"authentik-ci\".")
	case len(v) > 255:
		return fmt.Sprintf("%s is %d characters long — the Console allows at most 255.", label, len(v))
	case ruleNamePattern.MatchString(strings.ToLower(v)) && v != strings.ToLower(v):
		return fmt.Sprintf("%s must be lowercase — you entered %q; use %q.", label, v, strings.ToLower(v))
	case !ruleNamePattern.MatchString(v):
		return fmt.Sprintf("%s may contain only lowercase letters, digits and '-' — you entered %q.", label, v)
	}
	return ""
}

func subjectPrefixProblem(v string) string {
	const label = "Subject prefix"
	switch {
	case v == "":
		return required(label, "enter the token's sub exactly (shown on the sample token step), or a prefix ending with '*'.")
	case v == "*":
		return fmt.Sprintf("%s cannot be '*' alone — the Console does not allow matching every subject; enter the token's sub.", label)
	case strings.Contains(strings.TrimSuffix(v, "*"), "*"):
		return fmt.Sprintf("%s may contain '*' only at the end — you entered %q.", label, v)
	}
	// Inner spaces are legitimate: a username sub carries the provider's name as typed.
	return trimProblem(label, v)
}

// issuerKind is the kind the recorded issuer URL (or discovery base) shows.
func (c Connection) issuerKind() IssuerKind {
	return KindOfIssuer(c.IssuerURL, c.DiscoveryBase, c.TokenURL)
}

// audienceProblem: authentik sets aud to the Client ID; any other issuer sets it as configured,
// which only its tokens tell.
func audienceProblem(v, clientID string, kind IssuerKind) string {
	const label = "Audience"
	if v == "" {
		if !kind.Authentik() {
			return required(label, "it is the aud your issuer puts in its tokens.")
		}
		if clientID != "" {
			return required(label, fmt.Sprintf("it is the authentik Client ID, %q.", clientID))
		}
		return required(label, "it is the authentik Client ID.")
	}
	if p := spaceProblem(label, v); p != "" {
		return p
	}
	if kind.Authentik() && clientID != "" && v != clientID {
		return fmt.Sprintf("%s must be the authentik Client ID %q (authentik sets aud to it) — you entered %q.", label, clientID, v)
	}
	return ""
}

func rangeProblem(label string, d, lo, hi time.Duration) string {
	secs := func(d time.Duration) int64 { return int64(d / time.Second) }
	switch {
	case d == 0:
		return required(label, fmt.Sprintf("enter it in seconds, %d to %d (Console default %d).", secs(lo), secs(hi), secs(DefaultLifetime)))
	case d%time.Second != 0:
		return fmt.Sprintf("%s must be whole seconds — you entered %v.", label, d)
	case d < lo || d > hi:
		return fmt.Sprintf("%s must be between %d and %d seconds — you entered %d s.", label, secs(lo), secs(hi), secs(d))
	}
	return ""
}

// optionalIDProblem checks a tagged ID that may be left empty.
func optionalIDProblem(v, prefix, label string) string {
	if v == "" {
		return ""
	}
	if p := spaceProblem(label, v); p != "" {
		return p
	}
	if !strings.HasPrefix(v, prefix) || len(v) == len(prefix) {
		return fmt.Sprintf("%s must start with %s — you entered %q.", label, prefix, v)
	}
	return ""
}
