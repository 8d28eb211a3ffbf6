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
