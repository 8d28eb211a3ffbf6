package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/wifwiz/wifwiz/demo"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/wif"
)

func TestDemoConnectionSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "wifwiz.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	first, err := demo.Start()
	if err != nil {
		t.Fatal(err)
	}
	runner1 := &probe.Runner{ExtraCA: first.CAPEM()}
	conn := first.Connection()
	conn.JWKSSource = wif.JWKSInline
	if conn.InlineJWKS, err = runner1.CurrentJWKS(ctx, conn); err != nil {
		t.Fatal(err)
	}
	conn.SubjectPrefix, conn.Audience = wif.ServiceAccountUsername(demo.ProviderName), demo.ClientID
	if err := db.CreateConnection(ctx, &conn, "test"); err != nil {
		t.Fatal(err)
	}
	first.Close()

	second, err := demo.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	runner2 := &probe.Runner{ExtraCA: second.CAPEM()}
	if err := rebindDemo(ctx, db, second, runner2); err != nil {
		t.Fatal(err)
	}
	got, _ := db.GetConnection(ctx, conn.ID)
	if got.IssuerURL != second.Connection().IssuerURL || got.IssuerURL == conn.IssuerURL {
		t.Fatalf("issuer after restart = %q (old %q)", got.IssuerURL, conn.IssuerURL)
	}
	secret := second.Getenv(func(string) string { return "" })(demo.SecretEnv)
	rep, err := runner2.Verify(ctx, probe.Input{Connection: *got, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK {
		for _, c := range rep.Checks {
			if c.Status == "fail" {
				t.Errorf("%s: %s", c.ID, c.Message)
			}
		}
	}
}
