package emulator

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/go-jose/go-jose/v4"
)

const (
	jwksTimeout  = 10 * time.Second
	maxJWKSBytes = 1 << 20
)

// keys returns the rule's JWKS. Anthropic caches a fetched JWKS for about a minute; the emulator
// fetches at every exchange so that tests see key changes at once.
func (s *Server) keys(ctx context.Context, r Rule) (jose.JSONWebKeySet, error) {
	switch {
	case r.JWKS != nil:
		return *r.JWKS, nil
	case r.KeySet != nil:
		ks, err := r.KeySet(ctx)
		if err != nil {
			return ks, fmt.Errorf("key set: %w", err)
		}
		return ks, nil
	}
	return fetchJWKS(ctx, r.JWKSURL, r.CAPEM)
}

func fetchJWKS(ctx context.Context, url string, caPEM []byte) (jose.JSONWebKeySet, error) {
	var ks jose.JSONWebKeySet
	body, err := fetch(ctx, url, caPEM)
	if err != nil {
		return ks, fmt.Errorf("fetching JWKS: %w", err)
	}
	if err := json.Unmarshal(body, &ks); err != nil {
		return ks, fmt.Errorf("JWKS %s is not a key set: %w", url, err)
	}
	return ks, nil
}

// fetch GETs url, trusting caPEM as well as the system roots, and reads up to maxJWKSBytes.
func fetch(ctx context.Context, url string, caPEM []byte) ([]byte, error) {
	client, err := jwksClient(caPEM)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("URL %q: %w", url, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %d", url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", url, err)
	}
	return body, nil
}

func jwksClient(caPEM []byte) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if len(caPEM) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, errors.New("JWKS CA PEM: no certificate found")
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Timeout: jwksTimeout, Transport: tr}, nil
}
