package probe

import (
	"context"
	"fmt"

	"github.com/wifwiz/wifwiz/authentik"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// FetchIdentityToken requests a token pair for c with its client secret and returns the identity
// token c's token field selects, chosen as a verification chooses it. The token endpoint is c's
// token URL, else discovery's, looked up once per discovery base and kept.
func (r *Runner) FetchIdentityToken(ctx context.Context, c wif.Connection, secret string) (string, error) {
	client, err := r.authentikClient(c.CAPEM)
	if err != nil {
		return "", err
	}
	tokenURL, err := r.tokenEndpoint(ctx, client, c)
	if err != nil {
		return "", err
	}
	set, err := client.FetchToken(ctx, authentik.TokenRequest{TokenURL: tokenURL, IssuerURL: c.IssuerURL,
		ClientID: c.ClientID, ClientSecret: secret, Scope: c.RequestScope()})
	if err != nil {
		return "", err
	}
	raw, _, err := verify.PickToken(set.IDToken, set.AccessToken, c.TokenField)
	if err != nil {
		return "", fmt.Errorf("token response of %s: %w", tokenURL, err)
	}
	return raw, nil
}

func (r *Runner) tokenEndpoint(ctx context.Context, client *authentik.Client, c wif.Connection) (string, error) {
	if c.TokenURL != "" {
		return c.TokenURL, nil
	}
	base := c.DiscoveryBase
	if base == "" {
		base = wif.DiscoveryBaseFor(c.IssuerURL)
	}
	if u, ok := r.endpoints.Load(base); ok {
		return u.(string), nil
	}
	obs := client.Observe(ctx, authentik.Request{DiscoveryBase: base, IssuerURL: c.IssuerURL}, nil)
	u, err := verify.TokenEndpoint(obs.Discovery)
	if err != nil {
		return "", err
	}
	if !wif.TrustedEndpoint(c.IssuerURL, c.DiscoveryBase, u) {
		return "", fmt.Errorf("discovery at %s names the token endpoint %s, on another origin than the issuer's: the client secret is never sent there; record the token URL if that endpoint really is the issuer's", obs.Discovery.URL, u)
	}
	r.endpoints.Store(base, u)
	return u, nil
}
