package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/wif"
)

// BenchmarkListConnections lists 1,000 connections, each with three runs and the CA and inline
// JWKS a real connection records: in full (as an audit does) and brief (as the connections page
// does). One query each: every connection with its newest run.
func BenchmarkListConnections(b *testing.B) {
	const connections, runsEach = 1000, 3
	db := MustOpen(b, tempPath(b))
	ctx := context.Background()
	caPEM := "-----BEGIN CERTIFICATE-----\n" + strings.Repeat(strings.Repeat("A", 64)+"\n", 16) + "-----END CERTIFICATE-----\n"
	jwks := `{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"k1","e":"AQAB","n":"` + strings.Repeat("x", 342) + `"}]}`
	report := []byte(`{"checks":[],"summary":{"pass":17,"warn":1,"fail":0,"skip":0},"ok":true}`)
	for i := range connections {
		c := sample(fmt.Sprintf("conn-%04d", i))
		c.CAPEM, c.JWKSSource, c.InlineJWKS = caPEM, wif.JWKSInline, jwks
		if err := db.CreateConnection(ctx, c, "bench"); err != nil {
			b.Fatal(err)
		}
		for range runsEach {
			r := &wif.Run{ConnectionID: c.ID, Trigger: wif.TriggerAudit, OK: true, Summary: "17 pass, 1 warn, 0 fail, 0 skip", ReportJSON: report}
			if err := db.AddRun(ctx, r, "bench"); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("full", func(b *testing.B) {
		for b.Loop() {
			ls, err := db.ListConnections(ctx, store.ListFilter{})
			if err != nil || len(ls) != connections {
				b.Fatalf("listed %d (err %v)", len(ls), err)
			}
		}
	})
	b.Run("summaries", func(b *testing.B) {
		for b.Loop() {
			ls, err := db.ListConnectionSummaries(ctx, store.ListFilter{})
			if err != nil || len(ls) != connections || ls[0].LastRun == nil {
				b.Fatalf("listed %d (err %v)", len(ls), err)
			}
		}
	})
}
