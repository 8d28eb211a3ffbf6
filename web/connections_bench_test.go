package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/wif"
)

// BenchmarkConnectionsPage serves the connections list (its first page of 50) with 1,000 connections, each verified
// once, over a real loopback connection (request logging included, to a discarded log). Each
// connection records a CA and an inline JWKS of the usual sizes, which the list does not show.
func BenchmarkConnectionsPage(b *testing.B) {
	const connections = 1000
	a := newApp(b, func(c *setup) { c.web.Logger = slog.New(slog.NewTextHandler(io.Discard, nil)) })
	ctx := context.Background()
	caPEM := "-----BEGIN CERTIFICATE-----\n" + strings.Repeat(strings.Repeat("A", 64)+"\n", 16) + "-----END CERTIFICATE-----\n"
	jwks := `{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"k1","e":"AQAB","n":"` + strings.Repeat("x", 342) + `"}]}`
	for i := range connections {
		c := &wif.Connection{Name: fmt.Sprintf("workload-%04d", i), IssuerURL: fmt.Sprintf("https://authentik.example/application/o/app-%d/", i%10),
			CAPEM: caPEM, JWKSSource: wif.JWKSInline, InlineJWKS: jwks}
		if err := a.db.CreateConnection(ctx, c, "bench"); err != nil {
			b.Fatal(err)
		}
		run := &wif.Run{ConnectionID: c.ID, Trigger: wif.TriggerAudit, OK: true, Summary: "17 pass, 1 warn, 0 fail, 0 skip", ReportJSON: []byte(`{}`)}
		if err := a.db.AddRun(ctx, run, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	client := &http.Client{}
	var size int64
	for b.Loop() {
		resp, err := client.Get(a.srv.URL + "/")
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || strings.Count(string(body), `data-testid="connection-row"`) != 50 {
			b.Fatalf("status %d, err %v", resp.StatusCode, err)
		}
		size = int64(len(body))
	}
	b.SetBytes(size)
}
