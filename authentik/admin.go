package authentik

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/wif"
)

// Errors of ReadProvider, for callers that explain them differently.
var (
	ErrAPITokenRefused  = errors.New("authentik refused the API token")
	ErrProviderNotFound = errors.New("authentik has no OAuth2 provider with this client ID")
)

// Provider is an OAuth2 provider as authentik's admin API shows it (authentik.md, "Admin
// API"). It deliberately has no field for the client secret the API returns in clear, so
// the secret is never decoded.
type Provider struct {
	PK                      int          `json:"pk"`
	Name                    string       `json:"name"`
	ClientType              string       `json:"client_type"` // confidential | public
	ClientID                string       `json:"client_id"`
	AccessTokenValidity     string       `json:"access_token_validity"` // e.g. hours=1
	IncludeClaimsInIDToken  bool         `json:"include_claims_in_id_token"`
	SigningKey              string       `json:"signing_key"`    // keypair UUID; empty when none
	EncryptionKey           string       `json:"encryption_key"` // keypair UUID; empty when none
	RedirectURIs            RedirectURIs `json:"redirect_uris"`
	SubMode                 string       `json:"sub_mode"`    // wif.Sub*
	IssuerMode              string       `json:"issuer_mode"` // per_provider | global
	AssignedApplicationSlug string       `json:"assigned_application_slug"`
	AssignedApplicationName string       `json:"assigned_application_name"`
}

// RedirectURI is one redirect URI; MatchingMode is empty for the older string form.
type RedirectURI struct {
	MatchingMode string `json:"matching_mode"`
	URL          string `json:"url"`
}

// RedirectURIs decodes both shapes authentik has used: a list of {matching_mode, url}
// (since 2024.12) and one newline-separated string (before).
type RedirectURIs []RedirectURI

func (r *RedirectURIs) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*r = nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("redirect_uris string: %w", err)
		}
		*r = nil
		for _, line := range strings.Split(s, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				*r = append(*r, RedirectURI{URL: line})
			}
		}
	default:
		var list []RedirectURI
		if err := json.Unmarshal(b, &list); err != nil {
			return errors.New("redirect_uris is neither a list of {matching_mode, url} nor a string")
		}
		*r = list
	}
	return nil
}

// ReadProvider reads the provider with clientID through the admin API, with apiToken as
// Bearer. The token is used for this request only and never appears in an error.
func (c *Client) ReadProvider(ctx context.Context, baseURL, apiToken, clientID string) (Provider, error) {
	u := strings.TrimRight(baseURL, "/") + "/api/v3/providers/oauth2/?client_id=" + url.QueryEscape(clientID)
	req, err := newRequest(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Provider{}, fmt.Errorf("authentik URL: %w", err)
	}
	if msg := plainHTTPProblem(u, "an API token"); msg != "" {
		return Provider{}, fmt.Errorf("read provider: %s", msg)
	}
	req.Header.Set("Authorization", "Bearer "+apiToken)
	status, body, msg := c.do(req)
	if msg != "" {
		return Provider{}, fmt.Errorf("read provider from %s: %s", u, redact.New(apiToken).String(msg))
	}
	if err := apiStatus(status, body, apiToken); err != nil {
		return Provider{}, fmt.Errorf("read provider from %s: %w", u, err)
	}
	var page struct {
		Results []Provider `json:"results"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return Provider{}, fmt.Errorf("read provider from %s: not a provider list: %w", u, err)
	}
	for _, p := range page.Results {
		if p.ClientID == clientID {
			return p, nil
		}
	}
	return Provider{}, fmt.Errorf("%w: %q", ErrProviderNotFound, clientID)
}

func apiStatus(status int, body []byte, apiToken string) error {
	if status == http.StatusOK {
		return nil
	}
	var detail struct {
		Detail string `json:"detail"`
	}
	_ = json.Unmarshal(body, &detail) // best effort: the detail only adds to the message
	said := ""
	if detail.Detail != "" {
		said = fmt.Sprintf(" (authentik said %q)", redact.New(apiToken).String(detail.Detail))
	}
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		return fmt.Errorf("%w: HTTP %d%s; use a token of a user allowed to view OAuth2 providers", ErrAPITokenRefused, status, said)
	}
	return fmt.Errorf("admin API answered HTTP %d%s", status, said)
}

// ServiceAccount is the username authentik generates for this provider's client credentials.
func (p Provider) ServiceAccount() string { return wif.ServiceAccountUsername(p.Name) }
