package probe_test

import (
	"context"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/wif"
)

// BenchmarkVerifyEmulator measures one full verification (discovery, the JWKS and the token
// request side by side — the issuer has authentik's shape — then every check) against the
// emulator answering each request after benchLatency. The round-trips metric is the time per
// check in units of that latency: one is the physical limit (docs/benchmarks.md).
func BenchmarkVerifyEmulator(b *testing.B) {
	const benchLatency = 10 * time.Millisecond
	e, err := emulator.Start(emulator.WithLatency(benchLatency))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	p, err := e.AddProvider(emulator.Provider{Slug: "bench", Name: "bench", SubMode: wif.SubUsername, IncludeClaims: true})
	if err != nil {
		b.Fatal(err)
	}
	r := &probe.Runner{ExtraCA: e.CAPEM()}
	conn := benchConnection(b, r, e, p)
	ctx := context.Background()
	for b.Loop() {
		rep, err := r.Verify(ctx, wif.ProbeRequest{Connection: conn, Secret: p.ClientSecret})
		if err != nil || !rep.OK {
			b.Fatalf("verify: err %v, summary %+v", err, rep.Summary)
		}
	}
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(benchLatency), "round-trips/op")
}

// benchConnection is a connection set up like the demo's: username subject, inline JWKS, Console IDs.
func benchConnection(b *testing.B, r *probe.Runner, e *emulator.Emulator, p emulator.Provider) wif.Connection {
	b.Helper()
	issuer := e.IssuerURL(p.Slug)
	conn := wif.Connection{Name: "bench", AuthentikURL: e.URL(), AppSlug: p.Slug, ProviderName: p.Name,
		IssuerURL: issuer, DiscoveryBase: wif.DiscoveryBaseFor(issuer), ClientID: p.ClientID,
		AccessTokenValidity: p.Validity, SubjectMode: p.SubMode, SubjectPrefix: wif.ServiceAccountUsername(p.Name),
		Audience: p.ClientID, TokenLifetime: time.Hour, MaxIdentityTokenLifetime: time.Hour,
		ServiceAccountID: "svac_bench01", FederationRuleID: "fdrl_bench01", OrganizationID: "5e1e0d3a-0000-4000-8000-00000000be01"}
	jwks, err := r.CurrentJWKS(context.Background(), conn)
	if err != nil {
		b.Fatal(err)
	}
	conn.JWKSSource, conn.InlineJWKS = wif.JWKSInline, jwks
	return conn
}
