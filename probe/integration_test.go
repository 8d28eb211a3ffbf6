package probe_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	akemu "github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// fetchJWKS reads the provider's current keys over TLS, as an admin pasting them into the Console would.
func fetchJWKS(t *testing.T, emu *akemu.Emulator, slug string) string {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(emu.CAPEM())
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	resp, err := c.Get(emu.IssuerURL(slug) + "jwks/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// connectionFor is a connection as a careful admin records it for provider p: the Console uses
// inline JWKS (the emulator is on loopback), the subject is the real sub shape for the mode.
func connectionFor(t *testing.T, emu *akemu.Emulator, p akemu.Provider) wif.Connection {
	t.Helper()
	issuer := emu.IssuerURL(p.Slug)
	if p.IssuerMode == akemu.IssuerGlobal {
		issuer = emu.URL() + "/"
	}
	c := wif.Connection{Name: p.Slug, AuthentikURL: emu.URL(), AppSlug: p.Slug, ProviderName: p.Name, IssuerURL: issuer,
		DiscoveryBase: wif.DiscoveryBaseFor(emu.IssuerURL(p.Slug)), ClientID: p.ClientID, Audience: p.ClientID,
		SubjectPrefix: wif.ServiceAccountUsername(p.Name), TokenLifetime: time.Hour, MaxIdentityTokenLifetime: time.Hour,
		FederationRuleID: "fdrl_it", ServiceAccountID: "svac_it", OrganizationID: "5e1e0d3a-0000-4000-8000-00000000de30"}
	if p.Signing != akemu.SigningNone && !p.Encrypted {
		c.JWKSSource, c.InlineJWKS = wif.JWKSInline, fetchJWKS(t, emu, p.Slug)
	}
	return c
}

func statuses(rep verify.Report) map[string]verify.Status {
	m := map[string]verify.Status{}
	for _, c := range rep.Checks {
		m[c.ID] = c.Status
	}
	return m
}

func fixOf(rep verify.Report, id string) string {
	for _, c := range rep.Checks {
		if c.ID == id {
			return c.Actual + " | " + c.Message + " | " + c.Fix
		}
	}
	return ""
}

func TestVerifyAgainstEmulator(t *testing.T) {
	emu, err := akemu.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	runner := &probe.Runner{ExtraCA: emu.CAPEM()}

	tests := []struct {
		name     string
		provider akemu.Provider
		edit     func(c *wif.Connection, secret *string)
		want     map[string]verify.Status
		fixHas   map[string]string
	}{
		{name: "good", provider: akemu.Provider{Slug: "good", SubMode: wif.SubUsername},
			want: map[string]verify.Status{verify.CheckSignature: verify.Pass, verify.CheckClaimIss: verify.Pass, verify.CheckClaimSub: verify.Pass,
				verify.CheckClaimAud: verify.Pass, verify.CheckLifetime: verify.Pass, verify.CheckHeaderKid: verify.Pass, verify.CheckIssuerURL: verify.Warn}},
		{name: "hashed sub vs username rule", provider: akemu.Provider{Slug: "hashed"},
			want:   map[string]verify.Status{verify.CheckClaimSub: verify.Fail, verify.CheckSignature: verify.Pass},
			fixHas: map[string]string{verify.CheckClaimSub: "Subject mode"}},
		{name: "no signing key", provider: akemu.Provider{Slug: "nosign", SubMode: wif.SubUsername, Signing: akemu.SigningNone},
			want:   map[string]verify.Status{verify.CheckJWKS: verify.Fail, verify.CheckHeaderAlg: verify.Fail},
			fixHas: map[string]string{verify.CheckJWKS: "Signing Key", verify.CheckHeaderAlg: "Signing Key"}},
		{name: "encrypted", provider: akemu.Provider{Slug: "jwe", SubMode: wif.SubUsername, Encrypted: true},
			want:   map[string]verify.Status{verify.CheckTokenFormat: verify.Fail, verify.CheckClaimSub: verify.Skip},
			fixHas: map[string]string{verify.CheckTokenFormat: "Encryption Key"}},
		{name: "ES256", provider: akemu.Provider{Slug: "ec", SubMode: wif.SubUsername, Signing: akemu.ES256},
			want: map[string]verify.Status{verify.CheckHeaderAlg: verify.Pass, verify.CheckSignature: verify.Pass}},
		{name: "global issuer", provider: akemu.Provider{Slug: "global", SubMode: wif.SubUsername, IssuerMode: akemu.IssuerGlobal},
			want: map[string]verify.Status{verify.CheckClaimIss: verify.Pass, verify.CheckDiscoveryIssuer: verify.Pass}},
		{name: "long validity", provider: akemu.Provider{Slug: "long", SubMode: wif.SubUsername, Validity: "hours=2"},
			want:   map[string]verify.Status{verify.CheckLifetime: verify.Fail},
			fixHas: map[string]string{verify.CheckLifetime: "Maximum identity token lifetime"}},
		{name: "wrong secret", provider: akemu.Provider{Slug: "wrongsecret", SubMode: wif.SubUsername},
			edit:   func(c *wif.Connection, secret *string) { *secret = "definitely-not-the-secret" },
			want:   map[string]verify.Status{verify.CheckTokenRequest: verify.Fail, verify.CheckClaimIss: verify.Skip},
			fixHas: map[string]string{verify.CheckTokenRequest: "invalid_grant"}},
		{name: "unknown client", provider: akemu.Provider{Slug: "unknown", SubMode: wif.SubUsername},
			edit:   func(c *wif.Connection, secret *string) { c.ClientID = "no-such-client" },
			want:   map[string]verify.Status{verify.CheckTokenRequest: verify.Fail},
			fixHas: map[string]string{verify.CheckTokenRequest: "invalid_client"}},
		{name: "host mismatch", provider: akemu.Provider{Slug: "host", SubMode: wif.SubUsername},
			edit: func(c *wif.Connection, secret *string) {
				// Tokens fetched through another host name carry that host in iss.
				c.DiscoveryBase = strings.Replace(c.DiscoveryBase, "localhost", "127.0.0.1", 1)
			},
			want:   map[string]verify.Status{verify.CheckClaimIss: verify.Fail, verify.CheckDiscoveryIssuer: verify.Fail},
			fixHas: map[string]string{verify.CheckClaimIss: "host"}},
		{name: "trailing slash", provider: akemu.Provider{Slug: "slash", SubMode: wif.SubUsername},
			edit:   func(c *wif.Connection, secret *string) { c.IssuerURL = strings.TrimSuffix(c.IssuerURL, "/") },
			want:   map[string]verify.Status{verify.CheckClaimIss: verify.Fail, verify.CheckIssuerURL: verify.Fail},
			fixHas: map[string]string{verify.CheckClaimIss: "'/'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := emu.AddProvider(tt.provider)
			if err != nil {
				t.Fatal(err)
			}
			conn, secret := connectionFor(t, emu, p), p.ClientSecret
			if tt.edit != nil {
				tt.edit(&conn, &secret)
			}
			rep, err := runner.Verify(context.Background(), wif.ProbeRequest{Connection: conn, Secret: secret})
			if err != nil {
				t.Fatal(err)
			}
			got := statuses(rep)
			for id, want := range tt.want {
				if got[id] != want {
					t.Errorf("%s = %s, want %s (%s)", id, got[id], want, fixOf(rep, id))
				}
			}
			for id, want := range tt.fixHas {
				if !strings.Contains(fixOf(rep, id), want) {
					t.Errorf("%s does not mention %q: %s", id, want, fixOf(rep, id))
				}
			}
			if len(rep.Checks) != len(verify.CheckIDs) {
				t.Errorf("%d checks, want %d", len(rep.Checks), len(verify.CheckIDs))
			}
		})
	}
}

func TestRotatedKeyWithOutdatedInlineJWKS(t *testing.T) {
	emu, err := akemu.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	runner := &probe.Runner{ExtraCA: emu.CAPEM()}
	p, _ := emu.AddProvider(akemu.Provider{Slug: "rotate", SubMode: wif.SubUsername})
	conn := connectionFor(t, emu, p)
	before, _ := runner.Verify(context.Background(), wif.ProbeRequest{Connection: conn, Secret: p.ClientSecret})
	if !before.OK {
		t.Fatalf("before rotation: %+v", statuses(before))
	}
	if err := emu.RotateKey("rotate"); err != nil {
		t.Fatal(err)
	}
	after, _ := runner.Verify(context.Background(), wif.ProbeRequest{Connection: conn, Secret: p.ClientSecret})
	if st := statuses(after)[verify.CheckHeaderKid]; st != verify.Fail {
		t.Fatalf("header.kid after rotation = %s", st)
	}
	if !strings.Contains(fixOf(after, verify.CheckHeaderKid), "JWKS") {
		t.Fatalf("fix does not say to paste the new JWKS: %s", fixOf(after, verify.CheckHeaderKid))
	}
	drift := verify.Drift(before, after)
	kinds := map[string]bool{}
	for _, d := range drift {
		kinds[d.Kind] = true
	}
	if !kinds[verify.DriftKid] || !kinds[verify.DriftInlineJWKS] {
		t.Fatalf("drift = %+v, want kid and inline_jwks", drift)
	}
}
