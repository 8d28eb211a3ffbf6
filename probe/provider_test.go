package probe_test

import (
	"context"
	"strings"
	"testing"

	akemu "github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// TestVerifyReadsTheProvider: with an authentik API token a verification reads the provider
// through the admin API for authentik.provider; without one the check says how to give one.
func TestVerifyReadsTheProvider(t *testing.T) {
	emu, err := akemu.Start(akemu.WithVersion("2026.5.1"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	p, err := emu.AddProvider(akemu.Provider{Slug: "claude", Name: "Claude", SubMode: wif.SubUsername, IncludeClaims: true})
	if err != nil {
		t.Fatal(err)
	}
	runner := &probe.Runner{ExtraCA: emu.CAPEM()}
	conn := connectionFor(t, emu, p)
	conn.SubjectMode = wif.SubUsername
	run := func(token string) verify.Check {
		rep, err := runner.Verify(context.Background(), wif.ProbeRequest{Connection: conn, Secret: p.ClientSecret, AuthentikToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range rep.Checks {
			if c.ID == verify.CheckAuthentikProvider {
				return c
			}
		}
		t.Fatal("no authentik.provider check")
		return verify.Check{}
	}
	if c := run(emu.ReadOnlyAPIToken()); c.Status != verify.Pass || !strings.Contains(c.Message, "2026.5.1") ||
		!strings.Contains(c.Actual, `grant_types="authorization_code,`) {
		t.Fatalf("read-only token: %+v, want pass with the version and the grant types", c)
	}
	if c := run(""); c.Status != verify.Skip {
		t.Errorf("no token: %+v, want skip", c)
	}
	if c := run("wrong-token"); c.Status != verify.Fail || !strings.Contains(c.Message, "403") || strings.Contains(c.Message, "wrong-token") {
		t.Errorf("wrong token: %+v, want fail naming the status, not the token", c)
	}
	if err := emu.Update("claude", func(q *akemu.Provider) { q.GrantTypes = []string{"authorization_code"}; q.Validity = "hours=2" }); err != nil {
		t.Fatal(err)
	}
	c := run(emu.APIToken())
	if c.Status != verify.Fail || !strings.Contains(c.Fix, "Grant types: select Client credentials") || !strings.Contains(c.Fix, "Access token validity: set at most hours=1") {
		t.Errorf("changed provider: %+v, want both settings named", c)
	}
}

// TestAuthentikProviderFailuresOverHTTPS: each wrong setting of a real (emulated) provider,
// read over HTTPS through the admin API, fails authentik.provider with the authentik setting to
// change named.
func TestAuthentikProviderFailuresOverHTTPS(t *testing.T) {
	emu, err := akemu.Start(akemu.WithVersion("2026.5.0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	runner := &probe.Runner{ExtraCA: emu.CAPEM()}
	for _, tc := range []struct {
		name   string
		p      akemu.Provider
		edit   func(*wif.Connection)
		status verify.Status
		inFix  string
	}{
		{"Good", akemu.Provider{}, nil, verify.Pass, ""},
		{"NoSigningKey", akemu.Provider{Signing: akemu.SigningNone, ClientSecret: strings.Repeat("x", 40)}, nil, verify.Fail, "Signing Key: select"},
		{"Ed25519Key", akemu.Provider{Signing: akemu.SigningEd25519}, nil, verify.Fail, "does not sign JWTs with a ed25519 key"},
		{"EncryptionKey", akemu.Provider{Encrypted: true}, nil, verify.Fail, "Encryption Key: clear it"},
		{"Unbound", akemu.Provider{Detached: true}, nil, verify.Fail, "select this provider as its Provider"},
		{"OtherSlug", akemu.Provider{}, func(c *wif.Connection) { c.AppSlug = "elsewhere" }, verify.Fail, `not "elsewhere"`},
		{"SubjectMode", akemu.Provider{SubMode: wif.SubHashedUserID}, nil, verify.Fail, "Subject mode: choose \"Based on the User's username\""},
		{"GlobalIssuer", akemu.Provider{IssuerMode: akemu.IssuerGlobal}, func(c *wif.Connection) {
			c.IssuerURL = c.AuthentikURL + "/application/o/" + c.AppSlug + "/"
		}, verify.Fail, "Issuer mode: choose"},
		{"Validity", akemu.Provider{Validity: "hours=2"}, nil, verify.Fail, "Access token validity: set at most hours=1"},
		{"GrantTypes", akemu.Provider{GrantTypes: []string{"authorization_code"}}, nil, verify.Fail, "Grant types: select Client credentials"},
		{"Public", akemu.Provider{ClientType: "public"}, nil, verify.Fail, "Client type to Confidential"},
		{"RedirectURIs", akemu.Provider{RedirectURIs: []string{"https://app.example/cb"}}, nil, verify.Warn, "Redirect URIs/Origins"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.p.Slug, tc.p.Name, tc.p.IncludeClaims = strings.ToLower(tc.name), tc.name, true
			if tc.p.SubMode == "" {
				tc.p.SubMode = wif.SubUsername
			}
			p, err := emu.AddProvider(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			c := connectionFor(t, emu, p)
			c.SubjectMode, c.SubjectPrefix = wif.SubUsername, ""
			if tc.edit != nil {
				tc.edit(&c)
			}
			rep, err := runner.Verify(context.Background(), wif.ProbeRequest{Connection: c, AuthentikToken: emu.ReadOnlyAPIToken()})
			if err != nil {
				t.Fatal(err)
			}
			var got verify.Check
			for _, ch := range rep.Checks {
				if ch.ID == verify.CheckAuthentikProvider {
					got = ch
				}
			}
			if got.Status != tc.status || !strings.Contains(got.Fix, tc.inFix) {
				t.Errorf("%s %q fix %q, want %s naming %q", got.Status, got.Message, got.Fix, tc.status, tc.inFix)
			}
		})
	}
}
