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
// the demo issuer's new origin; its admin API token references are bound to the new emulators
// too, so the Console and the provider are read, and the exchange passes.
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
	if got.ConsoleTokenRefOrigin != wif.ConsoleOrigin(*got) || got.AuthentikTokenRefOrigin != wif.AuthentikOrigin(*got) ||
		got.ConsoleTokenRefOrigin == conn.ConsoleTokenRefOrigin {
		t.Fatalf("the demo's token references are bound to %q and %q", got.ConsoleTokenRefOrigin, got.AuthentikTokenRefOrigin)
	}
	if !svc2.HasConsoleToken(*got) || !svc2.HasAuthentikToken(*got) {
		t.Fatal("the demo's token references do not resolve after the restart")
	}
	cat, err := svc2.ReadConsole(ctx, *got, actions.Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	if rule, ok := catalogRule(cat, demo.FederationRuleID); !ok || rule.Target.ServiceAccountID != demo.ServiceAccountID {
		t.Fatalf("the Console read after the restart: %+v", cat)
	}
	if ins, err := svc2.InspectProvider(ctx, actions.InspectRequest{Connection: *got}); err != nil || ins.Provider.ClientID != demo.ClientID {
		t.Fatalf("the provider read after the restart: %+v %v", ins.Provider, err)
	}
	v, err := svc2.VerifyAndRecord(ctx, actions.VerifyRequest{Connection: *got, UseStoredSecret: true, Exchange: true})
	if err != nil {
		t.Fatal(err)
	}
	ran := map[string]string{}
	for _, c := range v.Report.Checks {
		ran[c.ID] = string(c.Status)
		if c.Status == "fail" {
			t.Errorf("%s: %s", c.ID, c.Message)
		}
	}
	for _, id := range []string{"console.access", "console.issuer", "console.rule", "console.service_account", "authentik.provider", "exchange"} {
		if ran[id] != "pass" {
			t.Errorf("%s = %q after the restart, want pass", id, ran[id])
		}
	}
}

// catalogRule is the rule with that ID among those a Console read listed.
func catalogRule(cat actions.ConsoleCatalog, ruleID string) (wif.ConsoleRule, bool) {
	for _, ci := range cat.Issuers {
		for _, r := range ci.Rules {
			if r.ID == ruleID {
				return r, true
			}
		}
	}
	return wif.ConsoleRule{}, false
}
