package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/wif"
)

// Console IDs of a well-formed configuration, so that every check runs.
const (
	benchRuleID  = "fdrl_bench01wifwiz"
	benchSvacID  = "svac_bench01wifwiz"
	benchOrgID   = "5e1e0d3a-0000-4000-8000-00000000be01"
	benchLatency = 20 * time.Millisecond
)

// issuer is an emulated authentik with providers named iss-0, iss-1, …: each is its own issuer
// (per-provider issuer URL, own signing key).
type issuer struct {
	emu       *emulator.Emulator
	providers []emulator.Provider
}

func startIssuer(latency time.Duration, providers int) (*issuer, error) {
	return startSigningIssuer(latency, providers, emulator.RS256)
}

// startSigningIssuer is startIssuer with the providers' signing algorithm chosen, and more
// emulator options (e.g. its generic issuer mode).
func startSigningIssuer(latency time.Duration, providers int, signing string, opts ...emulator.Option) (*issuer, error) {
	e, err := emulator.Start(append([]emulator.Option{emulator.WithLatency(latency)}, opts...)...)
	if err != nil {
		return nil, err
	}
	is := &issuer{emu: e}
	for i := range providers {
		slug := fmt.Sprintf("iss-%d", i)
		p, err := e.AddProvider(emulator.Provider{Slug: slug, Name: slug, Signing: signing, SubMode: wif.SubUsername, IncludeClaims: true})
		if err != nil {
			e.Close()
			return nil, fmt.Errorf("add provider %s: %w", slug, err)
		}
		is.providers = append(is.providers, p)
	}
	return is, nil
}

func (is *issuer) close() { is.emu.Close() }

// runner trusts the emulator's CA.
func (is *issuer) runner() *probe.Runner { return &probe.Runner{ExtraCA: is.emu.CAPEM()} }

// connection is provider i set up like the demo: username subject, Console IDs, inline JWKS
// (the emulator listens on a loopback port, so Anthropic could not use discovery).
func (is *issuer) connection(ctx context.Context, i int, name string) (wif.Connection, error) {
	p := is.providers[i]
	url := is.emu.IssuerURL(p.Slug)
	c := wif.Connection{Name: name, AuthentikURL: is.emu.URL(), AppSlug: p.Slug, ProviderName: p.Name,
		IssuerURL: url, DiscoveryBase: wif.DiscoveryBaseFor(url), ClientID: p.ClientID,
		AccessTokenValidity: p.Validity, SubjectMode: p.SubMode, SecretRef: "env:" + secretEnv(i),
		IssuerName: "authentik " + p.Slug, JWKSSource: wif.JWKSInline, RuleName: name,
		SubjectPrefix: wif.ServiceAccountUsername(p.Name), Audience: p.ClientID, OAuthScope: "workspace:inference",
		TokenLifetime: time.Hour, MaxIdentityTokenLifetime: time.Hour, Step: 6,
		ServiceAccountID: benchSvacID, FederationRuleID: benchRuleID, OrganizationID: benchOrgID}
	jwks, err := is.runner().CurrentJWKS(ctx, c)
	if err != nil {
		return c, fmt.Errorf("JWKS of %s: %w", p.Slug, err)
	}
	c.InlineJWKS = jwks
	return c, nil
}

// secretEnv names the variable that holds provider i's client secret in a child process.
func secretEnv(i int) string { return fmt.Sprintf("WIFWIZ_BENCH_SECRET_%d", i) }

// secretEnviron is the secrets of every provider, as environment entries.
func (is *issuer) secretEnviron() []string {
	env := make([]string, len(is.providers))
	for i, p := range is.providers {
		env[i] = secretEnv(i) + "=" + p.ClientSecret
	}
	return env
}

// writeCA writes the emulator's CA where a child process can read it.
func (is *issuer) writeCA(dir string) (string, error) {
	path := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(path, is.emu.CAPEM(), 0o600); err != nil {
		return "", fmt.Errorf("write CA: %w", err)
	}
	return path, nil
}

// childEnv is a minimal environment for a child process plus extra.
func childEnv(extra ...string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()}
	return append(env, extra...)
}
