// Package authentik talks to an authentik instance the way a workload and the Anthropic
// Console do: discovery, JWKS and the client-credentials token request, plus an optional
// read of the provider through the admin API. It turns what it sees into a
// verify.Observation and never interprets it; the check engine does.
package authentik

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// DefaultTimeout bounds every outbound request (product.md, "Security rules").
const DefaultTimeout = 10 * time.Second

// maxRedirects bounds same-host redirects (authentik's <slug>/ redirects once, to discovery).
const maxRedirects = 5

// Resolver looks host names up; net.DefaultResolver is one.
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// Options configure a Client. The zero value trusts the system CAs, waits DefaultTimeout
// and resolves with net.DefaultResolver.
type Options struct {
	CAPEM    []byte // extra trusted CA certificates, added to the system pool
	Timeout  time.Duration
	Resolver Resolver
	// DialContext replaces the transport's dialer (nil: net.Dialer). Tests use it to reach a
	// loopback server under a public name on port 443, as Anthropic would see the issuer.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Client is safe for concurrent use.
type Client struct {
	http     *http.Client
	resolver Resolver
	timeout  time.Duration
}

// NewClient builds a client; it fails when CAPEM holds anything but certificates.
func NewClient(o Options) (*Client, error) {
	pool, err := certPool(o.CAPEM)
	if err != nil {
		return nil, err
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	transport.MaxIdleConnsPerHost = 16
	if o.DialContext != nil {
		transport.DialContext = o.DialContext
	}
	return &Client{
		http:     &http.Client{Transport: transport, Timeout: o.Timeout, CheckRedirect: sameHostRedirects},
		resolver: o.Resolver,
		timeout:  o.Timeout,
	}, nil
}

// certPool is the system pool plus every certificate of caPEM.
func certPool(caPEM []byte) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool() // no system pool on this platform: trust only caPEM
	}
	if len(bytes.TrimSpace(caPEM)) == 0 {
		return pool, nil
	}
	rest, n := caPEM, 0
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		n++
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("CA PEM block %d is %q, want CERTIFICATE", n, block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("CA PEM certificate %d: %w", n, err)
		}
		pool.AddCert(cert)
	}
	if n == 0 {
		return nil, errors.New("CA PEM holds no certificate: expected -----BEGIN CERTIFICATE-----")
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, fmt.Errorf("CA PEM has non-PEM data after certificate %d", n)
	}
	return pool, nil
}

// sameHostRedirects follows redirects only within the scheme and host first asked, so an
// answer never silently comes from somewhere else.
func sameHostRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
		return fmt.Errorf("redirected to %s: wifwiz does not follow redirects to another scheme or host; use that URL if it is right", req.URL.Redacted())
	}
	return nil
}
