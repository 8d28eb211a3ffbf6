package main

import (
	"context"
	"strings"
	"testing"

	anthropicemu "github.com/wifwiz/wifwiz/anthropic/emulator"
	authentikemu "github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/verify"
)

// startAnthropic serves the exchange with a rule trusting the fixture's issuer.
func startAnthropic(t *testing.T, f *fixture, archived bool) *anthropicemu.Server {
	t.Helper()
	srv, err := anthropicemu.New(anthropicemu.Rule{
		ID: testRuleID, OrganizationID: testOrgID, ServiceAccountID: testSvacID, IssuerURL: f.issuer(),
		JWKSURL: f.issuer() + "jwks/", CAPEM: f.emu.CAPEM(),
		SubjectPrefix: testSubject, Audience: f.provider.ClientID, Archived: archived,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func TestCheckExchange(t *testing.T) {
	f := newFixture(t, authentikemu.Provider{})
	cases := []struct {
		name     string
		archived bool
		viaEnv   bool
		code     int
		status   string
		needle   string
	}{
		{"accepted", false, false, exitOK, "pass", "HTTP 200; Bearer token"},
		{"base URL from ANTHROPIC_BASE_URL", false, true, exitOK, "pass", "HTTP 200; Bearer token"},
		{"denied with 401", true, false, exitFail, "fail", "HTTP 401"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := startAnthropic(t, f, tc.archived)
			vars, args := f.secretEnvVars(), f.goodArgs("--exchange", "--json")
			if tc.viaEnv {
				vars["ANTHROPIC_BASE_URL"] = srv.URL
			} else {
				args = append(args, "--anthropic-base-url", srv.URL)
			}
			res := runCLI(t, context.Background(), vars, args...)
			if res.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", res.code, tc.code, res.stdout, res.stderr)
			}
			r := parseReport(t, res.stdout)
			var x string
			for _, c := range r.Checks {
				if c.ID == verify.CheckExchange {
					x = c.Actual
				}
			}
			if r.status(verify.CheckExchange) != tc.status || !strings.Contains(x, tc.needle) {
				t.Errorf("exchange %s %q; want %s containing %q", r.status(verify.CheckExchange), x, tc.status, tc.needle)
			}
			if tc.status == "fail" && r.status(verify.CheckClaimAud) != "pass" {
				t.Errorf("only the exchange should fail, claim.aud is %s", r.status(verify.CheckClaimAud))
			}
			if st := srv.Stats(); st.Requests != 1 {
				t.Errorf("%d exchange requests, want 1", st.Requests)
			}
			if !strings.Contains(res.stderr, "jti") || strings.Count(res.stderr, "\n") != 1 {
				t.Errorf("stderr should be the one-line jti note, got %q", res.stderr)
			}
			for _, tok := range srv.AccessTokens() {
				if strings.Contains(res.stdout+res.stderr, tok) {
					t.Error("an Anthropic access token reached the output")
				}
			}
			assertNoSecrets(t, "stdout", res.stdout, f.provider.ClientSecret)
		})
	}
}
