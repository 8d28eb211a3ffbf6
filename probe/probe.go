// Package probe runs live verifications of connections: it observes authentik (and, when asked,
// the Anthropic token exchange), hands what it saw to the pure check engine, and records the run
// with its drift from the last passing run. Secrets pass through it and are never kept.
package probe

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/wifwiz/wifwiz/anthropic"
	"github.com/wifwiz/wifwiz/authentik"
	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/tlsconf"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// Runner performs verifications. Its zero value works; it reuses one authentik client per
// trusted-CA set so that an audit shares connections.
type Runner struct {
	Now              func() time.Time   // nil: time.Now
	Resolver         authentik.Resolver // nil: the system resolver
	ExtraCA          []byte             // trusted for every connection (--ca-file, the demo issuer's CA)
	AnthropicCA      []byte             // extra CA for the Anthropic API (tests, a proxy)
	AnthropicBaseURL string             // for connections without their own; empty: api.anthropic.com
	// DialContext replaces the issuer connections' dialer (nil: the system's); tests reach a
	// loopback issuer under a public name on port 443 with it.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Timeout bounds each request to an issuer (0: authentik.DefaultTimeout); tests of a
	// hostile issuer that never finishes its answer shorten it.
	Timeout time.Duration

	mu        sync.Mutex
	clients   map[string]*authentik.Client
	endpoints sync.Map // discovery base → token_endpoint, for FetchIdentityToken
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Verify runs every check for req.Connection. The error is for a configuration that cannot be
// verified at all (an unreadable CA, a malformed validity); everything observed is in the report.
func (r *Runner) Verify(ctx context.Context, req wif.ProbeRequest) (verify.Report, error) {
	return r.verify(ctx, req, nil)
}

// Batch verifies many connections in a row (an audit): each issuer's discovery document, JWKS and
// address are fetched once for the whole batch.
func (r *Runner) Batch() func(context.Context, wif.ProbeRequest) (verify.Report, error) {
	cache := &authentik.IssuerCache{}
	return func(ctx context.Context, req wif.ProbeRequest) (verify.Report, error) {
		return r.verify(ctx, req, cache)
	}
}

func (r *Runner) verify(ctx context.Context, req wif.ProbeRequest, cache *authentik.IssuerCache) (verify.Report, error) {
	cfg, err := verify.ConfigFor(req.Connection, req.RequireIDs)
	if err != nil {
		return verify.Report{}, err
	}
	client, err := r.authentikClient(req.Connection.CAPEM)
	if err != nil {
		return verify.Report{}, fmt.Errorf("connection %q: %w", req.Connection.Name, err)
	}
	start, clock := time.Now(), r.now()
	var (
		read *verify.ConsoleObservation
		wg   sync.WaitGroup
	)
	if req.ConsoleToken != "" {
		wg.Go(func() { read = r.readConsole(ctx, req) })
	}
	provider := r.readProvider(ctx, client, req)
	obs := client.Observe(ctx, r.request(req), cache)
	obs.Provider = provider()
	wg.Wait()
	if read != nil {
		r.consoleKeys(ctx, req.Connection, read, obs)
		obs.Console = read
	}
	obs.Redactor = redact.New(req.ConsoleToken, req.AuthentikToken).WithBasic(req.Connection.ClientID, req.Secret)
	if req.Exchange {
		obs.Exchange = r.exchange(ctx, req, obs)
	}
	rep := verify.Run(cfg, obs, r.now())
	rep.StartedAt = clock.UTC()
	rep.DurationMS = time.Since(start).Milliseconds()
	return rep, nil
}

func (r *Runner) request(req wif.ProbeRequest) authentik.Request {
	c := req.Connection
	return authentik.Request{DiscoveryBase: c.DiscoveryBase, IssuerURL: c.IssuerURL, TokenURL: c.TokenURL,
		ClientID: c.ClientID, ClientSecret: req.Secret, Scope: c.RequestScope(), Progress: authentik.Progress(req.Progress)}
}

// AuthentikClient is the client trusting caPEM and the runner's extra CAs, shared by every
// verification and admin API call that trusts the same.
func (r *Runner) AuthentikClient(caPEM string) (*authentik.Client, error) {
	return r.authentikClient(caPEM)
}

func (r *Runner) authentikClient(caPEM string) (*authentik.Client, error) {
	key := caPEM
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.clients[key]; ok {
		return c, nil
	}
	c, err := authentik.NewClient(authentik.Options{CAPEM: tlsconf.Join(r.ExtraCA, []byte(caPEM)), Resolver: r.Resolver, DialContext: r.DialContext,
		Timeout: r.Timeout})
	if err != nil {
		return nil, err
	}
	if r.clients == nil {
		r.clients = map[string]*authentik.Client{}
	}
	r.clients[key] = c
	return c, nil
}

// exchange sends the checked token to Anthropic. Without a token there is nothing to send, and
// the report says so through the engine's skip.
func (r *Runner) exchange(ctx context.Context, req wif.ProbeRequest, obs verify.Observation) *verify.Exchange {
	if obs.Token == nil || obs.Token.Status != 200 {
		return nil
	}
	c := req.Connection
	raw, _, err := verify.SelectToken(obs.Token.Body, c.TokenField)
	if err != nil {
		return nil
	}
	base := c.AnthropicBaseURL
	if base == "" {
		base = r.AnthropicBaseURL
	}
	client, err := anthropic.NewClient(anthropic.Options{BaseURL: base, CAPEM: r.AnthropicCA})
	if err != nil {
		return &verify.Exchange{URL: base, Err: err.Error()}
	}
	x := client.Exchange(ctx, anthropic.Request{Assertion: raw, FederationRuleID: c.FederationRuleID,
		OrganizationID: c.OrganizationID, ServiceAccountID: c.ServiceAccountID, WorkspaceID: c.WorkspaceID})
	return &x
}
