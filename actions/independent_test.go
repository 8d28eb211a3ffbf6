package actions_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/internal/testissuer"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

type publicDNS map[string][]string

func (d publicDNS) LookupHost(_ context.Context, host string) ([]string, error) {
	if a, ok := d[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// TestAuditDriftForIndependentIssuer: an issuer that is not authentik (node-oidc-provider at
// https://issuer.test/dex on port 443, JWKS by discovery) passes, so audits have a passing run
// to compare with; after the issuer rotates its key the audit names the kid drift (issue 17).
func TestAuditDriftForIndependentIssuer(t *testing.T) {
	ctx := context.Background()
	iss := testissuer.Start(t, testissuer.Options{Host: "issuer.test", DefaultPort: true})
	db, _ := testenv.OpenStore(t)
	conn := wif.Connection{
		Name: "dex-batch", IssuerURL: iss.URL, ClientID: iss.ClientID, Scope: iss.Scope, SecretRef: "env:DEX_SECRET",
		JWKSSource: wif.JWKSDiscovery, RuleName: "dex-batch", SubjectPrefix: iss.ClientID, Audience: iss.Audience,
		OAuthScope: wif.DefaultOAuthScope, TokenLifetime: time.Hour, MaxIdentityTokenLifetime: time.Hour,
		FederationRuleID: testenv.FederationRuleID, OrganizationID: testenv.OrganizationID,
		ServiceAccountID: testenv.ServiceAccountID, Step: 6,
	}
	if p := wif.ValidateConsole(conn); p.Err() != nil {
		t.Fatalf("the wizard's rules refuse a correct non-authentik connection: %v", p.Err())
	}
	conn = testenv.Create(t, db, conn)
	runner := &probe.Runner{ExtraCA: iss.CAPEM, Resolver: publicDNS{"issuer.test": {"93.184.216.34"}}, DialContext: iss.Dial}
	a := newAuditor(t, db, runner, map[string]string{"DEX_SECRET": iss.ClientSecret})

	first := only(t, a.Run(ctx, []wif.Connection{conn}, nil))
	if first.Status != wif.AuditPassed || !first.Report.OK {
		for _, c := range first.Report.Checks {
			if c.Status != verify.Pass {
				t.Logf("%s: %s %s", c.ID, c.Status, c.Message)
			}
		}
		t.Fatalf("first audit: %s %q", first.Status, first.Reason)
	}
	oldKid := first.Report.Token.Header["kid"]
	newKid := iss.Rotate(t)
	second := only(t, a.Run(ctx, []wif.Connection{conn}, nil))
	if second.Status != wif.AuditDrifted {
		t.Fatalf("after rotation: status %s, want drifted", second.Status)
	}
	drift := second.Drift
	if len(drift) == 0 || drift[0].Kind != verify.DriftKid || drift[0].Before != oldKid || drift[0].After != newKid {
		t.Fatalf("drift %+v, want kid %v → %s", drift, oldKid, newKid)
	}
}
