// Package console is a client of Anthropic's Workload Identity Federation management API
// (/v1/organizations/…): service accounts and their workspace memberships, federation issuers,
// federation rules and their workspaces, the organization and its workspaces. It authenticates
// with an OAuth access token carrying the org:admin scope, which it never logs, stores or shows,
// and explains every refusal for a person (see Error).
package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wifwiz/wifwiz/anthropic"
	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/tlsconf"
	"github.com/wifwiz/wifwiz/wif"
)

// Facts of the management API and wifwiz's bounds on it.
const (
	APIVersion       = "2023-06-01"
	DefaultTimeout   = 10 * time.Second
	DefaultMaxPages  = 50 // of up to 100 objects each
	MaxResponseBytes = wif.MaxResponseBytes
	pageSize         = 100
	orgPath          = "/v1/organizations"
)

// Options configures a Client. The zero value talks to https://api.anthropic.com.
type Options struct {
	BaseURL  string        // empty: https://api.anthropic.com; plain http only for a loopback host
	CAPEM    []byte        // extra trusted CA certificates, added to the system roots
	Timeout  time.Duration // per request; zero: DefaultTimeout
	Beta     bool          // append ?beta=true to every path, as the SDKs' beta methods do
	MaxPages int           // pages followed by a list; zero: DefaultMaxPages
}

// Client calls the management API with one Console token.
type Client struct {
	base     *url.URL
	http     *http.Client
	token    string
	beta     bool
	maxPages int
}

// New checks the token and the options. An Admin API key (sk-ant-admin…) or an API key
// (sk-ant-api…) is refused here, before anything is sent: these endpoints take only an OAuth
// access token.
func New(token string, o Options) (*Client, error) {
	token = strings.TrimSpace(token)
	if err := checkToken(token); err != nil {
		return nil, err
	}
	base, err := anthropic.ParseBaseURL(o.BaseURL)
	if err != nil {
		return nil, err
	}
	hc, err := httpClient(o)
	if err != nil {
		return nil, err
	}
	c := &Client{base: base, http: hc, token: token, beta: o.Beta, maxPages: o.MaxPages}
	if c.maxPages <= 0 {
		c.maxPages = DefaultMaxPages
	}
	return c, nil
}

func checkToken(token string) error {
	switch {
	case token == "":
		return &Error{Kind: KindNoToken, Fix: fixLogin}
	case strings.HasPrefix(token, "sk-ant-admin"):
		return &Error{Kind: KindAdminKey, Fix: fixLogin}
	case strings.HasPrefix(token, "sk-ant-api"):
		return &Error{Kind: KindAPIKey, Fix: fixLogin}
	case strings.ContainsAny(token, " \t\r\n"):
		return &Error{Kind: KindMalformedToken, Fix: "Copy the token again in one piece: " + fixLogin}
	}
	return nil
}

// String names the client without its token.
func (c *Client) String() string { return "console.Client(" + c.base.String() + ")" }

// GoString is String, so that %#v does not print the token either.
func (c *Client) GoString() string { return c.String() }

// BaseURL is the API's base URL.
func (c *Client) BaseURL() string { return c.base.String() }

func httpClient(o Options) (*http.Client, error) {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tlsConfig, err := tlsconf.Client(o.CAPEM)
	if err != nil {
		return nil, fmt.Errorf("console %w", err)
	}
	tr.TLSClientConfig = tlsConfig
	return &http.Client{
		Timeout:   timeout,
		Transport: tr,
		// A redirect would carry the token somewhere the caller did not choose.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// request is one call: what to send and what the caller knows to explain a refusal.
type request struct {
	method string
	path   string // under /v1/organizations, e.g. "/federation_rules/fdrl_1"
	query  url.Values
	body   any
	name   string // the name a create sends, for a 409
	scope  string // the rule scope involved, for a 403
}

// do performs r and decodes a 200 answer into out (when not nil).
func (c *Client) do(ctx context.Context, r request, out any) error {
	req, err := c.newRequest(ctx, r)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", r.method, orgPath+r.path, redactErr(err, c.token))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", r.method, orgPath+r.path, err)
	}
	if len(data) > MaxResponseBytes {
		return fmt.Errorf("%s %s: answer larger than %d bytes", r.method, orgPath+r.path, MaxResponseBytes)
	}
	if resp.StatusCode != http.StatusOK {
		return c.apiError(r, resp, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: the answer is not the expected JSON: %w", r.method, orgPath+r.path, err)
	}
	return nil
}

func (c *Client) newRequest(ctx context.Context, r request) (*http.Request, error) {
	u := c.base.JoinPath(orgPath + r.path)
	q := url.Values{}
	for k, v := range r.query {
		q[k] = v
	}
	if c.beta {
		q.Set("beta", "true")
	}
	u.RawQuery = q.Encode()
	var body io.Reader
	if r.body != nil {
		data, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("%s %s: encoding the request: %w", r.method, orgPath+r.path, err)
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.method, orgPath+r.path, err)
	}
	req.Header.Set("anthropic-version", APIVersion)
	req.Header.Set("authorization", "Bearer "+c.token)
	req.Header.Set("accept", "application/json")
	if body != nil {
		req.Header.Set("content-type", "application/json")
	}
	return req, nil
}

// redactErr keeps a transport error's cause without any trace of the token.
func redactErr(err error, token string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	r := redact.New(token)
	if msg := r.String(err.Error()); msg != err.Error() {
		return errors.New(msg)
	}
	return err
}
