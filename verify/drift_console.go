package verify

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// consoleDrift names what changed in the Console between two runs that both read it: the rule
// edited or archived (its match, lifetime, scope, target or workspaces), the issuer's key source
// or limits, the service account archived, its role changed or removed from a workspace.
func consoleDrift(prev, cur *ConsoleState) []wif.Drift {
	if prev == nil || cur == nil {
		return nil
	}
	var out []wif.Drift
	add := func(kind, before, after, msg string) {
		if d, ok := valueDrift(kind, before, after, msg); ok {
			out = append(out, d)
		}
	}
	if p, c := prev.Rule, cur.Rule; p != nil {
		if c == nil {
			c = &wif.ConsoleRule{}
		}
		add(DriftConsoleRule, p.ID, c.ID, "the federation rule can no longer be read: it was deleted, or the recorded ID changed")
		add(DriftConsoleRule, archivedText(p.ArchivedAt != nil), archivedText(c.ArchivedAt != nil), "the federation rule was archived or restored in the Console")
		add(DriftConsoleRule, matchText(p.Match), matchText(c.Match), "the rule's match block was edited in the Console")
		add(DriftConsoleRule, fmt.Sprintf("%d s", p.TokenLifetimeSeconds), fmt.Sprintf("%d s", c.TokenLifetimeSeconds), "the rule's token lifetime was changed in the Console")
		add(DriftConsoleRule, p.OAuthScope, c.OAuthScope, "the rule's OAuth scope was changed in the Console")
		add(DriftConsoleRule, p.Target.ServiceAccountID, c.Target.ServiceAccountID, "the rule now targets another service account")
		add(DriftConsoleRule, workspacesText(p), workspacesText(c), "the workspaces the rule is enabled in changed")
	}
	if p, c := prev.Issuer, cur.Issuer; p != nil {
		if c == nil {
			c = &wif.ConsoleIssuer{}
		}
		add(DriftConsoleIssuer, archivedText(p.ArchivedAt != nil), archivedText(c.ArchivedAt != nil), "the federation issuer was archived or restored in the Console")
		add(DriftConsoleIssuer, p.IssuerURL, c.IssuerURL, "the issuer's issuer_url was changed in the Console")
		add(DriftConsoleIssuer, jwksText(p.JWKS), jwksText(c.JWKS), "the issuer's JWKS source was changed in the Console")
		add(DriftConsoleIssuer, fmt.Sprintf("%d s", p.MaxJWTLifetimeSeconds), fmt.Sprintf("%d s", c.MaxJWTLifetimeSeconds), "the issuer's maximum JWT lifetime was changed in the Console")
	}
	if p, c := prev.ServiceAccount, cur.ServiceAccount; p != nil {
		if c == nil {
			c = &wif.ServiceAccount{}
		}
		add(DriftConsoleAccount, archivedText(p.ArchivedAt != nil), archivedText(c.ArchivedAt != nil), "the service account was archived or restored in the Console")
		add(DriftConsoleAccount, p.OrganizationRole, c.OrganizationRole, "the service account's organization role changed")
		if gone := removed(prev.Memberships, cur.Memberships); len(gone) > 0 {
			out = append(out, wif.Drift{Kind: DriftConsoleAccount, Before: membersText(prev.Memberships), After: membersText(cur.Memberships),
				Message: "the service account was removed from workspace " + strings.Join(gone, ", ")})
		}
	}
	return out
}

func archivedText(archived bool) string {
	if archived {
		return "archived"
	}
	return "live"
}

func matchText(m wif.RuleMatch) string {
	b, _ := json.Marshal(m)
	return string(b)
}

func workspacesText(r *wif.ConsoleRule) string {
	if r.AppliesToAllWorkspaces {
		return "all"
	}
	ws := r.Workspaces()
	slices.Sort(ws)
	return strings.Join(ws, ", ")
}

func jwksText(j wif.ConsoleJWKS) string {
	switch j.Type {
	case wif.JWKSInline:
		return "inline keys " + kidList(inlineSet(j.Keys))
	case wif.JWKSExplicitURL:
		return "explicit_url " + j.URL
	case "":
		return ""
	}
	if j.DiscoveryBase != "" {
		return "discovery from " + j.DiscoveryBase
	}
	return "discovery"
}

func membersText(ms []wif.Membership) string {
	var ws []string
	for _, m := range ms {
		ws = append(ws, m.WorkspaceID)
	}
	slices.Sort(ws)
	return strings.Join(ws, ", ")
}

// removed lists the workspaces of prev that cur lacks.
func removed(prev, cur []wif.Membership) []string {
	var out []string
	for _, m := range prev {
		if !wif.IsMember(cur, m.WorkspaceID) {
			out = append(out, m.WorkspaceID)
		}
	}
	return out
}
