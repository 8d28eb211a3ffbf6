package actions_test

import (
	"context"
	"testing"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/demo"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/wif"
)

// A demo connection saved by one run of `serve --demo` is pointed at the next run's emulators
// (new ports, new keys) and verifies there with its recorded secret reference, which is bound to
// the demo issuer's new origin.
func TestDemoConnectionSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	db, _ := testenv.OpenStore(t)

	first, err := demo.Start()
	if err != nil {
		t.Fatal(err)
	}
	svc1 := testenv.Service(t, db, &probe.Runner{ExtraCA: first.CAPEM()}, testenv.ServiceOptions{
		Getenv: first.Getenv(func(string) string { return "" }), DemoRunning: true})
	created, err := svc1.CreateDemoConnection(ctx, first.Connection(), "test")
	if err != nil {
		t.Fatal(err)
	}
	conn := *created
	conn.JWKSSource = wif.JWKSInline
	if conn.InlineJWKS, err = svc1.CurrentJWKS(ctx, conn); err != nil {
		t.Fatal(err)
	}
	conn.SubjectPrefix, conn.Audience = wif.ServiceAccountUsername(demo.ProviderName), demo.ClientID
	if err := db.UpdateConnection(ctx, &conn, "test"); err != nil {
		t.Fatal(err)
	}
	first.Close()

	second, err := demo.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	svc2 := testenv.Service(t, db, &probe.Runner{ExtraCA: second.CAPEM()}, testenv.ServiceOptions{
		Getenv: second.Getenv(func(string) string { return "" }), DemoRunning: true})
	if err := svc2.RebindDemo(ctx, second.Connection(), second.Rebind); err != nil {
		t.Fatal(err)
	}
	got, _ := db.GetConnection(ctx, conn.ID)
	if got.IssuerURL != second.Connection().IssuerURL || got.IssuerURL == conn.IssuerURL {
		t.Fatalf("issuer after restart = %q (old %q)", got.IssuerURL, conn.IssuerURL)
	}
	if got.SecretRefOrigin != wif.SecretOrigin(*got) {
		t.Fatalf("the demo's secret reference is bound to %q, not the new issuer %q", got.SecretRefOrigin, wif.SecretOrigin(*got))
	}
	v, err := svc2.VerifyAndRecord(ctx, actions.VerifyRequest{Connection: *got, UseStoredSecret: true})
	if err != nil {
		t.Fatal(err)
	}
	if !v.Report.OK {
		for _, c := range v.Report.Checks {
			if c.Status == "fail" {
				t.Errorf("%s: %s", c.ID, c.Message)
			}
		}
	}
}
