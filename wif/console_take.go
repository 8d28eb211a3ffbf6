package wif

import (
	"bytes"
	"encoding/json"
	"time"
)

// TakeConsole records on c what the Console holds: the issuer's ID, name, key source and
// maximum JWT lifetime; the rule's ID, name, match block, target, scope and token lifetime; the
// organization; and the rule's workspace when it has exactly one. The issuer URL is left as
// recorded: the token's iss, not the Console, says which one is right. A nil issuer or rule and
// an empty organization ID leave their fields alone.
func (c *Connection) TakeConsole(orgID string, iss *ConsoleIssuer, rule *ConsoleRule) {
	if orgID != "" {
		c.OrganizationID = orgID
	}
	if iss != nil {
		c.takeIssuer(*iss)
	}
	if rule != nil {
		c.takeRule(*rule)
	}
}

func (c *Connection) takeIssuer(iss ConsoleIssuer) {
	c.IssuerID, c.IssuerName = iss.ID, iss.Name
	if iss.MaxJWTLifetimeSeconds > 0 {
		c.MaxIdentityTokenLifetime = time.Duration(iss.MaxJWTLifetimeSeconds) * time.Second
	}
	switch iss.JWKS.Type {
	case JWKSInline:
		c.JWKSSource, c.InlineJWKS = JWKSInline, InlineKeySet(iss.JWKS.Keys)
	case JWKSDiscovery:
		c.JWKSSource, c.InlineJWKS = JWKSDiscovery, ""
		if iss.JWKS.DiscoveryBase != "" {
			c.DiscoveryBase = iss.JWKS.DiscoveryBase
		}
	}
}

func (c *Connection) takeRule(r ConsoleRule) {
	c.FederationRuleID, c.RuleName = r.ID, r.Name
	c.SubjectPrefix, c.Audience = r.Match.SubjectPrefix, r.Match.Audience
	c.Claims, c.Condition = r.Match.Claims, r.Match.Condition
	c.ServiceAccountID, c.OAuthScope = r.Target.ServiceAccountID, r.OAuthScope
	if r.TokenLifetimeSeconds > 0 {
		c.TokenLifetime = r.TokenLifetime()
	}
	if ws := r.Workspaces(); len(ws) == 1 && !r.WorkspaceRequired() {
		c.WorkspaceID = ws[0]
	}
}

// InlineKeySet is the Console's bare array of inline keys as the JWKS document a connection
// records ({"keys": […]}, indented).
func InlineKeySet(keys json.RawMessage) string {
	if len(keys) == 0 {
		keys = json.RawMessage("[]")
	}
	raw := []byte(`{"keys":` + string(keys) + `}`)
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return string(raw)
	}
	return out.String()
}

// SuggestedLifetimes are the Console lifetimes that fit an observed identity token of lifetime
// (exp − iat) from an issuer whose token validity is validity (0 when unknown): the maximum
// identity token lifetime covers both; the token lifetime is what Anthropic mints under the
// Console's default for a token exchanged exchangeSlack after it was issued (in whole minutes),
// so the rule asks for no more than it gets — also seconds later, when a verification exchanges
// a fresh token.
func SuggestedLifetimes(lifetime, validity time.Duration) (maxIdentity, token time.Duration) {
	maxIdentity = max(lifetime.Round(time.Second), validity.Round(time.Second))
	if lifetime%time.Second != 0 {
		maxIdentity = max(maxIdentity, lifetime.Truncate(time.Second)+time.Second)
	}
	maxIdentity = min(max(maxIdentity, MinMaxIdentityTokenLifetime), MaxMaxIdentityTokenLifetime)
	token = MintedLifetime(DefaultLifetime, lifetime-exchangeSlack).Truncate(time.Minute)
	token = min(max(token, MinTokenLifetime), MaxTokenLifetime)
	return maxIdentity, token
}

// exchangeSlack is wifwiz's allowance, no fact of Anthropic's: a token is exchanged moments after
// it is issued, never at its iat, and Anthropic mints from the validity that remains then.
const exchangeSlack = time.Minute
