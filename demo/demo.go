// Package demo runs wifwiz's built-in demo: an authentik emulator with one provider and an
// Anthropic emulator whose Console holds the matching federation issuer, service account and
// rule, both on loopback, and the pre-filled connection that uses them. It lets a newcomer walk
// the whole wizard without an authentik instance or an Anthropic organization — the admin API
// features included: the demo answers the connection's references to an authentik API token and
// to a Console token (org:admin) with tokens its emulators accept.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/wifwiz/wifwiz/anthropic/emulator"
	akemu "github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/tlsconf"
	"github.com/wifwiz/wifwiz/wif"
)

// The demo's fixed names and IDs; they look like the real ones so that every check runs.
const (
	Slug             = "wifwiz-demo"
	ProviderName     = "wifwiz-demo"
	SecretEnv        = "WIFWIZ_SECRET_DEMO"
	FederationRuleID = "fdrl_demo01wifwiz"
	ServiceAccountID = "svac_demo01wifwiz"
	IssuerID         = "fdis_demo01wifwiz"
	// The Console objects' names, as an admin would have typed them.
	ServiceAccountName = "wifwiz-demo"
	IssuerName         = "authentik-demo"
	RuleName           = "wifwiz-demo"
	// The variables the demo's admin API token references name; under the default web secret
	// policy's prefix (WIFWIZ_SECRET_), so that the wizard accepts them.
	AuthentikTokenEnv = "WIFWIZ_SECRET_DEMO_AUTHENTIK_TOKEN"
	ConsoleTokenEnv   = "WIFWIZ_SECRET_DEMO_CONSOLE_TOKEN"
	OrganizationID    = "5e1e0d3a-0000-4000-8000-00000000de30"
	// The demo provider's client ID and secret are fixed so that a demo connection survives a
	// restart; they only ever open the emulator on this machine's loopback.
	ClientID     = "wifwiz-demo-client-0123456789abcdefghij"
	clientSecret = "wifwiz-demo-secret-for-the-local-emulator-only-0123456789"
)

// EnvNames are the variables the demo's references name and Getenv answers; serve --demo lets
// web users reference them whatever --secret-env-prefix says.
func EnvNames() []string { return []string{SecretEnv, AuthentikTokenEnv, ConsoleTokenEnv} }

// Demo is the running demo issuer and exchange endpoint.
type Demo struct {
	Authentik *akemu.Emulator
	Anthropic *emulator.Server
	provider  akemu.Provider

	mu           sync.Mutex
	consoleToken string    // the Console token the demo's reference gives
	tokenExpires time.Time // when consoleToken expires
}

// Start starts both emulators on loopback and fills the Anthropic emulator's Console with the
// demo's issuer, service account and rule.
func Start() (*Demo, error) {
	ak, err := akemu.Start()
	if err != nil {
		return nil, fmt.Errorf("start the authentik emulator: %w", err)
	}
	p, err := ak.AddProvider(akemu.Provider{Slug: Slug, Name: ProviderName, ClientID: ClientID, ClientSecret: clientSecret,
		SubMode: wif.SubUsername, Validity: "hours=1", IncludeClaims: true})
	if err != nil {
		ak.Close()
		return nil, fmt.Errorf("add the demo provider: %w", err)
	}
	d := &Demo{Authentik: ak, provider: p}
	d.Anthropic, err = emulator.New()
	if err != nil {
		ak.Close()
		return nil, fmt.Errorf("start the Anthropic emulator: %w", err)
	}
	if err := d.fillConsole(); err != nil {
		d.Close()
		return nil, fmt.Errorf("fill the demo's Console: %w", err)
	}
	return d, nil
}

// fillConsole makes the Console objects the demo connection names, as an admin would have made
// them for a loopback issuer Anthropic cannot fetch from: its keys inline. The exchange uses
// these objects, so what "Create it for me" changes in them is what the next exchange meets.
func (d *Demo) fillConsole() error {
	a := d.Anthropic
	if err := a.SetOrganization(OrganizationID, "wifwiz demo organization"); err != nil {
		return err
	}
	a.AllowLoopbackURLs(true) // the demo issuer listens on loopback
	keys, err := d.signingKeys()
	if err != nil {
		return err
	}
	lifetime := int(time.Hour / time.Second)
	if _, err := a.AddServiceAccount(ServiceAccountID, map[string]any{"name": ServiceAccountName,
		"description": "The workload of wifwiz's built-in demo"}); err != nil {
		return err
	}
	if _, err := a.AddFederationIssuer(IssuerID, map[string]any{"name": IssuerName, "issuer_url": d.Authentik.IssuerURL(Slug),
		"jwks": map[string]any{"type": wif.JWKSInline, "keys": keys}, "max_jwt_lifetime_seconds": lifetime}); err != nil {
		return err
	}
	_, err = a.AddFederationRule(FederationRuleID, map[string]any{"name": RuleName, "issuer_id": IssuerID,
		"match":       map[string]any{"subject_prefix": wif.ServiceAccountUsername(ProviderName), "audience": d.provider.ClientID},
		"target":      map[string]any{"type": "service_account", "service_account_id": ServiceAccountID},
		"oauth_scope": wif.DefaultOAuthScope, "token_lifetime_seconds": lifetime, "workspace_id": wif.DefaultWorkspace})
	return err
}

// signingKeys are the keys the demo provider publishes, as the bare array an inline issuer holds.
func (d *Demo) signingKeys() (json.RawMessage, error) {
	tc, err := tlsconf.Client(d.Authentik.CAPEM())
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: tc}}
	defer client.CloseIdleConnections()
	url := d.Authentik.IssuerURL(Slug) + "jwks/"
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read the demo issuer's keys: %w", err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys json.RawMessage `json:"keys"`
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if err == nil {
		err = json.Unmarshal(body, &set)
	}
	if err != nil || len(set.Keys) == 0 {
		return nil, fmt.Errorf("read the demo issuer's keys from %s: %v", url, err)
	}
	return set.Keys, nil
}

// Connection is a new demo connection: the authentik side, the Console IDs and the references
// to the client secret and both admin API tokens are filled in (each bound to where it is sent),
// the rest is left for the wizard to derive from the sample token.
func (d *Demo) Connection() wif.Connection {
	issuer := d.Authentik.IssuerURL(Slug)
	c := wif.Connection{Name: "demo", Demo: true, AuthentikURL: d.Authentik.URL(), AppSlug: Slug, ProviderName: ProviderName,
		IssuerURL: issuer, DiscoveryBase: wif.DiscoveryBaseFor(issuer), ClientID: d.provider.ClientID,
		AccessTokenValidity: d.provider.Validity, SubjectMode: d.provider.SubMode, SecretRef: "env:" + SecretEnv,
		IssuerName: "authentik demo", ServiceAccountID: ServiceAccountID, FederationRuleID: FederationRuleID, RuleName: RuleName,
		OrganizationID: OrganizationID, AnthropicBaseURL: d.Anthropic.URL,
		AuthentikTokenRef: "env:" + AuthentikTokenEnv, ConsoleTokenRef: "env:" + ConsoleTokenEnv}
	bindDemoRefs(&c)
	return c
}

// bindDemoRefs binds each of the demo's own references c records to the origin its value is
// sent to now; a reference the person changed is left to the wizard's rules.
func bindDemoRefs(c *wif.Connection) {
	if c.SecretRef == "env:"+SecretEnv {
		c.SecretRefOrigin = wif.SecretOrigin(*c)
	}
	if c.AuthentikTokenRef == "env:"+AuthentikTokenEnv {
		c.AuthentikTokenRefOrigin = wif.AuthentikOrigin(*c)
	}
	if c.ConsoleTokenRef == "env:"+ConsoleTokenEnv {
		c.ConsoleTokenRefOrigin = wif.ConsoleOrigin(*c)
	}
}

// Rebind points a demo connection saved by an earlier run at this run's emulators, which listen
// on new ports with new signing keys. jwks is the current JWKS for a connection using inline keys.
// The demo's references are bound to the new ports. The Console starts afresh each run: objects
// an earlier run created are gone, so a connection naming them is pointed at the demo's again.
func (d *Demo) Rebind(c wif.Connection, jwks string) wif.Connection {
	fresh := d.Connection()
	c.AuthentikURL, c.IssuerURL, c.DiscoveryBase = fresh.AuthentikURL, fresh.IssuerURL, fresh.DiscoveryBase
	c.AnthropicBaseURL = fresh.AnthropicBaseURL
	if c.JWKSSource == wif.JWKSInline && jwks != "" {
		c.InlineJWKS = jwks
	}
	if c.FederationRuleID != FederationRuleID || c.ServiceAccountID != ServiceAccountID || c.IssuerID != "" && c.IssuerID != IssuerID {
		c.FederationRuleID, c.ServiceAccountID, c.OrganizationID = FederationRuleID, ServiceAccountID, OrganizationID
		if c.IssuerID != "" {
			c.IssuerID = IssuerID
		}
		c.RuleName = RuleName
	}
	bindDemoRefs(&c)
	return c
}

// Getenv answers the demo's secret and token variables and passes every other name to next.
func (d *Demo) Getenv(next func(string) string) func(string) string {
	return func(name string) string {
		switch name {
		case SecretEnv:
			return d.provider.ClientSecret
		case AuthentikTokenEnv:
			return d.Authentik.APIToken()
		case ConsoleTokenEnv:
			return d.ConsoleToken()
		}
		return next(name)
	}
}

// ConsoleToken is an org:admin OAuth token for the demo's Console, as `ant auth print-credentials`
// gives a person: short-lived, and a fresh one once it is close to expiring.
func (d *Demo) ConsoleToken() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	if d.consoleToken == "" || now.After(d.tokenExpires.Add(-10*time.Minute)) {
		d.tokenExpires = now.Add(time.Hour)
		d.consoleToken = d.Anthropic.IssueConsoleToken(emulator.ConsoleToken{Scopes: []string{"user:profile", "org:admin"}, ExpiresAt: d.tokenExpires})
	}
	return d.consoleToken
}

// CAPEM is the CA the demo issuer's certificate chains to.
func (d *Demo) CAPEM() []byte { return d.Authentik.CAPEM() }

// Close stops both emulators.
func (d *Demo) Close() {
	// Nothing of the demo is worth waiting for: a graceful shutdown would wait on every
	// connection a client keeps open (http.Server treats a new one as busy for seconds).
	d.Anthropic.Close()
	d.Authentik.Close()
}
