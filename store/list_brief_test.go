package store_test

import (
	"context"
	"testing"

	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/wif"
)

// TestListConnectionSummaries: the same rows, order and filters as ListConnections, with the
// list's fields and each connection's newest run.
func TestListConnectionSummaries(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t, tempPath(t))
	for _, n := range []string{"zeta", "alpha", "mid_1"} {
		c := sample(n)
		c.CAPEM, c.JWKSSource, c.InlineJWKS, c.Step = "-----BEGIN CERTIFICATE-----", wif.JWKSInline, `{"keys":[]}`, 4
		if err := db.CreateConnection(ctx, c, "test"); err != nil {
			t.Fatal(err)
		}
	}
	alpha, _ := db.GetConnectionByName(ctx, "alpha")
	drift := []wif.Drift{{Kind: "kid", Before: "k1", After: "k2"}}
	if err := db.AddRun(ctx, &wif.Run{ConnectionID: alpha.ID, Trigger: wif.TriggerManual, OK: true, Summary: "old", ReportJSON: []byte("{}")}, "t"); err != nil {
		t.Fatal(err)
	}
	if err := db.AddRun(ctx, &wif.Run{ConnectionID: alpha.ID, Trigger: wif.TriggerAudit, OK: true, Summary: "new", ReportJSON: []byte("{}"), TokenFingerprint: "ab12", Drift: drift}, "t"); err != nil {
		t.Fatal(err)
	}

	full, err := db.ListConnections(ctx, store.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	brief, err := db.ListConnectionSummaries(ctx, store.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(brief) != len(full) {
		t.Fatalf("brief lists %d, full %d", len(brief), len(full))
	}
	for i, b := range brief {
		f := full[i]
		if b.ID != f.ID || b.Name != f.Name || b.IssuerURL != f.IssuerURL || b.AuthentikURL != f.AuthentikURL || b.AppSlug != f.AppSlug ||
			b.Step != f.Step || b.Demo != f.Demo || !b.UpdatedAt.Equal(f.UpdatedAt) {
			t.Errorf("row %d: summary %+v, full %+v", i, b, f)
		}
	}
	last := brief[0].LastRun
	if brief[0].Name != "alpha" || last == nil || last.Summary != "new" || last.Trigger != wif.TriggerAudit || last.TokenFingerprint != "ab12" ||
		len(last.Drift) != 1 || last.Drift[0].After != "k2" || last.ReportJSON != nil {
		t.Fatalf("alpha's newest run = %+v", last)
	}
	if brief[0].Status() != wif.StatusDrifted || brief[1].Status() != wif.StatusDraft || brief[1].LastRun != nil {
		t.Fatalf("statuses %s, %s", brief[0].Status(), brief[1].Status())
	}
	found, _ := db.ListConnectionSummaries(ctx, store.ListFilter{Query: "d_1"})
	if len(found) != 1 || found[0].Name != "mid_1" {
		t.Fatalf("search = %+v", found)
	}
}
