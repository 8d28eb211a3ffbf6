// Package authentik talks to an authentik instance the way a workload and the Anthropic
// Console do: discovery, JWKS and the client-credentials token request, plus an optional
// read of the provider through the admin API. It turns what it sees into a
// verify.Observation and never interprets it; the check engine does.
package authentik

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/wifwiz/wifwiz/tlsconf"
)

// DefaultTimeout bounds every outbound request (docs/security.md).
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
	tlsConfig, err := tlsconf.Client(o.CAPEM)
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
	transport.TLSClientConfig = tlsConfig
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
