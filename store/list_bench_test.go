package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/wif"
)

// BenchmarkListConnections lists 1,000 connections, each with three runs, as the connections
// page does (one query: every connection with its newest run).
func BenchmarkListConnections(b *testing.B) {
	const connections, runsEach = 1000, 3
	db := MustOpen(b, tempPath(b))
	ctx := context.Background()
	report := []byte(`{"checks":[],"summary":{"pass":17,"warn":1,"fail":0,"skip":0},"ok":true}`)
	for i := range connections {
		c := sample(fmt.Sprintf("conn-%04d", i))
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
	for b.Loop() {
		ls, err := db.ListConnections(ctx, store.ListFilter{})
		if err != nil || len(ls) != connections || ls[0].LastRun == nil {
			b.Fatalf("listed %d (err %v)", len(ls), err)
		}
	}
}
