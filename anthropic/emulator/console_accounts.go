package emulator

import (
	"fmt"
	"net/http"
	"slices"
)

func (c *console) account(id string) (*ServiceAccount, *apiError) {
	if a := c.accounts[id]; a != nil {
		return a, nil
	}
	return nil, notFound("service account", id)
}

// liveRuleUsing names a live rule for which uses is true, or "".
func (c *console) liveRuleUsing(uses func(*FederationRule) bool) string {
	for _, r := range newestFirst(c.rules, ruleSeq, ruleArchived, false) {
		if uses(&r) {
			return r.ID
		}
	}
	return ""
}

func accountSeq(a *ServiceAccount) int64     { return a.seq }
func accountArchived(a *ServiceAccount) bool { return a.ArchivedAt != nil }

func listAccounts(c *call) (any, *apiError) {
	q := c.r.URL.Query()
	withArchived, e := includeArchived(q)
	if e != nil {
		return nil, e
	}
	return paginate(q, newestFirst(c.c.accounts, accountSeq, accountArchived, withArchived))
}

func getAccount(c *call) (any, *apiError) {
	return c.c.account(c.r.PathValue("id"))
}

func createAccount(c *call) (any, *apiError) {
	b, e := readBody(c.r, "name", "description", "organization_role")
	if e != nil {
		return nil, e
	}
	a := ServiceAccount{Type: "service_account", OrganizationRole: roleDeveloper}
	if _, e := b.str("", "name", &a.Name); e != nil {
		return nil, e
	}
	if e := firstError(checkName(a.Name), c.c.accountNameFree(a.Name)); e != nil {
		return nil, e
	}
	if e := c.readAccountFields(b, &a); e != nil {
		return nil, e
	}
	a.ID, a.CreatedAt, a.UpdatedAt, a.seq = "svac_"+randomID(), c.now, c.now, c.c.next()
	c.c.accounts[a.ID] = &a
	return a, nil
}

func (c *console) accountNameFree(name string) *apiError {
	for _, a := range c.accounts {
		if a.Name == name && a.ArchivedAt == nil {
			return conflict("name", "a service account named %q already exists (%s)", name, a.ID)
		}
	}
	return nil
}

// readAccountFields applies description and organization_role from a create or update body.
func (c *call) readAccountFields(b body, a *ServiceAccount) *apiError {
	if _, e := b.str("", "description", &a.Description); e != nil {
		return e
	}
	if e := checkDescription(a.Description); e != nil {
		return e
	}
	sent, e := b.str("", "organization_role", &a.OrganizationRole)
	if e != nil || !sent {
		return e
	}
	switch {
	case a.OrganizationRole != roleDeveloper && a.OrganizationRole != roleAdmin:
		return badField("organization_role", "must be one of developer, admin")
	case a.OrganizationRole == roleAdmin && c.token.Federated:
		return forbidden("organization_role: an admin service account needs an interactive credential (a user's OAuth token or the Console); a federated token may only use developer")
	}
	return nil
}

func updateAccount(c *call) (any, *apiError) {
	a, e := c.c.account(c.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	b, e := readBody(c.r, "name", "description", "organization_role")
	if e != nil {
		return nil, e
	}
	var name string
	if sent, _ := b.str("", "name", &name); sent && name != a.Name {
		return nil, badField("name", "cannot be changed")
	}
	if a.ArchivedAt != nil {
		return nil, badField("service_account_id", "service account %s is archived and cannot be updated", a.ID)
	}
	changed := *a
	if e := c.readAccountFields(b, &changed); e != nil {
		return nil, e
	}
	changed.UpdatedAt = c.now
	*a = changed
	return a, nil
}

func archiveAccount(c *call) (any, *apiError) {
	a, e := c.c.account(c.r.PathValue("id"))
	if e != nil || a.ArchivedAt != nil {
		return a, e
	}
	if id := c.c.liveRuleUsing(func(r *FederationRule) bool { return r.Target.ServiceAccountID == a.ID }); id != "" {
		return nil, &apiError{http.StatusBadRequest, errInvalidReq, fmt.Sprintf("service account %s is the target of live federation rule %s; archive the rule first", a.ID, id)}
	}
	now := c.now
	a.ArchivedAt, a.UpdatedAt = &now, now
	return a, nil
}

func listMemberships(c *call) (any, *apiError) {
	a, e := c.c.account(c.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	return paginate(c.r.URL.Query(), c.c.memberships(a.ID))
}

func addMembership(c *call) (any, *apiError) {
	a, e := c.c.account(c.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	b, e := readBody(c.r, "workspace_id", "workspace_role")
	if e != nil {
		return nil, e
	}
	m := Membership{Type: "service_account_workspace_member", ServiceAccountID: a.ID}
	if _, e := b.str("", "workspace_id", &m.WorkspaceID); e != nil {
		return nil, e
	}
	if _, e := b.str("", "workspace_role", &m.WorkspaceRole); e != nil {
		return nil, e
	}
	if e := c.c.checkMembership(a, m); e != nil {
		return nil, e
	}
	c.c.members[a.ID] = append(c.c.members[a.ID], m)
	return m, nil
}

func (c *console) checkMembership(a *ServiceAccount, m Membership) *apiError {
	switch {
	case a.ArchivedAt != nil:
		return badField("service_account_id", "service account %s is archived", a.ID)
	case m.WorkspaceID == "":
		return badField("workspace_id", "Field required")
	case m.WorkspaceRole == "":
		return badField("workspace_role", "Field required")
	case m.WorkspaceRole == "workspace_billing":
		return badField("workspace_role", "service accounts cannot have the workspace_billing role")
	case !slices.Contains(workspaceRoles, m.WorkspaceRole):
		return badField("workspace_role", "must be one of %v", workspaceRoles)
	}
	if e := c.checkWorkspace(m.WorkspaceID); e != nil {
		return e
	}
	if slices.ContainsFunc(c.memberships(a.ID), func(x Membership) bool { return x.WorkspaceID == m.WorkspaceID }) {
		return conflict("workspace_id", "service account %s is already a member of workspace %s", a.ID, m.WorkspaceID)
	}
	return nil
}

// checkWorkspace accepts a live workspace of the organization, or default.
func (c *console) checkWorkspace(id string) *apiError {
	if id == defaultWorkspace {
		return nil
	}
	if !workspacePattern.MatchString(id) {
		return badField("workspace_id", "must be a workspace ID (wrkspc_…)")
	}
	if w := c.workspaces[id]; w == nil || w.ArchivedAt != nil {
		return badField("workspace_id", "workspace %s not found", id)
	}
	return nil
}

func removeMembership(c *call) (any, *apiError) {
	a, e := c.c.account(c.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	ws := c.r.PathValue("workspace")
	if ws == defaultWorkspace {
		return nil, badField("workspace_id", "the implicit default-workspace membership cannot be removed")
	}
	c.c.members[a.ID] = slices.DeleteFunc(c.c.members[a.ID], func(m Membership) bool { return m.WorkspaceID == ws })
	return map[string]string{"type": "service_account_workspace_member_deleted", "service_account_id": a.ID, "workspace_id": ws}, nil
}

func firstError(es ...*apiError) *apiError {
	for _, e := range es {
		if e != nil {
			return e
		}
	}
	return nil
}
