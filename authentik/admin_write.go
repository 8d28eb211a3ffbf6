package authentik

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/wifwiz/wifwiz/wif"
)

// providerBody is the JSON of a provider create (every field) or update (PATCH: only what
// changes) from a spec: an empty value is not sent.
func providerBody(s wif.ProviderSpec, create bool) map[string]any {
	b := map[string]any{}
	set := func(k, v string) {
		if v != "" {
			b[k] = v
		}
	}
	set("name", s.Name)
	set("client_type", s.ClientType)
	set("sub_mode", s.SubMode)
	set("issuer_mode", s.IssuerMode)
	set("access_token_validity", s.AccessTokenValidity)
	set("signing_key", s.SigningKey)
	set("authorization_flow", s.AuthorizationFlow)
	set("invalidation_flow", s.InvalidationFlow)
	if s.PropertyMappings != nil {
		b["property_mappings"] = s.PropertyMappings
	}
	if s.GrantTypes != nil {
		b["grant_types"] = s.GrantTypes
	}
	if s.ClearRedirectURIs || create {
		b["redirect_uris"] = []any{}
	}
	if s.ClearEncryptionKey {
		b["encryption_key"] = nil
	}
	return b
}

// CreateProvider creates an OAuth2 provider and returns it with the client secret authentik
// generated, which the caller hands to the admin once and forgets.
func (c *Client) CreateProvider(ctx context.Context, t wif.AuthentikTarget, s wif.ProviderSpec) (wif.AuthentikProvider, string, error) {
	var created struct {
		apiProvider
		ClientSecret string `json:"client_secret"`
	}
	if err := c.api(ctx, t, http.MethodPost, "providers/oauth2/", providerBody(s, true), &created); err != nil {
		return wif.AuthentikProvider{}, "", fmt.Errorf("create OAuth2 provider %q: %w", s.Name, err)
	}
	return created.domain(), created.ClientSecret, nil
}

// UpdateProvider changes the fields s sets on provider pk.
func (c *Client) UpdateProvider(ctx context.Context, t wif.AuthentikTarget, pk int64, s wif.ProviderSpec) (wif.AuthentikProvider, error) {
	var p apiProvider
	if err := c.api(ctx, t, http.MethodPatch, fmt.Sprintf("providers/oauth2/%d/", pk), providerBody(s, false), &p); err != nil {
		return wif.AuthentikProvider{}, fmt.Errorf("update OAuth2 provider %d: %w", pk, err)
	}
	return p.domain(), nil
}

// CreateApplication creates an application bound to s.ProviderPK.
func (c *Client) CreateApplication(ctx context.Context, t wif.AuthentikTarget, s wif.ApplicationSpec) (wif.AuthentikApplication, error) {
	var a apiApplication
	body := map[string]any{"name": s.Name, "slug": s.Slug, "provider": s.ProviderPK}
	if err := c.api(ctx, t, http.MethodPost, "core/applications/", body, &a); err != nil {
		return wif.AuthentikApplication{}, fmt.Errorf("create application %q: %w", s.Slug, err)
	}
	return *a.domain(), nil
}

// BindApplication makes provider pk the provider of the application with slug.
func (c *Client) BindApplication(ctx context.Context, t wif.AuthentikTarget, slug string, pk int64) (wif.AuthentikApplication, error) {
	var a apiApplication
	err := c.api(ctx, t, http.MethodPatch, "core/applications/"+url.PathEscape(slug)+"/", map[string]any{"provider": pk}, &a)
	if err != nil {
		return wif.AuthentikApplication{}, fmt.Errorf("bind provider %d to application %q: %w", pk, slug, err)
	}
	return *a.domain(), nil
}
