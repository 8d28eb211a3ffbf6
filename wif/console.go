package wif

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// What the Anthropic Console holds for Workload Identity Federation, as its management API
// (/v1/organizations/…) returns it. The JSON tags are the API's field names, so a client decodes
// responses straight into these types. Pure data: no I/O.

// JWKS source types of a federation issuer; JWKSDiscovery and JWKSInline are in connection.go.
const JWKSExplicitURL = "explicit_url"

// Scopes a federation rule can grant. Only the workspace:developer (DefaultOAuthScope) and
// workspace:inference rules can be written through the API by an OAuth caller; the others need
// a Console session.
const (
	ScopeWorkspaceDeveloper = DefaultOAuthScope
	ScopeWorkspaceInference = "workspace:inference"
	ScopeOrgAdmin           = "org:admin"
	ScopeManageTunnels      = "workspace:manage_tunnels"
)

// Organization roles of a service account.
const (
	RoleDeveloper = "developer"
	RoleAdmin     = "admin"
)

// Workspace roles a service account can hold (workspace_billing is not one of them).
const (
	WorkspaceRoleAdmin               = "workspace_admin"
	WorkspaceRoleDeveloper           = "workspace_developer"
	WorkspaceRoleRestrictedDeveloper = "workspace_restricted_developer"
	WorkspaceRoleUser                = "workspace_user"
)

// Defaults the Console applies when a field is left out.
const (
	DefaultCheckJTI    = true
	DefaultAPIAudience = "https://api.anthropic.com" // aud wanted when a rule has no audience (uncertain)
)

// Organization is what GET /v1/organizations/me returns; ID is the organization_id of an exchange.
type Organization struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
}

// Workspace is one workspace of the organization (wrkspc_…).
type Workspace struct {
	ID           string     `json:"id"`
	Type         string     `json:"type,omitempty"`
	Name         string     `json:"name"`
	DisplayColor string     `json:"display_color,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	ArchivedAt   *time.Time `json:"archived_at"`
}

// ConsoleJWKS says where Anthropic takes an issuer's keys from. Type is JWKSDiscovery,
// JWKSExplicitURL or JWKSInline; Keys is the bare array of JWKs for inline (not {"keys": …}).
type ConsoleJWKS struct {
	Type          string          `json:"type"`
	DiscoveryBase string          `json:"discovery_base,omitempty"`
	URL           string          `json:"url,omitempty"`
	Keys          json.RawMessage `json:"keys,omitempty"`
	CACertPEM     string          `json:"ca_cert_pem,omitempty"`
}

// ConsoleIssuer is a federation issuer (fdis_…).
type ConsoleIssuer struct {
	ID                    string      `json:"id"`
	Type                  string      `json:"type,omitempty"`
	Name                  string      `json:"name"`
	IssuerURL             string      `json:"issuer_url"`
	JWKS                  ConsoleJWKS `json:"jwks"`
	MaxJWTLifetimeSeconds int         `json:"max_jwt_lifetime_seconds"`
	CheckJTI              bool        `json:"check_jti"`
	JWKSPollingDisabledAt *time.Time  `json:"jwks_polling_disabled_at,omitempty"`
	CreatedAt             time.Time   `json:"created_at"`
	UpdatedAt             time.Time   `json:"updated_at"`
	ArchivedAt            *time.Time  `json:"archived_at"`
}

// Archived reports whether the issuer was archived; its rules then refuse every exchange.
func (i ConsoleIssuer) Archived() bool { return i.ArchivedAt != nil }

// MaxJWTLifetime is the largest exp − iat the issuer accepts.
func (i ConsoleIssuer) MaxJWTLifetime() time.Duration {
	return time.Duration(i.MaxJWTLifetimeSeconds) * time.Second
}

// DiscoveryURL is the discovery document Anthropic reads in discovery mode.
func (i ConsoleIssuer) DiscoveryURL() string {
	base := i.JWKS.DiscoveryBase
	if base == "" {
		base = i.IssuerURL
	}
	return base + DiscoveryPath
}

// RuleMatch is a rule's match block: every populated matcher must hold.
type RuleMatch struct {
	SubjectPrefix string            `json:"subject_prefix,omitempty"`
	Audience      string            `json:"audience,omitempty"`
	Claims        map[string]string `json:"claims,omitempty"`
	Condition     string            `json:"condition,omitempty"`
}

// RuleTarget is what a rule authenticates as: always a service account.
type RuleTarget struct {
	Type               string `json:"type"` // "service_account"
	ServiceAccountID   string `json:"service_account_id"`
	ServiceAccountName string `json:"service_account_name,omitempty"`
}

// TargetServiceAccount is the only RuleTarget type.
const TargetServiceAccount = "service_account"

// ConsoleRule is a federation rule (fdrl_…). WorkspaceID is the legacy single enablement some
// responses still carry; WorkspaceIDs are the explicit enablements.
type ConsoleRule struct {
	ID                     string     `json:"id"`
	Type                   string     `json:"type,omitempty"`
	Name                   string     `json:"name"`
	Description            string     `json:"description,omitempty"`
	IssuerID               string     `json:"issuer_id"`
	IssuerName             string     `json:"issuer_name,omitempty"`
	Match                  RuleMatch  `json:"match"`
	Target                 RuleTarget `json:"target"`
	OAuthScope             string     `json:"oauth_scope"`
	TokenLifetimeSeconds   int        `json:"token_lifetime_seconds"`
	WorkspaceID            string     `json:"workspace_id,omitempty"`
	WorkspaceIDs           []string   `json:"workspace_ids"`
	AppliesToAllWorkspaces bool       `json:"applies_to_all_workspaces"`
	CreatedAt              time.Time  `json:"created_at"`
	UpdatedAt              time.Time  `json:"updated_at"`
	ArchivedAt             *time.Time `json:"archived_at"`
}

// Archived reports whether the rule was archived.
func (r ConsoleRule) Archived() bool { return r.ArchivedAt != nil }

// TokenLifetime is the lifetime the rule asks for minted tokens.
func (r ConsoleRule) TokenLifetime() time.Duration {
	return time.Duration(r.TokenLifetimeSeconds) * time.Second
}

// Workspaces lists the workspaces the rule is enabled in: the explicit enablements and the
// legacy single workspace, without duplicates.
func (r ConsoleRule) Workspaces() []string {
	ws := slices.Clone(r.WorkspaceIDs)
	if r.WorkspaceID != "" && !slices.Contains(ws, r.WorkspaceID) {
		ws = append(ws, r.WorkspaceID)
	}
	return ws
}

// WorkspaceRequired reports whether an exchange must name its workspace: the rule applies to
// all workspaces or is enabled in more than one.
func (r ConsoleRule) WorkspaceRequired() bool {
	return r.AppliesToAllWorkspaces || len(r.Workspaces()) > 1
}

// EnabledIn reports whether the rule admits an exchange for workspace ws ("" when the exchange
// names none).
func (r ConsoleRule) EnabledIn(ws string) bool {
	enabled := r.Workspaces()
	if ws == "" {
		return !r.WorkspaceRequired() && len(enabled) == 1
	}
	return r.AppliesToAllWorkspaces || slices.Contains(enabled, ws)
}

// Scopes splits the rule's space-separated oauth_scope.
func (r ConsoleRule) Scopes() []string { return splitScopes(r.OAuthScope) }

// ServiceAccount is a Console service account (svac_…).
type ServiceAccount struct {
	ID               string     `json:"id"`
	Type             string     `json:"type,omitempty"`
	Name             string     `json:"name"`
	Description      string     `json:"description,omitempty"`
	OrganizationRole string     `json:"organization_role"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	ArchivedAt       *time.Time `json:"archived_at"`
}

// Archived reports whether the service account was archived.
func (a ServiceAccount) Archived() bool { return a.ArchivedAt != nil }

// AllowsScope reports whether the account's organization role can hold scope: org:admin needs
// the admin role; the workspace scopes any role.
func (a ServiceAccount) AllowsScope(scope string) bool {
	for _, s := range splitScopes(scope) {
		if s == ScopeOrgAdmin && a.OrganizationRole != RoleAdmin {
			return false
		}
	}
	return true
}

// Membership is a service account's membership of a workspace. Implicit is the automatic
// membership of the default workspace, which cannot be removed.
type Membership struct {
	Type             string `json:"type,omitempty"`
	ServiceAccountID string `json:"service_account_id"`
	WorkspaceID      string `json:"workspace_id"`
	WorkspaceRole    string `json:"workspace_role"`
	Implicit         bool   `json:"implicit"`
}

// RuleWorkspace is one explicit enablement of a rule in a workspace.
type RuleWorkspace struct {
	Type             string    `json:"type,omitempty"`
	FederationRuleID string    `json:"federation_rule_id"`
	WorkspaceID      string    `json:"workspace_id"`
	CreatedAt        time.Time `json:"created_at,omitzero"`
}

// IsMember reports whether memberships include workspace ws.
func IsMember(memberships []Membership, ws string) bool {
	return slices.ContainsFunc(memberships, func(m Membership) bool { return m.WorkspaceID == ws })
}

// OAuthCallerMayWrite reports whether an OAuth caller (a user's token or a federated one) may
// create or change a rule with this scope; the other scopes need a Console session.
func OAuthCallerMayWrite(scope string) bool {
	for _, s := range splitScopes(scope) {
		if s != ScopeWorkspaceDeveloper && s != ScopeWorkspaceInference {
			return false
		}
	}
	return true
}

func splitScopes(scope string) []string { return strings.Fields(scope) }
