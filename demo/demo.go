// Package demo runs wifwiz's built-in demo: an authentik emulator with one provider and an
// Anthropic exchange emulator with the matching federation rule, both on loopback, and the
// pre-filled connection that uses them. It lets a newcomer walk the whole wizard without an
// authentik instance or an Anthropic organization.
package demo

import (
	"fmt"
	"time"

	"github.com/wifwiz/wifwiz/anthropic/emulator"
	akemu "github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/wif"
)

// The demo's fixed names and IDs; they look like the real ones so that every check runs.
const (
	Slug             = "wifwiz-demo"
	ProviderName     = "wifwiz-demo"
	SecretEnv        = "WIFWIZ_SECRET_DEMO"
	FederationRuleID = "fdrl_demo01wifwiz"
	ServiceAccountID = "svac_demo01wifwiz"
	OrganizationID   = "5e1e0d3a-0000-4000-8000-00000000de30"
	// The demo provider's client ID and secret are fixed so that a demo connection survives a
	// restart; they only ever open the emulator on this machine's loopback.
	ClientID     = "wifwiz-demo-client-0123456789abcdefghij"
	clientSecret = "wifwiz-demo-secret-for-the-local-emulator-only-0123456789"
)

// Demo is the running demo issuer and exchange endpoint.
type Demo struct {
	Authentik *akemu.Emulator
	Anthropic *emulator.Server
	provider  akemu.Provider
}

// Start starts both emulators on loopback.
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
	d.Anthropic, err = emulator.New(d.rule())
	if err != nil {
		ak.Close()
		return nil, fmt.Errorf("start the Anthropic emulator: %w", err)
	}
	return d, nil
}

func (d *Demo) rule() emulator.Rule {
	return emulator.Rule{ID: FederationRuleID, OrganizationID: OrganizationID, ServiceAccountID: ServiceAccountID,
		IssuerURL: d.Authentik.IssuerURL(Slug), JWKSURL: d.Authentik.IssuerURL(Slug) + "jwks/", CAPEM: d.Authentik.CAPEM(),
		SubjectPrefix: wif.ServiceAccountUsername(ProviderName), Audience: d.provider.ClientID,
		TokenLifetime: time.Hour, MaxIdentityTokenLifetime: time.Hour}
}

// Connection is a new demo connection: the authentik side and the Console IDs are filled in,
// the rest is left for the wizard to derive from the sample token.
func (d *Demo) Connection() wif.Connection {
	issuer := d.Authentik.IssuerURL(Slug)
	return wif.Connection{Name: "demo", Demo: true, AuthentikURL: d.Authentik.URL(), AppSlug: Slug, ProviderName: ProviderName,
		IssuerURL: issuer, DiscoveryBase: wif.DiscoveryBaseFor(issuer), ClientID: d.provider.ClientID,
		AccessTokenValidity: d.provider.Validity, SubjectMode: d.provider.SubMode, SecretRef: "env:" + SecretEnv,
		IssuerName: "authentik demo", ServiceAccountID: ServiceAccountID, FederationRuleID: FederationRuleID,
		OrganizationID: OrganizationID, AnthropicBaseURL: d.Anthropic.URL}
}

// Rebind points a demo connection saved by an earlier run at this run's emulators, which listen
// on new ports with new signing keys. jwks is the current JWKS for a connection using inline keys.
func (d *Demo) Rebind(c wif.Connection, jwks string) wif.Connection {
	fresh := d.Connection()
	c.AuthentikURL, c.IssuerURL, c.DiscoveryBase = fresh.AuthentikURL, fresh.IssuerURL, fresh.DiscoveryBase
	c.AnthropicBaseURL = fresh.AnthropicBaseURL
	if c.JWKSSource == wif.JWKSInline && jwks != "" {
		c.InlineJWKS = jwks
	}
	return c
}

// Getenv answers the demo secret's variable and passes every other name to next.
func (d *Demo) Getenv(next func(string) string) func(string) string {
	return func(name string) string {
		if name == SecretEnv {
			return d.provider.ClientSecret
		}
		return next(name)
	}
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
