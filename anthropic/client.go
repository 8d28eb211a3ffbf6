package anthropic

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

	"github.com/wifwiz/wifwiz/tlsconf"
	"github.com/wifwiz/wifwiz/verify"
)

// Options configures a Client. The zero value talks to DefaultBaseURL with the system roots.
type Options struct {
	BaseURL string        // empty: DefaultBaseURL; http only for loopback hosts
	CAPEM   []byte        // extra trusted CA certificates, added to the system roots
	Timeout time.Duration // whole request; zero: DefaultTimeout
}

// Client performs token exchanges against one Anthropic base URL.
type Client struct {
	tokenURL string
	http     *http.Client
}

// Request is one exchange as the SDKs send it. Empty ServiceAccountID and WorkspaceID are
// omitted from the body, as the SDKs do.
type Request struct {
	Assertion        string // the identity token; never logged or kept
	FederationRuleID string
	OrganizationID   string
	ServiceAccountID string
	WorkspaceID      string
}

// NewClient checks the options and builds a client.
func NewClient(o Options) (*Client, error) {
	base, err := ParseBaseURL(o.BaseURL)
	if err != nil {
		return nil, err
	}
	hc, err := newHTTPClient(o)
	if err != nil {
		return nil, err
	}
	return &Client{tokenURL: base.JoinPath(TokenPath).String(), http: hc}, nil
}

// TokenURL is where Exchange posts.
func (c *Client) TokenURL() string { return c.tokenURL }

func newHTTPClient(o Options) (*http.Client, error) {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tlsConfig, err := tlsconf.Client(o.CAPEM)
	if err != nil {
		return nil, fmt.Errorf("anthropic %w", err)
	}
	tr.TLSClientConfig = tlsConfig
	return &http.Client{
		Timeout:   timeout,
		Transport: tr,
		// A redirect would re-send the assertion somewhere the caller did not choose.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// Exchange posts the identity token and reports what Anthropic answered. Problems before a
// response (a refused assertion, a transport error) are in Err; the access token itself is
// reduced to TokenPrefix.
func (c *Client) Exchange(ctx context.Context, r Request) verify.Exchange {
	out := verify.Exchange{URL: c.tokenURL}
	body, err := requestBody(r)
	if err != nil {
		out.Err = err.Error()
		return out
	}
	status, resp, err := c.post(ctx, body)
	if err != nil {
		out.Err = err.Error()
		return out
	}
	out.Status = status
	readResponse(status, resp, &out)
	return out
}

func requestBody(r Request) ([]byte, error) {
	assertion := strings.TrimSpace(r.Assertion)
	if assertion == "" {
		return nil, errors.New("identity token is empty")
	}
	if len(assertion) > MaxAssertionBytes {
		return nil, fmt.Errorf("identity token is %d bytes; Anthropic accepts at most %d", len(assertion), MaxAssertionBytes)
	}
	return json.Marshal(struct {
		GrantType        string `json:"grant_type"`
		Assertion        string `json:"assertion"`
		FederationRuleID string `json:"federation_rule_id"`
		OrganizationID   string `json:"organization_id"`
		ServiceAccountID string `json:"service_account_id,omitempty"`
		WorkspaceID      string `json:"workspace_id,omitempty"`
	}{GrantTypeJWTBearer, assertion, r.FederationRuleID, r.OrganizationID, r.ServiceAccountID, r.WorkspaceID})
}

func (c *Client) post(ctx context.Context, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.tokenURL, bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("token exchange request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("anthropic-beta", BetaHeader)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("token exchange: %w", redactURLError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("token exchange: reading the response: %w", err)
	}
	if len(data) > MaxResponseBytes {
		return resp.StatusCode, nil, fmt.Errorf("token exchange: response larger than %d bytes", MaxResponseBytes)
	}
	return resp.StatusCode, data, nil
}

// redactURLError keeps the operation and cause of a *url.Error; the URL is the caller's own
// token URL, which the report already shows.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
