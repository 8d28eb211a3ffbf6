package actions

import (
	"context"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// inspectTimeout bounds one read of a provider through authentik's admin API.
const inspectTimeout = 15 * time.Second

// InspectRequest reads a provider's settings with an authentik API token that is used for this
// request only.
type InspectRequest struct {
	Connection wif.Connection // the typed values: authentik URL, slug, issuer, CA, …
	ClientID   string
	APIToken   string
}

// InspectProvider reads the provider through authentik's admin API and judges each setting
// against what federation needs. A missing input is an EINVALID error naming the field.
func (s *Service) InspectProvider(ctx context.Context, r InspectRequest) ([]wif.ChecklistItem, error) {
	c := r.Connection
	switch {
	case r.APIToken == "":
		return nil, invalidField("api_token", "Enter an authentik API token to read the provider's settings.")
	case r.ClientID == "":
		return nil, invalidField(wif.FieldClientID, "Enter the Client ID: wifwiz looks the provider up by it.")
	case c.AuthentikURL == "":
		return nil, invalidField(wif.FieldAuthentikURL, "Record the authentik URL on the Basics step first.")
	}
	ctx, cancel := context.WithTimeout(ctx, inspectTimeout)
	defer cancel()
	items, err := s.provider.InspectProvider(ctx, wif.ProviderQuery{AuthentikURL: c.AuthentikURL, CAPEM: c.CAPEM,
		APIToken: r.APIToken, ClientID: r.ClientID, Expect: wif.ProviderExpectations{AuthentikURL: c.AuthentikURL,
			AppSlug: c.AppSlug, IssuerURL: c.IssuerURL, SubjectPrefix: c.SubjectPrefix, MaxIdentityTokenLifetime: c.MaxIdentityTokenLifetime}})
	if err != nil {
		return nil, invalidField("api_token", "authentik's admin API: "+err.Error())
	}
	return items, nil
}

func invalidField(field, msg string) error {
	return &wif.Error{Code: wif.EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// CurrentJWKS is the issuer's published key set for a Console that takes inline keys.
func (s *Service) CurrentJWKS(ctx context.Context, c wif.Connection) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, inspectTimeout)
	defer cancel()
	return s.verifier.CurrentJWKS(ctx, c)
}
