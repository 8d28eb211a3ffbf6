package console

import (
	"context"

	"github.com/wifwiz/wifwiz/wif"
)

// Admin is a Client whose arguments are wif's own types, for a caller that declares the
// interface it needs (wifwiz's use cases) without importing this package. Lists hold live
// objects only.
type Admin struct{ c *Client }

// NewAdmin wraps c.
func NewAdmin(c *Client) Admin { return Admin{c: c} }

// String names the client without its token.
func (a Admin) String() string { return a.c.String() }

func (a Admin) Organization(ctx context.Context) (wif.Organization, error) {
	return a.c.Organization(ctx)
}

func (a Admin) Issuers(ctx context.Context) ([]wif.ConsoleIssuer, error) {
	return a.c.Issuers(ctx, ListOptions{})
}

func (a Admin) Issuer(ctx context.Context, id string) (wif.ConsoleIssuer, error) {
	return a.c.Issuer(ctx, id)
}

func (a Admin) Rules(ctx context.Context, issuerID string) ([]wif.ConsoleRule, error) {
	return a.c.Rules(ctx, RuleListOptions{IssuerID: issuerID})
}

func (a Admin) Rule(ctx context.Context, id string) (wif.ConsoleRule, error) {
	return a.c.Rule(ctx, id)
}

func (a Admin) RuleWorkspaces(ctx context.Context, ruleID string) ([]wif.RuleWorkspace, error) {
	return a.c.RuleWorkspaces(ctx, ruleID)
}

func (a Admin) ServiceAccounts(ctx context.Context) ([]wif.ServiceAccount, error) {
	return a.c.ServiceAccounts(ctx, ListOptions{})
}

func (a Admin) ServiceAccount(ctx context.Context, id string) (wif.ServiceAccount, error) {
	return a.c.ServiceAccount(ctx, id)
}

func (a Admin) Memberships(ctx context.Context, serviceAccountID string) ([]wif.Membership, error) {
	return a.c.Memberships(ctx, serviceAccountID)
}

// CreateIssuer creates i: its name, issuer URL, key source, maximum JWT lifetime and check_jti.
func (a Admin) CreateIssuer(ctx context.Context, i wif.ConsoleIssuer) (wif.ConsoleIssuer, error) {
	jwks := i.JWKS
	return a.c.CreateIssuer(ctx, NewIssuer{Name: i.Name, IssuerURL: i.IssuerURL, JWKS: &jwks,
		MaxJWTLifetimeSeconds: i.MaxJWTLifetimeSeconds, CheckJTI: &i.CheckJTI})
}

// UpdateIssuer sets the issuer's issuer URL, key source and maximum JWT lifetime to i's.
func (a Admin) UpdateIssuer(ctx context.Context, id string, i wif.ConsoleIssuer) (wif.ConsoleIssuer, error) {
	jwks := i.JWKS
	return a.c.UpdateIssuer(ctx, id, IssuerUpdate{IssuerURL: &i.IssuerURL, JWKS: &jwks, MaxJWTLifetimeSeconds: &i.MaxJWTLifetimeSeconds})
}

func (a Admin) CreateServiceAccount(ctx context.Context, s wif.ServiceAccount) (wif.ServiceAccount, error) {
	return a.c.CreateServiceAccount(ctx, NewServiceAccount{Name: s.Name, Description: s.Description, OrganizationRole: s.OrganizationRole})
}

func (a Admin) AddMembership(ctx context.Context, m wif.Membership) (wif.Membership, error) {
	return a.c.AddMembership(ctx, m.ServiceAccountID, m.WorkspaceID, m.WorkspaceRole)
}

// CreateRule creates r on its issuer, targeting its service account, enabled in r.WorkspaceID
// (or in every workspace).
func (a Admin) CreateRule(ctx context.Context, r wif.ConsoleRule) (wif.ConsoleRule, error) {
	return a.c.CreateRule(ctx, NewRule{Name: r.Name, Description: r.Description, IssuerID: r.IssuerID, Match: r.Match,
		ServiceAccountID: r.Target.ServiceAccountID, OAuthScope: r.OAuthScope, TokenLifetimeSeconds: r.TokenLifetimeSeconds,
		WorkspaceID: r.WorkspaceID, AppliesToAllWorkspaces: r.AppliesToAllWorkspaces})
}

// UpdateRule sets the rule's match block, target, scope and token lifetime to r's.
func (a Admin) UpdateRule(ctx context.Context, id string, r wif.ConsoleRule) (wif.ConsoleRule, error) {
	return a.c.UpdateRule(ctx, id, RuleUpdate{Match: &r.Match, ServiceAccountID: &r.Target.ServiceAccountID,
		OAuthScope: &r.OAuthScope, TokenLifetimeSeconds: &r.TokenLifetimeSeconds})
}

func (a Admin) EnableRuleInWorkspace(ctx context.Context, ruleID, workspaceID string) error {
	_, err := a.c.EnableRuleInWorkspace(ctx, ruleID, workspaceID)
	return err
}
