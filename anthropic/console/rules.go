package console

import (
	"context"
	"net/url"

	"github.com/wifwiz/wifwiz/wif"
)

// NewRule is what CreateRule sends. WorkspaceID is required unless AppliesToAllWorkspaces;
// a zero TokenLifetimeSeconds is the Console's 3600.
type NewRule struct {
	Name                   string
	Description            string
	IssuerID               string
	Match                  wif.RuleMatch
	ServiceAccountID       string
	OAuthScope             string
	TokenLifetimeSeconds   int
	WorkspaceID            string
	AppliesToAllWorkspaces bool
}

func (n NewRule) body() any {
	return struct {
		Name                   string         `json:"name"`
		Description            string         `json:"description,omitempty"`
		IssuerID               string         `json:"issuer_id"`
		Match                  wif.RuleMatch  `json:"match"`
		Target                 wif.RuleTarget `json:"target"`
		OAuthScope             string         `json:"oauth_scope"`
		TokenLifetimeSeconds   int            `json:"token_lifetime_seconds,omitempty"`
		WorkspaceID            string         `json:"workspace_id,omitempty"`
		AppliesToAllWorkspaces bool           `json:"applies_to_all_workspaces,omitempty"`
	}{n.Name, n.Description, n.IssuerID, n.Match, target(n.ServiceAccountID), n.OAuthScope, n.TokenLifetimeSeconds, n.WorkspaceID, n.AppliesToAllWorkspaces}
}

func target(serviceAccountID string) wif.RuleTarget {
	return wif.RuleTarget{Type: wif.TargetServiceAccount, ServiceAccountID: serviceAccountID}
}

// RuleUpdate changes the fields that are not nil; Match and the target replace the whole
// object. WorkspaceID replaces the single enablement (refused when the rule is in several).
type RuleUpdate struct {
	Name                   *string
	Description            *string
	Match                  *wif.RuleMatch
	ServiceAccountID       *string
	OAuthScope             *string
	TokenLifetimeSeconds   *int
	WorkspaceID            *string
	AppliesToAllWorkspaces *bool
}

func (u RuleUpdate) body() any {
	var t *wif.RuleTarget
	if u.ServiceAccountID != nil {
		v := target(*u.ServiceAccountID)
		t = &v
	}
	return struct {
		Name                   *string         `json:"name,omitempty"`
		Description            *string         `json:"description,omitempty"`
		Match                  *wif.RuleMatch  `json:"match,omitempty"`
		Target                 *wif.RuleTarget `json:"target,omitempty"`
		OAuthScope             *string         `json:"oauth_scope,omitempty"`
		TokenLifetimeSeconds   *int            `json:"token_lifetime_seconds,omitempty"`
		WorkspaceID            *string         `json:"workspace_id,omitempty"`
		AppliesToAllWorkspaces *bool           `json:"applies_to_all_workspaces,omitempty"`
	}{u.Name, u.Description, u.Match, t, u.OAuthScope, u.TokenLifetimeSeconds, u.WorkspaceID, u.AppliesToAllWorkspaces}
}

// RuleListOptions narrows the rules listed; IssuerID keeps one issuer's rules.
type RuleListOptions struct {
	IssuerID        string
	IncludeArchived bool
}

const rulesPath = "/federation_rules"

func rulePath(id string) string { return rulesPath + "/" + url.PathEscape(id) }

// Rules lists the federation rules, newest first.
func (c *Client) Rules(ctx context.Context, o RuleListOptions) ([]wif.ConsoleRule, error) {
	q := ListOptions{IncludeArchived: o.IncludeArchived}.query()
	if o.IssuerID != "" {
		q.Set("issuer_id", o.IssuerID)
	}
	return listAll[wif.ConsoleRule](ctx, c, rulesPath, q)
}

// Rule reads one federation rule.
func (c *Client) Rule(ctx context.Context, id string) (wif.ConsoleRule, error) {
	var r wif.ConsoleRule
	return r, c.do(ctx, request{method: "GET", path: rulePath(id)}, &r)
}

// RuleByName finds the live rule with that name.
func (c *Client) RuleByName(ctx context.Context, name string) (wif.ConsoleRule, bool, error) {
	all, err := c.Rules(ctx, RuleListOptions{})
	if err != nil {
		return wif.ConsoleRule{}, false, err
	}
	r, ok := find(all, func(r wif.ConsoleRule) bool { return r.Name == name })
	return r, ok, nil
}

// CreateRule creates a federation rule; only the workspace:developer and workspace:inference
// scopes can be created with an OAuth token (KindConsoleSession otherwise).
func (c *Client) CreateRule(ctx context.Context, n NewRule) (wif.ConsoleRule, error) {
	var r wif.ConsoleRule
	return r, c.do(ctx, request{method: "POST", path: rulesPath, body: n.body(), name: n.Name, scope: n.OAuthScope}, &r)
}

// UpdateRule changes a federation rule.
func (c *Client) UpdateRule(ctx context.Context, id string, u RuleUpdate) (wif.ConsoleRule, error) {
	var r wif.ConsoleRule
	req := request{method: "POST", path: rulePath(id), body: u.body()}
	if u.Name != nil {
		req.name = *u.Name
	}
	if u.OAuthScope != nil {
		req.scope = *u.OAuthScope
	}
	return r, c.do(ctx, req, &r)
}

// ArchiveRule archives a federation rule (idempotent); its workspace enablements are dropped.
func (c *Client) ArchiveRule(ctx context.Context, id string) (wif.ConsoleRule, error) {
	var r wif.ConsoleRule
	return r, c.do(ctx, request{method: "POST", path: rulePath(id) + "/archive"}, &r)
}

// RuleWorkspaces lists a rule's explicit workspace enablements (one page holds them all).
func (c *Client) RuleWorkspaces(ctx context.Context, ruleID string) ([]wif.RuleWorkspace, error) {
	return listAll[wif.RuleWorkspace](ctx, c, rulePath(ruleID)+"/workspaces", url.Values{})
}

// EnableRuleInWorkspace enables a rule in a workspace.
func (c *Client) EnableRuleInWorkspace(ctx context.Context, ruleID, workspaceID string) (wif.RuleWorkspace, error) {
	var w wif.RuleWorkspace
	body := map[string]string{"workspace_id": workspaceID}
	return w, c.do(ctx, request{method: "POST", path: rulePath(ruleID) + "/workspaces", body: body}, &w)
}

// DisableRuleInWorkspace disables a rule in a workspace (idempotent).
func (c *Client) DisableRuleInWorkspace(ctx context.Context, ruleID, workspaceID string) error {
	return c.do(ctx, request{method: "DELETE", path: rulePath(ruleID) + "/workspaces/" + url.PathEscape(workspaceID)}, nil)
}
