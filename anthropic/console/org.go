package console

import (
	"context"

	"github.com/wifwiz/wifwiz/wif"
)

// Organization is the token's organization; its ID is the organization_id of an exchange.
func (c *Client) Organization(ctx context.Context) (wif.Organization, error) {
	var o wif.Organization
	return o, c.do(ctx, request{method: "GET", path: "/me"}, &o)
}

// Workspaces lists the organization's workspaces (the default workspace is not among them).
func (c *Client) Workspaces(ctx context.Context, o ListOptions) ([]wif.Workspace, error) {
	return listAfterID(ctx, c, "/workspaces", o.query(), func(w wif.Workspace) string { return w.ID })
}
