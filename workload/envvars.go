package workload

import (
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// Environment variables the Anthropic SDKs and CLI read (docs/facts.md, Anthropic: "Environment variables").
const (
	EnvFederationRuleID  = "ANTHROPIC_FEDERATION_RULE_ID"
	EnvOrganizationID    = "ANTHROPIC_ORGANIZATION_ID"
	EnvServiceAccountID  = "ANTHROPIC_SERVICE_ACCOUNT_ID"
	EnvIdentityTokenFile = "ANTHROPIC_IDENTITY_TOKEN_FILE"
	EnvIdentityToken     = "ANTHROPIC_IDENTITY_TOKEN"
	EnvWorkspaceID       = "ANTHROPIC_WORKSPACE_ID"
	EnvBaseURL           = "ANTHROPIC_BASE_URL"
)

// Overriding lists the variables that take precedence over federation — even empty in some
// clients — so a migrated workload must unset them (docs/facts.md).
var Overriding = []string{"ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"}

// Kind says how an EnvVar is rendered.
type Kind int

const (
	Recorded      Kind = iota // Value is the recorded value
	Placeholder               // not recorded yet: Value is a placeholder, Comment says where to find it
	SetByWorkload             // not set here: Value is empty, Comment says how the workload sets it
)

// EnvVar is one variable of the workload's environment.
type EnvVar struct {
	Name    string
	Value   string
	Comment string // rendered as comment lines above the variable; may be empty
	Kind    Kind
}

// Placeholders for Console IDs not recorded yet: obviously not IDs, rejected by Anthropic.
const (
	PlaceholderFederationRuleID = wif.PrefixFederationRule + "…"
	PlaceholderServiceAccountID = wif.PrefixServiceAccount + "…"
	PlaceholderOrganizationID   = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
)

// EnvVars lists the workload's variables in a fixed order: the three IDs, the identity token,
// then the workspace ID and the API base URL when they apply.
func EnvVars(c wif.Connection, o Options) []EnvVar {
	o = o.withDefaults()
	vars := []EnvVar{
		consoleID(EnvFederationRuleID, c.FederationRuleID, PlaceholderFederationRuleID,
			"federation rule ID — copy it from the federation rule's page in the Console after saving the rule."),
		consoleID(EnvOrganizationID, c.OrganizationID, PlaceholderOrganizationID,
			"organization ID (a UUID) — copy it from Console → Settings → Organization."),
		consoleID(EnvServiceAccountID, c.ServiceAccountID, PlaceholderServiceAccountID,
			"service account ID — copy it from Console → Service accounts."),
		identityToken(o),
	}
	if c.WorkspaceID != "" {
		vars = append(vars, consoleID(EnvWorkspaceID, c.WorkspaceID, wif.PrefixWorkspace+"…",
			"workspace ID — copy it from Console → Workspaces."))
	}
	if base := customBaseURL(c); base != "" {
		vars = append(vars, EnvVar{Name: EnvBaseURL, Value: redactTokens(base), Kind: Recorded})
	}
	return vars
}

func consoleID(name, value, placeholder, what string) EnvVar {
	switch {
	case value == "":
		return EnvVar{Name: name, Value: placeholder, Kind: Placeholder, Comment: "TODO: " + what}
	case looksLikeToken(value):
		return EnvVar{Name: name, Value: placeholder, Kind: Placeholder,
			Comment: "TODO: the recorded value looks like a token or API key and is not shown; " + what}
	}
	return EnvVar{Name: name, Value: value, Kind: Recorded}
}

// SingleUseNote is what a workload must know about the identity token file.
const SingleUseNote = "Re-read at every exchange, and each token in it can be exchanged only once: one refresher " +
	"and one file per workload process, never one file shared by several processes (docs/refresh.md). " +
	"A refresher keeps it fresh (see the token refresh setups)."

func identityToken(o Options) EnvVar {
	if o.TokenSource == TokenFromEnv {
		return EnvVar{Name: EnvIdentityToken, Kind: SetByWorkload, Comment: EnvIdentityToken +
			" is not set here: the workload must set it itself from a fresh authentik token" +
			" before each exchange (never a stored value): each token can be exchanged only once. Leave " +
			EnvIdentityTokenFile + " unset: the file wins when both are set."}
	}
	return EnvVar{Name: EnvIdentityTokenFile, Value: o.TokenFile, Kind: Recorded, Comment: SingleUseNote}
}

// customBaseURL is the connection's Anthropic API base URL, or "" when it is the default.
func customBaseURL(c wif.Connection) string {
	base := strings.TrimRight(c.AnthropicBaseURL, "/")
	if base == "" || base == wif.DefaultAnthropicBaseURL {
		return ""
	}
	return c.AnthropicBaseURL
}
