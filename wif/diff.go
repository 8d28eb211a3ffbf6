package wif

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Field is one recorded, non-secret setting of a connection, with the name its form input uses
// and the label a person reads.
type Field struct {
	Name  string
	Label string
	Get   func(Connection) string
}

// bulky fields hold documents (PEM, JWKS): an edit names their size, not their text.
var bulky = map[string]bool{"ca_pem": true, "inline_jwks": true}

func seconds(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + " s"
}

// Fields lists every recorded setting, authentik side first, then the Console side in Console order.
var Fields = []Field{
	{"name", "Connection name", func(c Connection) string { return c.Name }},
	{"authentik_url", "authentik URL", func(c Connection) string { return c.AuthentikURL }},
	{"app_slug", "Application slug", func(c Connection) string { return c.AppSlug }},
	{"provider_name", "Provider name", func(c Connection) string { return c.ProviderName }},
	{"issuer_url", "Issuer URL", func(c Connection) string { return c.IssuerURL }},
	{"discovery_base", "Discovery base", func(c Connection) string { return c.DiscoveryBase }},
	{"token_url", "Token URL", func(c Connection) string { return c.TokenURL }},
	{"client_id", "Client ID", func(c Connection) string { return c.ClientID }},
	{"access_token_validity", "Access token validity", func(c Connection) string { return c.AccessTokenValidity }},
	{"subject_mode", "Subject mode", func(c Connection) string { return c.SubjectMode }},
	{"scope", "Scope requested from authentik", func(c Connection) string { return c.Scope }},
	{"token_field", "Token field", func(c Connection) string { return c.TokenField }},
	{"ca_pem", "Extra CA certificate", func(c Connection) string { return c.CAPEM }},
	{"secret_ref", "Where the client secret lives", func(c Connection) string { return c.SecretRef }},
	{"service_account_id", "Service account ID", func(c Connection) string { return c.ServiceAccountID }},
	{"issuer_name", "Issuer name", func(c Connection) string { return c.IssuerName }},
	{"jwks_source", "JWKS source", func(c Connection) string { return c.JWKSSource }},
	{"inline_jwks", "Inline JWKS", func(c Connection) string { return c.InlineJWKS }},
	{"rule_name", "Rule name", func(c Connection) string { return c.RuleName }},
	{"subject_prefix", "Subject prefix", func(c Connection) string { return c.SubjectPrefix }},
	{"audience", "Audience", func(c Connection) string { return c.Audience }},
	{"oauth_scope", "OAuth scope", func(c Connection) string { return c.OAuthScope }},
	{"token_lifetime", "Token lifetime", func(c Connection) string { return seconds(c.TokenLifetime) }},
	{"max_identity_token_lifetime", "Maximum identity token lifetime", func(c Connection) string { return seconds(c.MaxIdentityTokenLifetime) }},
	{"claims", "Claims matchers", func(c Connection) string { return FormatClaims(c.Claims) }},
	{"condition", "CEL condition", func(c Connection) string { return c.Condition }},
	{"issuer_id", "Federation issuer ID", func(c Connection) string { return c.IssuerID }},
	{"federation_rule_id", "Federation rule ID", func(c Connection) string { return c.FederationRuleID }},
	{"organization_id", "Organization ID", func(c Connection) string { return c.OrganizationID }},
	{"workspace_id", "Workspace ID", func(c Connection) string { return c.WorkspaceID }},
	{"anthropic_base_url", "Anthropic API base URL", func(c Connection) string { return c.AnthropicBaseURL }},
	{"console_token_ref", "Where the Console API token lives", func(c Connection) string { return c.ConsoleTokenRef }},
	{"authentik_token_ref", "Where the authentik API token lives", func(c Connection) string { return c.AuthentikTokenRef }},
}

// FieldChange is one setting that an edit changed.
type FieldChange struct {
	Field  string
	Label  string
	Before string
	After  string
}

// Changes is the list of an edit's changes.
type Changes []FieldChange

// String reads like: Issuer URL: "https://a/x" → "https://a/x/"; Client ID: "" → "abc".
func (cs Changes) String() string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		if bulky[c.Field] {
			parts[i] = fmt.Sprintf("%s: %d → %d bytes", c.Label, len(c.Before), len(c.After))
			continue
		}
		parts[i] = fmt.Sprintf("%s: %q → %q", c.Label, short(c.Before), short(c.After))
	}
	return strings.Join(parts, "; ")
}

func short(s string) string {
	const max = 120
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}

// Names are the field names of the changes.
func (cs Changes) Names() []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Field
	}
	return out
}

// Diff lists the recorded settings that differ between before and after. Wizard progress and
// bookkeeping fields are not settings and are left out.
func Diff(before, after Connection) Changes {
	var cs Changes
	for _, f := range Fields {
		if b, a := f.Get(before), f.Get(after); b != a {
			cs = append(cs, FieldChange{Field: f.Name, Label: f.Label, Before: b, After: a})
		}
	}
	return cs
}
