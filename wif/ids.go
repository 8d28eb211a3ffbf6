package wif

import (
	"fmt"
	"regexp"
	"strings"
)

// idKind is one type of Anthropic Console ID (docs/facts.md, Anthropic: "IDs").
type idKind struct {
	label  string // as the Console names it
	prefix string // empty for the organization's UUID
	where  string // where to copy it from
}

var (
	federationRuleID = idKind{"Federation rule ID", PrefixFederationRule, "copy it from the federation rule's page in the Console after saving the rule."}
	serviceAccountID = idKind{"Service account ID", PrefixServiceAccount, "copy it from Console → Service accounts."}
	organizationID   = idKind{"Organization ID", "", "copy it from Console → Settings → Organization."}
	workspaceID      = idKind{"Workspace ID", PrefixWorkspace, "copy it from Console → Workspaces, or leave it empty."}
)

// idNames say what a value with a known prefix is, to name a value pasted into the wrong field.
var idNames = map[string]string{
	PrefixFederationRule: "a federation rule ID",
	PrefixServiceAccount: "a service account ID",
	PrefixIssuer:         "an issuer ID",
	PrefixWorkspace:      "a workspace ID",
}

// apiKeyPrefix marks an Anthropic API key or access token: never echoed back.
const apiKeyPrefix = "sk-ant-"

var (
	idSuffixPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	uuidPattern     = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// FederationRuleIDProblem says what is wrong with a federation rule ID; "" when it is empty or valid.
func FederationRuleIDProblem(v string) string { return federationRuleID.problem(v) }

// ServiceAccountIDProblem says what is wrong with a service account ID; "" when it is empty or valid.
func ServiceAccountIDProblem(v string) string { return serviceAccountID.problem(v) }

// OrganizationIDProblem says what is wrong with an organization ID; "" when it is empty or valid.
func OrganizationIDProblem(v string) string { return organizationID.problem(v) }

// WorkspaceIDProblem says what is wrong with a workspace ID; "" when it is empty, "default" or valid.
func WorkspaceIDProblem(v string) string {
	if v == DefaultWorkspace {
		return ""
	}
	return workspaceID.problem(v)
}

// LooksLikeAPIKey reports whether v is an Anthropic API key or access token pasted by mistake:
// such a value must never be echoed.
func LooksLikeAPIKey(v string) bool {
	return strings.HasPrefix(strings.TrimSpace(v), apiKeyPrefix)
}

func (k idKind) problem(v string) string {
	if v == "" {
		return ""
	}
	if LooksLikeAPIKey(v) {
		return fmt.Sprintf("%s: you pasted an Anthropic API key or token, not an ID — %s Treat that key as leaked if it was shared.", k.label, k.where)
	}
	if p := spaceProblem(k.label, v); p != "" {
		return p
	}
	if k.prefix == "" {
		return k.uuidProblem(v)
	}
	return k.prefixProblem(v)
}

func (k idKind) uuidProblem(v string) string {
	if uuidPattern.MatchString(v) {
		return ""
	}
	if name := idName(v); name != "" {
		return fmt.Sprintf("%s must be a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) — you entered %s, %q; %s", k.label, name, v, k.where)
	}
	return fmt.Sprintf("%s must be a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) — you entered %q; %s", k.label, v, k.where)
}

func (k idKind) prefixProblem(v string) string {
	if !strings.HasPrefix(v, k.prefix) {
		if name := idName(v); name != "" {
			return fmt.Sprintf("%s must start with %q — you entered %s, %q; %s", k.label, k.prefix, name, v, k.where)
		}
		return fmt.Sprintf("%s must start with %q — you entered %q; %s", k.label, k.prefix, v, k.where)
	}
	if !idSuffixPattern.MatchString(strings.TrimPrefix(v, k.prefix)) {
		return fmt.Sprintf("%s must be %q followed by letters and digits — you entered %q; %s", k.label, k.prefix, v, k.where)
	}
	return ""
}

func idName(v string) string {
	for prefix, name := range idNames {
		if strings.HasPrefix(v, prefix) {
			return name
		}
	}
	if uuidPattern.MatchString(v) {
		return "a UUID (the organization ID?)"
	}
	return ""
}
