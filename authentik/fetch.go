package authentik

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

var errTooLarge = fmt.Errorf("response too large: over %d bytes (1 MiB)", wif.MaxResponseBytes)

// Get fetches public data at u (a JWKS, a discovery document), bounded like every fetch.
func (c *Client) Get(ctx context.Context, u string) verify.Fetch { return c.get(ctx, u) }

// get fetches u. The body is bounded; callers must treat it as read-only, since a cached
// Fetch is shared.
func (c *Client) get(ctx context.Context, u string) verify.Fetch {
	req, err := newRequest(ctx, http.MethodGet, u, nil)
	if err != nil {
		return verify.Fetch{URL: u, Err: err.Error()}
	}
	status, body, msg := c.do(req)
	return verify.Fetch{URL: u, Status: status, Body: body, Err: msg}
}

// newRequest accepts only absolute http(s) URLs: they come from configuration or from a
// discovery document, both untrusted.
func newRequest(ctx context.Context, method, u string, body io.Reader) (*http.Request, error) {
	parsed, err := url.Parse(u)
	if err != nil || (parsed.Scheme != "https" && parsed.Scheme != "http") || parsed.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", u)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "wifwiz")
	return req, nil
}

// do sends req and reads at most wif.MaxResponseBytes of the answer. msg describes a
// transport or read failure and is empty on a complete response.
func (c *Client) do(req *http.Request) (status int, body []byte, msg string) {
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, c.describe(err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, wif.MaxResponseBytes+1))
	if err != nil {
		return resp.StatusCode, nil, "read response: " + c.describe(err)
	}
	if len(body) > wif.MaxResponseBytes {
		return resp.StatusCode, nil, errTooLarge.Error()
	}
	return resp.StatusCode, body, ""
}

// describe turns a transport error into a sentence an admin can act on.
func (c *Client) describe(err error) string {
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		dns       *net.DNSError
		timeout   interface{ Timeout() bool }
		urlErr    *url.Error
	)
	switch {
	case errors.As(err, &unknownCA):
		return "TLS: the certificate is signed by an unknown authority; if authentik uses a private CA, give its PEM (--ca-file)"
	case errors.As(err, &hostname):
		return "TLS: " + hostname.Error()
	case errors.As(err, &invalid):
		return "TLS: " + invalid.Error()
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &timeout) && timeout.Timeout():
		return fmt.Sprintf("no complete answer within %s", c.timeout)
	case errors.As(err, &dns):
		return "DNS: " + dns.Error()
	case errors.As(err, &urlErr):
		return strings.TrimPrefix(urlErr.Err.Error(), "net/http: ")
	}
	return err.Error()
}
