package console

import (
	"context"
	"net/url"

	"github.com/wifwiz/wifwiz/wif"
)

// NewServiceAccount is what CreateServiceAccount sends. An empty role is developer.
type NewServiceAccount struct {
	Name             string `json:"name"`
	Description      string `json:"description,omitempty"`
	OrganizationRole string `json:"organization_role,omitempty"`
}

// ServiceAccountUpdate changes the fields that are not nil; the name cannot change.
type ServiceAccountUpdate struct {
	Description      *string `json:"description,omitempty"`
	OrganizationRole *string `json:"organization_role,omitempty"`
}

const accountsPath = "/service_accounts"

func accountPath(id string) string { return accountsPath + "/" + url.PathEscape(id) }

// ServiceAccounts lists the service accounts, newest first.
func (c *Client) ServiceAccounts(ctx context.Context, o ListOptions) ([]wif.ServiceAccount, error) {
	return listAll[wif.ServiceAccount](ctx, c, accountsPath, o.query())
}

// ServiceAccount reads one service account.
func (c *Client) ServiceAccount(ctx context.Context, id string) (wif.ServiceAccount, error) {
	var a wif.ServiceAccount
	return a, c.do(ctx, request{method: "GET", path: accountPath(id)}, &a)
}

// ServiceAccountByName finds the live service account with that name.
func (c *Client) ServiceAccountByName(ctx context.Context, name string) (wif.ServiceAccount, bool, error) {
	all, err := c.ServiceAccounts(ctx, ListOptions{})
	if err != nil {
		return wif.ServiceAccount{}, false, err
	}
	a, ok := find(all, func(a wif.ServiceAccount) bool { return a.Name == name })
	return a, ok, nil
}

// CreateServiceAccount creates a service account; a taken name is an *Error of KindConflict.
func (c *Client) CreateServiceAccount(ctx context.Context, n NewServiceAccount) (wif.ServiceAccount, error) {
	var a wif.ServiceAccount
	return a, c.do(ctx, request{method: "POST", path: accountsPath, body: n, name: n.Name}, &a)
}

// UpdateServiceAccount changes a service account's description or role.
func (c *Client) UpdateServiceAccount(ctx context.Context, id string, u ServiceAccountUpdate) (wif.ServiceAccount, error) {
	var a wif.ServiceAccount
	return a, c.do(ctx, request{method: "POST", path: accountPath(id), body: u}, &a)
}

// ArchiveServiceAccount archives a service account (idempotent); refused while a live rule
// targets it.
func (c *Client) ArchiveServiceAccount(ctx context.Context, id string) (wif.ServiceAccount, error) {
	var a wif.ServiceAccount
	return a, c.do(ctx, request{method: "POST", path: accountPath(id) + "/archive"}, &a)
}

// Memberships lists a service account's workspace memberships, the implicit default one first.
func (c *Client) Memberships(ctx context.Context, serviceAccountID string) ([]wif.Membership, error) {
	return listAll[wif.Membership](ctx, c, accountPath(serviceAccountID)+"/workspaces", url.Values{})
}

// AddMembership makes a service account a member of a workspace with a workspace role.
func (c *Client) AddMembership(ctx context.Context, serviceAccountID, workspaceID, role string) (wif.Membership, error) {
	var m wif.Membership
	body := map[string]string{"workspace_id": workspaceID, "workspace_role": role}
	return m, c.do(ctx, request{method: "POST", path: accountPath(serviceAccountID) + "/workspaces", body: body}, &m)
}

// RemoveMembership takes a service account out of a workspace (idempotent).
func (c *Client) RemoveMembership(ctx context.Context, serviceAccountID, workspaceID string) error {
	return c.do(ctx, request{method: "DELETE", path: accountPath(serviceAccountID) + "/workspaces/" + url.PathEscape(workspaceID)}, nil)
}
