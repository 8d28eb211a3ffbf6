// Package oidclogin signs people in to wifwiz through an OpenID Connect provider (authentik):
// the authorization code flow with PKCE (S256), golang.org/x/oauth2 exchanging the code and
// go-oidc verifying the ID token (issuer, audience, expiry, signature against the provider's
// published keys). Who the person is and which groups they are in come from the ID token, or
// from the userinfo endpoint when the ID token carries no groups claim. docs/security.md
// describes the sessions built on it.
package oidclogin

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/tlsconf"
	"github.com/wifwiz/wifwiz/wif"
)

// Defaults of Config.
const (
	DefaultGroupsClaim = "groups"
	defaultTimeout     = 10 * time.Second
	maxGroups          = 1000
	maxGroupName       = 256
)

// DefaultScopes are requested at sign-in: authentik's profile scope carries name and groups.
var DefaultScopes = []string{oidc.ScopeOpenID, "profile", "email"}

// Config is one OIDC client registration.
type Config struct {
	Issuer       string // exactly as the provider's discovery document names it
	ClientID     string
	ClientSecret string
	RedirectURL  string   // wifwiz's callback, registered at the provider
	CAPEM        []byte   // extra trusted CA for the provider (TLS is always verified)
	GroupsClaim  string   // default "groups"
	Scopes       []string // default DefaultScopes
	Now          func() time.Time
	Timeout      time.Duration // per request; default 10 s
}

// Provider is a relying party of one OIDC provider. Discovery happens on first use and is kept
// once it succeeds, so wifwiz starts even while the provider is down.
type Provider struct {
	cfg    Config
	client *http.Client

	mu   sync.Mutex
	disc *discovered
}

type discovered struct {
	provider   *oidc.Provider
	oauth      oauth2.Config
	verifier   *oidc.IDTokenVerifier
	endSession string
}

// New checks the configuration and builds the HTTP client; it sends nothing.
func New(cfg Config) (*Provider, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.ClientSecret == "" || cfg.RedirectURL == "" {
		return nil, errors.New("the issuer, client ID, client secret and redirect URL are all needed")
	}
	if u, err := url.Parse(cfg.Issuer); err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("the issuer %q is not an https:// URL", cfg.Issuer)
	}
	tlsCfg, err := tlsconf.Client(cfg.CAPEM)
	if err != nil {
		return nil, err
	}
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = DefaultGroupsClaim
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = DefaultScopes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = defaultTimeout
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tlsCfg
	client := &http.Client{Timeout: cfg.Timeout, Transport: limitedTransport{tr},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Provider{cfg: cfg, client: client}, nil
}

// Issuer is the configured issuer URL.
func (p *Provider) Issuer() string { return p.cfg.Issuer }

// RedirectURL is the callback to register at the provider.
func (p *Provider) RedirectURL() string { return p.cfg.RedirectURL }

// Scopes are the scopes requested at sign-in.
func (p *Provider) Scopes() []string { return append([]string(nil), p.cfg.Scopes...) }

// GroupsClaim is the claim the groups are read from.
func (p *Provider) GroupsClaim() string { return p.cfg.GroupsClaim }

func (p *Provider) withClient(ctx context.Context) context.Context {
	return oidc.ClientContext(context.WithValue(ctx, oauth2.HTTPClient, p.client), p.client)
}

// discover reads the discovery document once it answers; failures are not kept.
func (p *Provider) discover(ctx context.Context) (*discovered, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.disc != nil {
		return p.disc, nil
	}
	prov, err := oidc.NewProvider(p.withClient(ctx), p.cfg.Issuer)
	if err != nil {
		return nil, &wif.SignInError{Kind: wif.SignInUnreachable, Err: err,
			Message: fmt.Sprintf("wifwiz could not read the sign-in provider's discovery document at %s: %s. %s",
				strings.TrimSuffix(p.cfg.Issuer, "/")+"/.well-known/openid-configuration", describe(err), discoveryHint(err))}
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = prov.Claims(&extra)
	d := &discovered{provider: prov,
		oauth: oauth2.Config{ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret, Endpoint: prov.Endpoint(),
			RedirectURL: p.cfg.RedirectURL, Scopes: p.cfg.Scopes},
		verifier: prov.Verifier(&oidc.Config{ClientID: p.cfg.ClientID, Now: p.cfg.Now})}
	if u, err := url.Parse(extra.EndSession); err == nil && u.Scheme == "https" && u.Host != "" {
		d.endSession = extra.EndSession
	}
	p.disc = d
	return d, nil
}

func discoveryHint(err error) string {
	msg := err.Error()
	var unknownCA x509.UnknownAuthorityError
	switch {
	case strings.Contains(msg, "did not match the issuer URL returned by provider"):
		return "Set --oidc-issuer to exactly the issuer the provider names, trailing slash included."
	case errors.As(err, &unknownCA) || strings.Contains(msg, "x509:"):
		return "The provider's TLS certificate is not trusted: add its CA with --oidc-ca-file."
	}
	return "Check that authentik is up and that --oidc-issuer is the sign-in provider's issuer URL, then try again."
}

// AuthCodeURL is where the browser goes to sign in: the authorization endpoint with the
// attempt's state, nonce and PKCE challenge.
func (p *Provider) AuthCodeURL(ctx context.Context, a wif.SignInAttempt) (string, error) {
	d, err := p.discover(ctx)
	if err != nil {
		return "", err
	}
	return d.oauth.AuthCodeURL(a.State, oauth2.S256ChallengeOption(a.Verifier), oidc.Nonce(a.Nonce)), nil
}

// EndSessionURL is the provider's end_session_endpoint with the client ID, or "" when it has
// none (or was never reached).
func (p *Provider) EndSessionURL(ctx context.Context) string {
	d, err := p.discover(ctx)
	if err != nil || d.endSession == "" {
		return ""
	}
	u, _ := url.Parse(d.endSession)
	q := u.Query()
	q.Set("client_id", p.cfg.ClientID)
	u.RawQuery = q.Encode()
	return u.String()
}

// Redeem exchanges the code with the attempt's PKCE verifier, verifies the ID token (issuer,
// audience, expiry, signature) and its nonce, and reads who signed in.
func (p *Provider) Redeem(ctx context.Context, code string, a wif.SignInAttempt) (wif.Identity, error) {
	d, err := p.discover(ctx)
	if err != nil {
		return wif.Identity{}, err
	}
	ctx = p.withClient(ctx)
	tok, err := d.oauth.Exchange(ctx, code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		return wif.Identity{}, p.redacted(exchangeError(err))
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return wif.Identity{}, &wif.SignInError{Kind: wif.SignInInvalid,
			Message: "The provider answered without an ID token. In authentik, add the openid scope to the sign-in provider's scopes."}
	}
	idt, err := d.verifier.Verify(ctx, raw)
	if err != nil {
		return wif.Identity{}, &wif.SignInError{Kind: wif.SignInInvalid, Err: err,
			Message: "The ID token was refused: " + strings.TrimPrefix(err.Error(), "oidc: ") + ". " + verifyHint(err, p.cfg)}
	}
	if idt.Nonce != a.Nonce {
		return wif.Identity{}, &wif.SignInError{Kind: wif.SignInInvalid,
			Message: "The ID token was refused: its nonce is not the one this sign-in sent, so it may have been replayed. Sign in again."}
	}
	id, err := p.identity(ctx, d, idt, tok)
	if err != nil {
		return wif.Identity{}, p.redacted(err, tok.AccessToken, raw)
	}
	return id, nil
}

// redacted removes the client secret (in any encoding, the Basic credentials included) and
// the sign-in's tokens from a sign-in error built from the provider's answers: its message is
// shown and its cause logged.
func (p *Provider) redacted(err error, tokens ...string) error {
	var se *wif.SignInError
	if !errors.As(err, &se) {
		return err
	}
	r := redact.New(tokens...).WithBasic(p.cfg.ClientID, p.cfg.ClientSecret)
	return &wif.SignInError{Kind: se.Kind, Message: r.String(se.Message), Err: r.Error(se.Err)}
}

// verifyHint says what to check for the usual reasons an ID token fails verification.
func verifyHint(err error, cfg Config) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "audience"):
		return fmt.Sprintf("It was issued for another client: wifwiz accepts only tokens for its client ID %q (--oidc-client-id).", cfg.ClientID)
	case strings.Contains(msg, "issuer"):
		return fmt.Sprintf("It names another issuer than %q (--oidc-issuer).", cfg.Issuer)
	case strings.Contains(msg, "expired"):
		return "It had expired: check that the clocks of wifwiz and authentik agree, then sign in again."
	}
	return "Sign in again; if it happens again, check the sign-in provider's signing key in authentik."
}

func exchangeError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		what := re.ErrorCode
		if re.ErrorDescription != "" {
			what += ": " + re.ErrorDescription
		}
		if what == "" {
			what = fmt.Sprintf("HTTP %d", re.Response.StatusCode)
		}
		return &wif.SignInError{Kind: wif.SignInRefused, Err: err,
			Message: "The provider refused to complete the sign-in (" + what + "). " + refusalHint(re.ErrorCode)}
	}
	return &wif.SignInError{Kind: wif.SignInUnreachable, Err: err,
		Message: "wifwiz could not reach the provider's token endpoint: " + describe(err) + ". Try again in a moment."}
}

func refusalHint(code string) string {
	switch code {
	case "invalid_client":
		return "Check --oidc-client-id and the client secret against the sign-in provider in authentik, and that the redirect URI is registered there."
	case "invalid_grant":
		return "The code was used already, expired, or belongs to another sign-in: sign in again."
	}
	return "Sign in again."
}

// describe shortens a transport error to what a person can act on.
func describe(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "no answer within the timeout"
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && strings.Contains(msg, "dial tcp") {
		return "connection failed (" + msg[i+2:] + ")"
	}
	return msg
}

// identity reads the person and their groups from the ID token, asking userinfo when the ID
// token has no groups claim (authentik leaves the profile claims out unless "Include claims in
// id_token" is on; other providers put them in userinfo only).
func (p *Provider) identity(ctx context.Context, d *discovered, idt *oidc.IDToken, tok *oauth2.Token) (wif.Identity, error) {
	var claims map[string]json.RawMessage
	if err := idt.Claims(&claims); err != nil {
		return wif.Identity{}, &wif.SignInError{Kind: wif.SignInInvalid, Err: err, Message: "The ID token's claims could not be read."}
	}
	if _, ok := claims[p.cfg.GroupsClaim]; !ok && d.provider.UserInfoEndpoint() != "" {
		info, err := d.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return wif.Identity{}, &wif.SignInError{Kind: wif.SignInUnreachable, Err: err,
				Message: "The ID token has no " + p.cfg.GroupsClaim + " claim and the provider's userinfo endpoint did not answer: " + describe(err) + "."}
		}
		if info.Subject != idt.Subject {
			return wif.Identity{}, &wif.SignInError{Kind: wif.SignInInvalid,
				Message: "The provider's userinfo names another subject than the ID token: the sign-in is refused."}
		}
		var more map[string]json.RawMessage
		if err := info.Claims(&more); err == nil {
			for k, v := range more {
				if _, have := claims[k]; !have {
					claims[k] = v
				}
			}
		}
	}
	groups, err := readGroups(claims[p.cfg.GroupsClaim])
	if err != nil {
		return wif.Identity{}, &wif.SignInError{Kind: wif.SignInInvalid, Err: err,
			Message: "The " + p.cfg.GroupsClaim + " claim is not a list of group names: " + err.Error() + "."}
	}
	str := func(k string) string {
		var s string
		_ = json.Unmarshal(claims[k], &s)
		return s
	}
	person := wif.NewPerson(idt.Subject, str("name"), str("preferred_username"), str("email"))
	return wif.Identity{Person: person, Groups: groups}, nil
}

// readGroups accepts a list of strings (or one string); absent means none.
func readGroups(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		var one string
		if json.Unmarshal(raw, &one) != nil {
			return nil, errors.New("expected an array of strings")
		}
		list = []string{one}
	}
	if len(list) > maxGroups {
		return nil, fmt.Errorf("%d groups, more than %d", len(list), maxGroups)
	}
	for _, g := range list {
		if len(g) > maxGroupName {
			return nil, fmt.Errorf("a group name of %d bytes, longer than %d", len(g), maxGroupName)
		}
	}
	return list, nil
}

// limitedTransport fails a response body larger than 1 MiB instead of reading it all.
type limitedTransport struct{ next http.RoundTripper }

func (t limitedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &limitedBody{rc: resp.Body, left: wif.MaxResponseBytes}
	return resp, nil
}

type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		if n, _ := b.rc.Read(one[:]); n > 0 {
			return 0, fmt.Errorf("response larger than %d bytes (1 MiB)", wif.MaxResponseBytes)
		}
		return b.rc.Read(p)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
