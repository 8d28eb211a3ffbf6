package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/wifwiz/wifwiz/authentik"
	"github.com/wifwiz/wifwiz/refresh"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// authentikSource adapts authentik's client-credentials request to refresh.Source. It holds the
// secret only in memory, for the life of the process.
type authentikSource struct {
	client *authentik.Client
	conn   wif.Connection
	secret string

	mu       sync.Mutex
	tokenURL string // discovered once, when the connection has none
}

func newAuthentikSource(conn wif.Connection, secret string) (*authentikSource, error) {
	client, err := authentik.NewClient(authentik.Options{CAPEM: []byte(conn.CAPEM)})
	if err != nil {
		return nil, usagef("--ca-file: %v", err)
	}
	return &authentikSource{client: client, conn: conn, secret: secret}, nil
}

// Fetch requests a token pair and returns the identity token the connection uses.
func (s *authentikSource) Fetch(ctx context.Context) (refresh.Token, error) {
	tokenURL, err := s.endpoint(ctx)
	if err != nil {
		return refresh.Token{}, err
	}
	set, err := s.client.FetchToken(ctx, authentik.TokenRequest{TokenURL: tokenURL, IssuerURL: s.conn.IssuerURL,
		ClientID: s.conn.ClientID, ClientSecret: s.secret, Scope: s.conn.RequestScope()})
	if err != nil {
		return refresh.Token{}, err
	}
	raw, _, err := verify.PickToken(set.IDToken, set.AccessToken, s.conn.TokenField)
	if err != nil {
		return refresh.Token{}, err
	}
	return refresh.TokenFromJWT(raw)
}

// endpoint is --token-url, else discovery's token_endpoint, looked up once.
func (s *authentikSource) endpoint(ctx context.Context) (string, error) {
	if s.conn.TokenURL != "" {
		return s.conn.TokenURL, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokenURL != "" {
		return s.tokenURL, nil
	}
	// Without a secret Observe requests no token: it only reads discovery (and JWKS).
	obs := s.client.Observe(ctx, authentik.Request{DiscoveryBase: s.conn.DiscoveryBase, IssuerURL: s.conn.IssuerURL}, nil)
	u, err := tokenEndpoint(obs.Discovery.URL, obs.Discovery.Status, obs.Discovery.Body, obs.Discovery.Err)
	if err != nil {
		return "", err
	}
	if !wif.TrustedEndpoint(s.conn.IssuerURL, s.conn.DiscoveryBase, u) {
		return "", fmt.Errorf("discovery at %s names the token endpoint %s, on another origin than the issuer's: the client secret is never sent there; give --token-url if that endpoint really is the issuer's", obs.Discovery.URL, u)
	}
	s.tokenURL = u
	return u, nil
}

func tokenEndpoint(url string, status int, body []byte, transportErr string) (string, error) {
	switch {
	case transportErr != "":
		return "", fmt.Errorf("discovery at %s: %s", url, transportErr)
	case status != http.StatusOK:
		return "", fmt.Errorf("discovery at %s answered HTTP %d; check --issuer or --discovery-base, or give --token-url", url, status)
	}
	var doc struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	if json.Unmarshal(body, &doc) != nil || doc.TokenEndpoint == "" {
		return "", fmt.Errorf("discovery at %s names no token_endpoint; give --token-url", url)
	}
	return doc.TokenEndpoint, nil
}
