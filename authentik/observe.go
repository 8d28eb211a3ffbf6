package authentik

import (
	"context"
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

// Observe fetches everything one verification needs. The issuer host is resolved meanwhile;
// a TokenURL starts the token request at once. cache may be nil.
//
// For an issuer with authentik's shape (…/application/o/<slug>/) it takes one round trip:
// discovery, the JWKS (<slug>/jwks/) and the token request (<base>/application/o/token/) start
// together, and the guesses are then confirmed against discovery's jwks_uri and token_endpoint;
// on a mismatch the guessed results are discarded and what discovery names is fetched. Any other
// issuer takes two: discovery, then the JWKS and the token side by side.
//
// A discovery document cannot send wifwiz elsewhere: its jwks_uri and token_endpoint are
// followed, and the client secret sent, only on the issuer's origin or the discovery base's.
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
		wg.Go(func() { obs.Token, obs.TokenSkipped = c.tokenFor(ctx, req, req.TokenURL, true) })
	}
	g := c.guess(ctx, req, cache)
	d := cache.discover(ctx, c, req.discoveryBase())
	obs.Discovery = d.Fetch
	req.Progress.fetch(StepDiscovery, d.Fetch)
	wg.Go(func() { obs.JWKS = c.confirmJWKS(ctx, req, cache, d, g) })
	if req.TokenURL == "" {
		wg.Go(func() { obs.Token, obs.TokenSkipped = c.confirmToken(ctx, req, d, g) })
	}
	wg.Wait()
	g.wait() // discarded guesses end with Observe, not after it
	return obs
}

// guesses are the requests started before discovery answers; each waits on its done channel.
type guesses struct {
	jwksURL, tokenURL string
	jwks              verify.Fetch
	token             *verify.TokenResponse
	tokenSkip         verify.TokenSkip
	jwksDone          chan struct{}
	tokenDone         chan struct{}
}

func (g *guesses) wait() {
	if g != nil {
		<-g.jwksDone
		<-g.tokenDone
	}
}

// guess starts the JWKS and token requests at authentik's conventional URLs, below the
// discovery base (authentik builds its endpoints from the host a request reached it through).
func (c *Client) guess(ctx context.Context, req Request, cache *IssuerCache) *guesses {
	base := req.discoveryBase()
	if wif.KindOfIssuer(base) != wif.IssuerAuthentik {
		return nil
	}
	g := &guesses{jwksURL: wif.AuthentikJWKSURL(base), jwksDone: make(chan struct{}), tokenDone: make(chan struct{})}
	go func() {
		defer close(g.jwksDone)
		g.jwks = cache.jwks(ctx, c, g.jwksURL)
	}()
	if req.TokenURL != "" {
		close(g.tokenDone)
		return g
	}
	g.tokenURL = wif.AuthentikTokenURL(base)
	go func() {
		defer close(g.tokenDone)
		g.token, g.tokenSkip = c.tokenFor(ctx, req, g.tokenURL, false)
	}()
	return g
}

// confirmJWKS keeps the guessed JWKS when discovery names it, else fetches discovery's
// jwks_uri — only on a trusted origin. Without a discovery document there is nothing to confirm
// a guess with, and no JWKS.
func (c *Client) confirmJWKS(ctx context.Context, req Request, cache *IssuerCache, d discovered, g *guesses) *verify.Fetch {
	u := d.JWKSURI
	if u == "" || !wif.TrustedEndpoint(req.IssuerURL, req.DiscoveryBase, u) {
		return nil
	}
	var f verify.Fetch
	if g != nil && u == g.jwksURL {
		<-g.jwksDone
		f = g.jwks
	} else {
		f = cache.jwks(ctx, c, u)
	}
	req.Progress.fetch(StepJWKS, f)
	return &f
}

// confirmToken keeps the guessed token response when discovery names the same endpoint (or
// when discovery failed: for an authentik-shaped issuer the token is worth having anyway), else
// requests discovery's token_endpoint — only on a trusted origin.
func (c *Client) confirmToken(ctx context.Context, req Request, d discovered, g *guesses) (*verify.TokenResponse, verify.TokenSkip) {
	if req.ClientSecret == "" {
		return nil, verify.TokenSkipNoSecret
	}
	u := d.TokenEndpoint
	if g != nil && (u == g.tokenURL || !d.ok()) {
		<-g.tokenDone
		req.Progress.fetched(StepToken, g.token.Status, g.token.Err)
		return g.token, g.tokenSkip
	}
	switch {
	case u == "":
		return nil, verify.TokenSkipNoEndpoint
	case !wif.TrustedEndpoint(req.IssuerURL, req.DiscoveryBase, u):
		return nil, verify.TokenSkipForeignEndpoint
	}
	return c.tokenFor(ctx, req, u, true)
}

// tokenFor requests a token at tokenURL unless there is no secret; report tells Progress.
func (c *Client) tokenFor(ctx context.Context, req Request, tokenURL string, report bool) (*verify.TokenResponse, verify.TokenSkip) {
	if req.ClientSecret == "" {
		return nil, verify.TokenSkipNoSecret
	}
	t := c.RequestToken(ctx, tokenURL, req.ClientID, req.ClientSecret, req.Scope, req.Basic)
	if report {
		req.Progress.fetched(StepToken, t.Status, t.Err)
	}
	return &t, ""
}

// discovered is a discovery fetch and the two endpoints Observe follows from it; they are
// empty unless discovery answered 200 with a JSON object naming them.
type discovered struct {
	verify.Fetch
	JWKSURI       string
	TokenEndpoint string
}

// ok reports whether discovery answered 200.
func (d discovered) ok() bool { return d.Err == "" && d.Status == http.StatusOK }

func (c *Client) discover(ctx context.Context, base string) discovered {
	d := discovered{Fetch: c.get(ctx, wif.DiscoveryURLFor(base))}
	if d.Err != "" || d.Status != http.StatusOK {
		return d
	}
	if pc, err := verify.ParseDiscovery(d.Body); err == nil {
		d.JWKSURI, d.TokenEndpoint = pc.JWKSURL, pc.TokenURL
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
