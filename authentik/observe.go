package authentik

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"sync"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// Request says what to observe for one verification.
type Request struct {
	DiscoveryBase string // empty: IssuerURL without its trailing slash
	IssuerURL     string // as configured in the Console; its host is resolved
	TokenURL      string // empty: discovery's token_endpoint
	ClientID      string
	ClientSecret  string   // empty: no token is requested
	Scope         string   // sent as is; empty sends none
	Basic         bool     // client_secret_basic instead of client_secret_post
	Progress      Progress // optional: told as each step finishes
}

func (r Request) discoveryBase() string {
	if r.DiscoveryBase != "" {
		return r.DiscoveryBase
	}
	return wif.DiscoveryBaseFor(r.IssuerURL)
}

func (r Request) issuerHost() string {
	for _, raw := range []string{r.IssuerURL, r.discoveryBase()} {
		if u, err := url.Parse(raw); err == nil && u.Hostname() != "" {
			return u.Hostname()
		}
	}
	return ""
}

// Observe fetches everything one verification needs, in two round trips: discovery first,
// then the JWKS and the token request side by side (with a TokenURL the token request
// starts at once). The issuer host is resolved meanwhile. cache may be nil.
func (c *Client) Observe(ctx context.Context, req Request, cache *IssuerCache) verify.Observation {
	var (
		obs verify.Observation
		wg  sync.WaitGroup
	)
	wg.Go(func() {
		obs.IssuerAddrs, obs.ResolveErr = cache.resolve(ctx, c, req.issuerHost())
		req.Progress.resolved(obs.IssuerAddrs, obs.ResolveErr)
	})
	if req.TokenURL != "" {
		wg.Go(func() { obs.Token = c.tokenFor(ctx, req, req.TokenURL) })
	}
	d := cache.discover(ctx, c, req.discoveryBase())
	obs.Discovery = d.Fetch
	req.Progress.fetch(StepDiscovery, d.Fetch)
	if d.JWKSURI != "" {
		wg.Go(func() {
			f := cache.jwks(ctx, c, d.JWKSURI)
			obs.JWKS = &f
			req.Progress.fetch(StepJWKS, f)
		})
	}
	if req.TokenURL == "" && d.TokenEndpoint != "" {
		wg.Go(func() { obs.Token = c.tokenFor(ctx, req, d.TokenEndpoint) })
	}
	wg.Wait()
	return obs
}

func (c *Client) tokenFor(ctx context.Context, req Request, tokenURL string) *verify.TokenResponse {
	if req.ClientSecret == "" {
		return nil
	}
	t := c.RequestToken(ctx, tokenURL, req.ClientID, req.ClientSecret, req.Scope, req.Basic)
	req.Progress.fetched(StepToken, t.Status, t.Err)
	return &t
}

// discovered is a discovery fetch and the two endpoints Observe follows from it; they are
// empty unless discovery answered 200 with a JSON object naming them.
type discovered struct {
	verify.Fetch
	JWKSURI       string
	TokenEndpoint string
}

func (c *Client) discover(ctx context.Context, base string) discovered {
	d := discovered{Fetch: c.get(ctx, wif.DiscoveryURLFor(base))}
	if d.Err != "" || d.Status != http.StatusOK {
		return d
	}
	var doc struct {
		JWKSURI       string `json:"jwks_uri"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	if json.Unmarshal(d.Body, &doc) == nil {
		d.JWKSURI, d.TokenEndpoint = doc.JWKSURI, doc.TokenEndpoint
	}
	return d
}

// resolve looks the issuer host up; an IP literal is its own address.
func (c *Client) resolve(ctx context.Context, host string) ([]string, string) {
	if host == "" {
		return nil, "the issuer URL has no host"
	}
	if ip := net.ParseIP(host); ip != nil {
		return []string{ip.String()}, ""
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	addrs, err := c.resolver.LookupHost(ctx, host)
	if err != nil {
		return nil, c.describe(err)
	}
	return addrs, ""
}
