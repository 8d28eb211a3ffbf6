package console

import (
	"context"
	"net/url"

	"github.com/wifwiz/wifwiz/wif"
)

// NewIssuer is what CreateIssuer sends. Zero values take the Console's defaults: discovery,
// 3600 s, check_jti true.
type NewIssuer struct {
	Name                  string           `json:"name"`
	IssuerURL             string           `json:"issuer_url"`
	JWKS                  *wif.ConsoleJWKS `json:"jwks,omitempty"`
	MaxJWTLifetimeSeconds int              `json:"max_jwt_lifetime_seconds,omitempty"`
	CheckJTI              *bool            `json:"check_jti,omitempty"`
}

// IssuerUpdate changes the fields that are not nil; JWKS replaces the whole source.
// ReenablePolling sends jwks_polling_disabled: false.
type IssuerUpdate struct {
	Name                  *string          `json:"name,omitempty"`
	IssuerURL             *string          `json:"issuer_url,omitempty"`
	JWKS                  *wif.ConsoleJWKS `json:"jwks,omitempty"`
	MaxJWTLifetimeSeconds *int             `json:"max_jwt_lifetime_seconds,omitempty"`
	CheckJTI              *bool            `json:"check_jti,omitempty"`
	ReenablePolling       bool             `json:"-"`
}

func (u IssuerUpdate) body() any {
	type plain IssuerUpdate
	if !u.ReenablePolling {
		return plain(u)
	}
	return struct {
		plain
		Polling bool `json:"jwks_polling_disabled"`
	}{plain: plain(u)}
}

const issuersPath = "/federation_issuers"

func issuerPath(id string) string { return issuersPath + "/" + url.PathEscape(id) }

// Issuers lists the federation issuers, newest first.
func (c *Client) Issuers(ctx context.Context, o ListOptions) ([]wif.ConsoleIssuer, error) {
	return listAll[wif.ConsoleIssuer](ctx, c, issuersPath, o.query())
}

// Issuer reads one federation issuer.
func (c *Client) Issuer(ctx context.Context, id string) (wif.ConsoleIssuer, error) {
	var i wif.ConsoleIssuer
	return i, c.do(ctx, request{method: "GET", path: issuerPath(id)}, &i)
}

// IssuerByURL finds the live issuer whose issuer_url is exactly issuerURL (one per URL).
func (c *Client) IssuerByURL(ctx context.Context, issuerURL string) (wif.ConsoleIssuer, bool, error) {
	return c.findIssuer(ctx, func(i wif.ConsoleIssuer) bool { return i.IssuerURL == issuerURL })
}

// IssuerByName finds the live issuer with that name.
func (c *Client) IssuerByName(ctx context.Context, name string) (wif.ConsoleIssuer, bool, error) {
	return c.findIssuer(ctx, func(i wif.ConsoleIssuer) bool { return i.Name == name })
}

func (c *Client) findIssuer(ctx context.Context, match func(wif.ConsoleIssuer) bool) (wif.ConsoleIssuer, bool, error) {
	all, err := c.Issuers(ctx, ListOptions{})
	if err != nil {
		return wif.ConsoleIssuer{}, false, err
	}
	i, ok := find(all, match)
	return i, ok, nil
}

// CreateIssuer creates a federation issuer; a taken name or issuer URL is KindConflict.
func (c *Client) CreateIssuer(ctx context.Context, n NewIssuer) (wif.ConsoleIssuer, error) {
	var i wif.ConsoleIssuer
	return i, c.do(ctx, request{method: "POST", path: issuersPath, body: n, name: n.Name}, &i)
}

// UpdateIssuer changes an issuer; an issuer behind an org:admin rule needs a Console session.
func (c *Client) UpdateIssuer(ctx context.Context, id string, u IssuerUpdate) (wif.ConsoleIssuer, error) {
	var i wif.ConsoleIssuer
	name := ""
	if u.Name != nil {
		name = *u.Name
	}
	return i, c.do(ctx, request{method: "POST", path: issuerPath(id), body: u.body(), name: name}, &i)
}

// ArchiveIssuer archives an issuer (idempotent); refused while a live rule uses it.
func (c *Client) ArchiveIssuer(ctx context.Context, id string) (wif.ConsoleIssuer, error) {
	var i wif.ConsoleIssuer
	return i, c.do(ctx, request{method: "POST", path: issuerPath(id) + "/archive"}, &i)
}
