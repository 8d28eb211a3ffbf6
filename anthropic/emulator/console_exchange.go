package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// defaultAudience is what aud must hold when a rule has no audience. Anthropic does not spell the
// value out; its own guides request this one.
const defaultAudience = "https://api.anthropic.com"

// consoleFacts are what an exchange through a Console-made rule checks beyond a configured Rule.
type consoleFacts struct {
	issuerArchived bool
	account        *ServiceAccount // nil: the target does not exist
	members        []string        // workspaces the account is a member of
	allWorkspaces  bool
	legacyOnly     bool // enabled only through the legacy workspace_id: membership not enforced
}

// consoleRule is the exchange's view of a rule made through the management API.
func (s *Server) consoleRule(id string) (Rule, bool) {
	var r Rule
	var ok bool
	s.withConsole(func(c *console) {
		fr := c.rules[id]
		iss := (*FederationIssuer)(nil)
		if fr != nil {
			iss = c.issuers[fr.IssuerID]
		}
		if fr == nil || iss == nil {
			return
		}
		r, ok = c.exchangeRule(fr, iss), true
	})
	return r, ok
}

func (c *console) exchangeRule(fr *FederationRule, iss *FederationIssuer) Rule {
	r := Rule{
		ID: fr.ID, OrganizationID: c.orgID, ServiceAccountID: fr.Target.ServiceAccountID, IssuerURL: iss.IssuerURL,
		SubjectPrefix: fr.Match.SubjectPrefix, Audience: fr.Match.Audience, Claims: cloneMap(fr.Match.Claims), Condition: fr.Match.Condition,
		Scope: fr.OAuthScope, TokenLifetime: time.Duration(fr.TokenLifetimeSeconds) * time.Second,
		MaxIdentityTokenLifetime: time.Duration(iss.MaxJWTLifetimeSeconds) * time.Second,
		Workspaces:               slices.Clone(fr.WorkspaceIDs), Archived: fr.ArchivedAt != nil, AllowJTIReuse: !iss.CheckJTI,
	}
	if r.Audience == "" {
		r.Audience = defaultAudience
	}
	if fr.LegacyWorkspaceID != nil && !slices.Contains(r.Workspaces, *fr.LegacyWorkspaceID) {
		r.Workspaces = append(r.Workspaces, *fr.LegacyWorkspaceID)
	}
	setKeySource(&r, iss)
	f := &consoleFacts{issuerArchived: iss.ArchivedAt != nil, allWorkspaces: fr.AppliesToAllWorkspaces,
		legacyOnly: fr.LegacyWorkspaceID != nil && len(fr.WorkspaceIDs) == 0}
	if a := c.accounts[fr.Target.ServiceAccountID]; a != nil {
		copied := *a
		f.account = &copied
		for _, m := range c.memberships(a.ID) {
			f.members = append(f.members, m.WorkspaceID)
		}
	}
	r.console = f
	return r
}

// setKeySource gives the rule the issuer's JWKS source: inline keys, an explicit URL, or
// discovery through <discovery_base or issuer_url>/.well-known/openid-configuration.
func setKeySource(r *Rule, iss *FederationIssuer) {
	ca := []byte(iss.JWKS.CACertPEM)
	switch iss.JWKS.Type {
	case "inline":
		var ks jose.JSONWebKeySet
		if err := json.Unmarshal([]byte(`{"keys":`+string(iss.JWKS.Keys)+`}`), &ks); err != nil {
			r.KeySet = func(context.Context) (jose.JSONWebKeySet, error) {
				return ks, fmt.Errorf("inline keys: %w", err)
			}
			return
		}
		r.JWKS = &ks
	case "explicit_url":
		r.JWKSURL, r.CAPEM = iss.JWKS.URL, ca
	default:
		base := iss.JWKS.DiscoveryBase
		if base == "" {
			base = iss.IssuerURL
		}
		r.KeySet = discoveryKeys(base+"/.well-known/openid-configuration", ca)
	}
}

func discoveryKeys(discoveryURL string, caPEM []byte) func(context.Context) (jose.JSONWebKeySet, error) {
	return func(ctx context.Context) (jose.JSONWebKeySet, error) {
		body, err := fetch(ctx, discoveryURL, caPEM)
		if err != nil {
			return jose.JSONWebKeySet{}, fmt.Errorf("discovery: %w", err)
		}
		var doc struct {
			JWKSURI string `json:"jwks_uri"`
		}
		if err := json.Unmarshal(body, &doc); err != nil || doc.JWKSURI == "" {
			return jose.JSONWebKeySet{}, fmt.Errorf("discovery %s has no jwks_uri", discoveryURL)
		}
		return fetchJWKS(ctx, doc.JWKSURI, caPEM)
	}
}

// admits applies the Console-side conditions of an exchange: a live issuer, a live target with a
// role that can hold the scope, and a workspace the rule is enabled in and the account belongs to.
func (f *consoleFacts) admits(r Rule, ws string) *denial {
	switch {
	case f.issuerArchived:
		return &denial{reason: DenyIssuer, detail: "the rule's issuer is archived", history: HistoryIssuerArchived}
	case f.account == nil || f.account.ArchivedAt != nil:
		return &denial{reason: DenyServiceAccount, detail: "service account " + r.ServiceAccountID + " is archived or gone", history: HistoryAccountArchived}
	case slices.Contains(strings.Fields(r.Scope), scopeOrgAdmin) && f.account.OrganizationRole != roleAdmin:
		return &denial{reason: DenyServiceAccount, detail: "the rule grants org:admin but service account " + r.ServiceAccountID + " has the developer role", history: HistoryAccountRole}
	}
	ws, d := f.workspace(r, ws)
	if d != nil {
		return d
	}
	if !f.legacyOnly && !slices.Contains(f.members, ws) {
		return &denial{reason: DenyServiceAccount, detail: fmt.Sprintf("service account %s is not a member of workspace %s", r.ServiceAccountID, ws), history: HistoryNotMember}
	}
	return nil
}

func (f *consoleFacts) workspace(r Rule, asked string) (string, *denial) {
	switch {
	case asked == "" && (f.allWorkspaces || len(r.Workspaces) > 1):
		return "", &denial{reason: DenyWorkspace, detail: "the rule is enabled in several workspaces (or all) and no workspace_id was sent", history: HistoryWorkspaceReq}
	case asked == "" && len(r.Workspaces) == 0:
		return "", &denial{reason: DenyWorkspace, detail: "the rule is enabled in no workspace", history: HistoryWorkspace}
	case asked == "":
		return r.Workspaces[0], nil
	case !f.allWorkspaces && !slices.Contains(r.Workspaces, asked):
		return "", &denial{reason: DenyWorkspace, detail: fmt.Sprintf("workspace %q is not enabled for the rule", asked), history: HistoryWorkspace}
	}
	return asked, nil
}
