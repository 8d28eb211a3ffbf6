package authentik

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// RequestToken sends the client-credentials request (docs/facts.md, authentik: "Client credentials
// request"): the credentials in the form, or with basic in an Authorization header. The
// result holds the raw response, tokens included; the secret never appears in it.
func (c *Client) RequestToken(ctx context.Context, tokenURL, clientID, secret, scope string, basic bool) verify.TokenResponse {
	if msg := plainHTTPProblem(tokenURL, "the client secret"); msg != "" {
		return verify.TokenResponse{URL: tokenURL, Err: msg}
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	if !basic {
		form.Set("client_id", clientID)
		form.Set("client_secret", secret)
	}
	if scope != "" {
		form.Set("scope", scope)
	}
	req, err := newRequest(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return verify.TokenResponse{URL: tokenURL, Err: err.Error()}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(clientID, secret)
	}
	status, body, msg := c.do(req)
	return verify.TokenResponse{URL: tokenURL, Status: status, Body: body, Err: redact.New().WithBasic(clientID, secret).String(msg)}
}

// plainHTTPProblem refuses to send what (a secret) over plain http to anything but this machine:
// on the way it could be read by anyone on the network.
func plainHTTPProblem(rawURL, what string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "http" || wif.IsLoopbackHost(u.Hostname()) {
		return ""
	}
	return fmt.Sprintf("not sent: %s uses plain http, and wifwiz sends %s only over https (or to this machine); use the https URL", rawURL, what)
}

// TokenRequest is what a token refresher asks the issuer for.
type TokenRequest struct {
	TokenURL     string
	IssuerURL    string // optional: tells the issuer's kind for messages; else the token URL's shape does
	ClientID     string
	ClientSecret string
	Scope        string // sent as is; empty sends none
	Basic        bool
}

// kind is the issuer's kind as far as the request tells it.
func (r TokenRequest) kind() wif.IssuerKind {
	if r.IssuerURL != "" {
		return wif.KindOfIssuer(r.IssuerURL, r.TokenURL)
	}
	return wif.KindOfIssuer(wif.Origin(r.TokenURL), r.TokenURL)
}

// TokenSet is a successful token response. Its String and GoString never show the tokens.
type TokenSet struct {
	AccessToken string
	IDToken     string
	TokenType   string
	ExpiresIn   time.Duration // whole seconds, as authentik sends it
	Scope       string
}

func (t TokenSet) String() string {
	return fmt.Sprintf("TokenSet{access_token: %d bytes, id_token: %d bytes, token_type: %q, expires_in: %s, scope: %q}",
		len(t.AccessToken), len(t.IDToken), t.TokenType, t.ExpiresIn, t.Scope)
}

func (t TokenSet) GoString() string { return t.String() }

// TokenError is the issuer's refusal of a token request: its OAuth error, read for the issuer's
// kind (authentik tells an unknown client from a wrong secret; others need not).
type TokenError struct {
	URL       string
	Status    int
	Authentik wif.AuthentikError // the OAuth error body, whatever the issuer
	Kind      wif.IssuerKind
}

func (e *TokenError) Error() string {
	who := "the issuer"
	if e.Kind.Authentik() {
		who = "authentik"
	}
	msg := fmt.Sprintf("%s refused the token request to %s (HTTP %d) with %s", who, e.URL, e.Status, e.Authentik.Quoted())
	if m := e.Authentik.Meaning(e.Kind); m != "" {
		msg += ": " + m
	}
	return msg + ". " + e.Authentik.Fix(e.Kind)
}

// FetchToken requests a token pair. An OAuth refusal is a *TokenError; no error carries
// the secret or a token.
func (c *Client) FetchToken(ctx context.Context, r TokenRequest) (TokenSet, error) {
	resp := c.RequestToken(ctx, r.TokenURL, r.ClientID, r.ClientSecret, r.Scope, r.Basic)
	switch {
	case resp.Err != "":
		return TokenSet{}, fmt.Errorf("token request to %s: %s", resp.URL, resp.Err)
	case resp.Status == http.StatusOK:
		return parseTokenSet(resp.URL, resp.Body)
	}
	red := redact.New().WithBasic(r.ClientID, r.ClientSecret)
	if ae, ok := wif.ParseAuthentikError(resp.Body); ok {
		ae.Description, ae.RequestID, ae.Code = red.String(ae.Description), red.String(ae.RequestID), red.String(ae.Code)
		return TokenSet{}, &TokenError{URL: resp.URL, Status: resp.Status, Authentik: ae, Kind: r.kind()}
	}
	return TokenSet{}, fmt.Errorf("token endpoint %s answered HTTP %d: %s", resp.URL, resp.Status, bodyStart(resp.Body, red))
}

func parseTokenSet(tokenURL string, body []byte) (TokenSet, error) {
	var raw struct {
		AccessToken string  `json:"access_token"`
		IDToken     string  `json:"id_token"`
		TokenType   string  `json:"token_type"`
		ExpiresIn   float64 `json:"expires_in"`
		Scope       string  `json:"scope"`
	}
	// The body holds tokens, so the decoding error (which may quote it) is not passed on.
	if json.Unmarshal(body, &raw) != nil {
		return TokenSet{}, fmt.Errorf("token endpoint %s answered 200 with a body that is not a JSON token response", tokenURL)
	}
	if raw.AccessToken == "" && raw.IDToken == "" {
		return TokenSet{}, fmt.Errorf("token endpoint %s answered 200 without access_token or id_token", tokenURL)
	}
	return TokenSet{
		AccessToken: raw.AccessToken,
		IDToken:     raw.IDToken,
		TokenType:   raw.TokenType,
		ExpiresIn:   time.Duration(raw.ExpiresIn) * time.Second,
		Scope:       raw.Scope,
	}, nil
}

// bodyStart is the beginning of an error body, printable and without the secret.
func bodyStart(body []byte, red *redact.Redactor) string {
	s := red.String(string(body))
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return ' '
	}, s)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	if strings.TrimSpace(s) == "" {
		return "(empty body)"
	}
	return s
}
