package wif

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// Field names: a Connection's Go field names in snake_case. Web forms use them as input names and
// FieldErrors is keyed by them.
const (
	FieldName                     = "name"
	FieldAuthentikURL             = "authentik_url"
	FieldAppSlug                  = "app_slug"
	FieldProviderName             = "provider_name"
	FieldIssuerURL                = "issuer_url"
	FieldDiscoveryBase            = "discovery_base"
	FieldTokenURL                 = "token_url"
	FieldClientID                 = "client_id"
	FieldAccessTokenValidity      = "access_token_validity"
	FieldSubjectMode              = "subject_mode"
	FieldScope                    = "scope"
	FieldTokenField               = "token_field"
	FieldCAPEM                    = "ca_pem"
	FieldSecretRef                = "secret_ref"
	FieldServiceAccountID         = "service_account_id"
	FieldIssuerName               = "issuer_name"
	FieldJWKSSource               = "jwks_source"
	FieldInlineJWKS               = "inline_jwks"
	FieldRuleName                 = "rule_name"
	FieldSubjectPrefix            = "subject_prefix"
	FieldAudience                 = "audience"
	FieldOAuthScope               = "oauth_scope"
	FieldTokenLifetime            = "token_lifetime"
	FieldMaxIdentityTokenLifetime = "max_identity_token_lifetime"
	FieldFederationRuleID         = "federation_rule_id"
	FieldOrganizationID           = "organization_id"
	FieldWorkspaceID              = "workspace_id"
	FieldAnthropicBaseURL         = "anthropic_base_url"
	FieldClaims                   = "claims"
	FieldCondition                = "condition"
	FieldIssuerID                 = "issuer_id"
	FieldConsoleTokenRef          = "console_token_ref"
	FieldAuthentikTokenRef        = "authentik_token_ref"
)

// FieldErrors maps a field name to a message that says what to change. An empty map means valid.
type FieldErrors map[string]string

// Add records msg for field unless msg is empty or the field already has a message: the first
// problem found is the one to fix first.
func (e FieldErrors) Add(field, msg string) {
	if msg == "" {
		return
	}
	if _, ok := e[field]; !ok {
		e[field] = msg
	}
}

// Has reports whether field has a problem.
func (e FieldErrors) Has(field string) bool {
	_, ok := e[field]
	return ok
}

// Merge adds o's messages to e, keeping e's where both have one.
func (e FieldErrors) Merge(o FieldErrors) {
	for f, m := range o {
		e.Add(f, m)
	}
}

// Err is nil when there is no problem, else an error listing every message in field order.
func (e FieldErrors) Err() error {
	if len(e) == 0 {
		return nil
	}
	var errs []error
	for _, f := range slices.Sorted(maps.Keys(e)) {
		errs = append(errs, fmt.Errorf("%s: %s", f, e[f]))
	}
	return errors.Join(errs...)
}

// spaceProblem names whitespace in a value pasted where none is allowed; "" when there is none.
func spaceProblem(label, v string) string {
	switch {
	case v != strings.TrimSpace(v):
		return fmt.Sprintf("%s has spaces around it — you entered %q; remove them.", label, v)
	case strings.IndexFunc(v, unicode.IsSpace) >= 0:
		return fmt.Sprintf("%s must not contain spaces — you entered %q; copy it again in one piece.", label, v)
	}
	return ""
}

// trimProblem names leading or trailing whitespace in a free-text value.
func trimProblem(label, v string) string {
	if v != strings.TrimSpace(v) {
		return fmt.Sprintf("%s has spaces around it — you entered %q; remove them.", label, v)
	}
	return ""
}

// required says the field is empty, with where to find the value.
func required(label, where string) string {
	return fmt.Sprintf("%s is required — %s", label, where)
}

func lengthProblem(label, v string, maxRunes int) string {
	if n := len([]rune(v)); n > maxRunes {
		return fmt.Sprintf("%s is %d characters long — shorten it to at most %d.", label, n, maxRunes)
	}
	return ""
}
