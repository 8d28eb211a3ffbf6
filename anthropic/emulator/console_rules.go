package emulator

import (
	"encoding/json"
	"slices"
)

func (c *console) rule(id string) (*FederationRule, *apiError) {
	if r := c.rules[id]; r != nil {
		return r, nil
	}
	return nil, notFound("federation rule", id)
}

func ruleSeq(r *FederationRule) int64     { return r.seq }
func ruleArchived(r *FederationRule) bool { return r.ArchivedAt != nil }

// writable refuses an OAuth caller a rule whose scope needs a Console session.
func writable(r *FederationRule) *apiError {
	if !oauthWritable(r.OAuthScope) {
		return forbidden("federation rule %s grants %s: changing it requires a Console session", r.ID, r.OAuthScope)
	}
	return nil
}

func listRules(c *call) (any, *apiError) {
	q := c.r.URL.Query()
	withArchived, e := includeArchived(q)
	if e != nil {
		return nil, e
	}
	var out []FederationRule
	for _, r := range newestFirst(c.c.rules, ruleSeq, ruleArchived, withArchived) {
		if iss := first(q, "issuer_id"); iss == "" || r.IssuerID == iss {
			out = append(out, c.c.ruleView(&r))
		}
	}
	return paginate(q, out)
}

func getRule(c *call) (any, *apiError) {
	r, e := c.c.rule(c.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	return c.c.ruleView(r), nil
}

var ruleFields = []string{"name", "description", "issuer_id", "match", "target", "oauth_scope", "token_lifetime_seconds", "workspace_id", "applies_to_all_workspaces", "attributes"}

func createRule(c *call) (any, *apiError) {
	b, e := readBody(c.r, ruleFields...)
	if e != nil {
		return nil, e
	}
	for _, f := range []string{"name", "issuer_id", "match", "target", "oauth_scope"} {
		if !b.has(f) {
			return nil, badField(f, "Field required")
		}
	}
	r := FederationRule{Type: "federation_rule", TokenLifetimeSeconds: defaultMaxJWTLifetime, WorkspaceIDs: []string{}}
	if _, e := b.str("", "issuer_id", &r.IssuerID); e != nil {
		return nil, e
	}
	if e := c.c.checkRuleIssuer(r.IssuerID); e != nil {
		return nil, e
	}
	if e := c.c.applyRule(b, &r, ""); e != nil {
		return nil, e
	}
	var ws string
	if _, e := b.str("", "workspace_id", &ws); e != nil {
		return nil, e
	}
	if e := c.c.createEnablement(&r, ws); e != nil {
		return nil, e
	}
	r.ID, r.CreatedAt, r.UpdatedAt, r.seq = "fdrl_"+randomID(), c.now, c.now, c.c.next()
	c.c.rules[r.ID] = &r
	return c.c.ruleView(&r), nil
}

func (c *console) checkRuleIssuer(id string) *apiError {
	i := c.issuers[id]
	switch {
	case i == nil:
		return badField("issuer_id", "federation issuer %s not found", id)
	case i.ArchivedAt != nil:
		return badField("issuer_id", "federation issuer %s is archived", id)
	}
	return nil
}

func (c *console) createEnablement(r *FederationRule, ws string) *apiError {
	if ws == "" {
		if !r.AppliesToAllWorkspaces {
			return badField("workspace_id", "Field required unless applies_to_all_workspaces is true")
		}
		return nil
	}
	if e := c.checkWorkspace(ws); e != nil {
		return e
	}
	r.WorkspaceIDs = []string{ws}
	return nil
}

// applyRule reads the mutable rule fields present in b into r and checks them; self is the
// rule's ID on an update.
func (c *console) applyRule(b body, r *FederationRule, self string) *apiError {
	steps := []func() *apiError{
		func() *apiError {
			_, e := b.str("", "name", &r.Name)
			return firstError(e, checkName(r.Name), c.ruleNameFree(r.Name, self))
		},
		func() *apiError {
			_, e := b.str("", "description", &r.Description)
			return firstError(e, checkDescription(r.Description))
		},
		func() *apiError { return c.readMatch(b, r) },
		func() *apiError { return c.readTarget(b, r) },
		func() *apiError {
			_, e := b.str("", "oauth_scope", &r.OAuthScope)
			return firstError(e, checkScope(r.OAuthScope))
		},
		func() *apiError {
			_, e := b.integer("token_lifetime_seconds", &r.TokenLifetimeSeconds)
			return firstError(e, checkRange("token_lifetime_seconds", r.TokenLifetimeSeconds, minTokenLifetime, maxTokenLifetime))
		},
		func() *apiError { _, e := b.boolean("applies_to_all_workspaces", &r.AppliesToAllWorkspaces); return e },
		func() *apiError { return checkAttributes(b["attributes"]) },
	}
	for _, step := range steps {
		if e := step(); e != nil {
			return e
		}
	}
	return nil
}

func (c *console) ruleNameFree(name, self string) *apiError {
	for _, o := range c.rules {
		if o.ID != self && o.ArchivedAt == nil && o.Name == name {
			return conflict("name", "a federation rule named %q already exists (%s)", name, o.ID)
		}
	}
	return nil
}

func (c *console) readMatch(b body, r *FederationRule) *apiError {
	if !b.has("match") {
		return nil
	}
	mb, e := b.object("", "match")
	if e != nil {
		return e
	}
	r.Match, e = decodeMatch(mb)
	return e
}

func (c *console) readTarget(b body, r *FederationRule) *apiError {
	if !b.has("target") {
		return nil
	}
	tb, e := b.object("", "target")
	if e != nil || tb == nil {
		return firstError(e, badField("target", "Field required"))
	}
	if e := tb.only("target.", []string{"type", "service_account_id"}); e != nil {
		return e
	}
	var t Target
	if _, e := tb.str("target.", "type", &t.Type); e != nil {
		return e
	}
	if _, e := tb.str("target.", "service_account_id", &t.ServiceAccountID); e != nil {
		return e
	}
	if t.Type != targetSA {
		return badField("target.type", "must be service_account")
	}
	a := c.accounts[t.ServiceAccountID]
	switch {
	case a == nil:
		return badField("target.service_account_id", "service account %s not found", t.ServiceAccountID)
	case a.ArchivedAt != nil:
		return badField("target.service_account_id", "service account %s is archived", t.ServiceAccountID)
	}
	r.Target = t
	return nil
}

func checkAttributes(raw json.RawMessage) *apiError {
	var m map[string]any
	if raw == nil || string(raw) == "null" || json.Unmarshal(raw, &m) == nil && len(m) == 0 {
		return nil
	}
	return badField("attributes", "not yet supported; must be empty")
}

func updateRule(c *call) (any, *apiError) {
	r, e := c.c.rule(c.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	b, e := readBody(c.r, ruleFields...)
	if e != nil {
		return nil, e
	}
	var iss string
	if sent, _ := b.str("", "issuer_id", &iss); sent && iss != r.IssuerID {
		return nil, badField("issuer_id", "cannot be changed")
	}
	if r.ArchivedAt != nil {
		return nil, badField("federation_rule_id", "federation rule %s is archived and cannot be updated", r.ID)
	}
	if e := writable(r); e != nil {
		return nil, e
	}
	changed := *r
	changed.WorkspaceIDs = slices.Clone(r.WorkspaceIDs)
	if e := firstError(c.c.applyRule(b, &changed, r.ID), c.c.updateEnablement(b, &changed)); e != nil {
		return nil, e
	}
	changed.UpdatedAt = c.now
	*r = changed
	return c.c.ruleView(r), nil
}

func (c *console) updateEnablement(b body, r *FederationRule) *apiError {
	var ws string
	if sent, e := b.str("", "workspace_id", &ws); e != nil || sent && ws != "" {
		if e != nil {
			return e
		}
		if len(r.WorkspaceIDs) > 1 {
			return badField("workspace_id", "the rule is enabled in %d workspaces; use the rule's workspaces endpoints", len(r.WorkspaceIDs))
		}
		if e := c.checkWorkspace(ws); e != nil {
			return e
		}
		r.WorkspaceIDs = []string{ws}
	}
	if !r.AppliesToAllWorkspaces && len(r.WorkspaceIDs) == 0 && r.LegacyWorkspaceID == nil {
		return badField("applies_to_all_workspaces", "cannot be false while the rule is enabled in no workspace")
	}
	return nil
}

func archiveRule(c *call) (any, *apiError) {
	r, e := c.c.rule(c.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	if e := writable(r); e != nil {
		return nil, e
	}
	if r.ArchivedAt == nil {
		now := c.now
		r.ArchivedAt, r.UpdatedAt, r.WorkspaceIDs, r.LegacyWorkspaceID = &now, now, []string{}, nil
	}
	return c.c.ruleView(r), nil
}

type ruleWorkspace struct {
	Type             string `json:"type"`
	FederationRuleID string `json:"federation_rule_id"`
	WorkspaceID      string `json:"workspace_id"`
}

func listRuleWorkspaces(c *call) (any, *apiError) {
	r, e := c.c.rule(c.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	out := []ruleWorkspace{}
	for _, ws := range r.WorkspaceIDs {
		out = append(out, ruleWorkspace{"federation_rule_workspace", r.ID, ws})
	}
	return listPage{Data: out}, nil
}

func enableRuleWorkspace(c *call) (any, *apiError) {
	r, e := c.c.rule(c.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	b, e := readBody(c.r, "workspace_id")
	if e != nil {
		return nil, e
	}
	var ws string
	if _, e := b.str("", "workspace_id", &ws); e != nil {
		return nil, e
	}
	switch {
	case ws == "":
		return nil, badField("workspace_id", "Field required")
	case r.ArchivedAt != nil:
		return nil, badField("federation_rule_id", "federation rule %s is archived", r.ID)
	}
	if e := firstError(writable(r), c.c.checkWorkspace(ws)); e != nil {
		return nil, e
	}
	if !slices.Contains(r.WorkspaceIDs, ws) {
		r.WorkspaceIDs, r.UpdatedAt = append(r.WorkspaceIDs, ws), c.now
	}
	return ruleWorkspace{"federation_rule_workspace", r.ID, ws}, nil
}

func disableRuleWorkspace(c *call) (any, *apiError) {
	r, e := c.c.rule(c.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	if e := writable(r); e != nil {
		return nil, e
	}
	ws := c.r.PathValue("workspace")
	r.WorkspaceIDs = slices.DeleteFunc(r.WorkspaceIDs, func(w string) bool { return w == ws })
	return ruleWorkspace{"federation_rule_workspace_deleted", r.ID, ws}, nil
}
