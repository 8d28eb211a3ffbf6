package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/wifwiz/wifwiz/wif"
)

// TestListRunSummaries: the runs ListRuns returns, in its order and limit, without the reports.
func TestListRunSummaries(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t, tempPath(t))
	c := sample("history")
	if err := db.CreateConnection(ctx, c, "test"); err != nil {
		t.Fatal(err)
	}
	for i, ok := range []bool{true, false, true} {
		r := &wif.Run{ConnectionID: c.ID, Trigger: wif.TriggerAudit, OK: ok, Summary: string(rune('a' + i)),
			ReportJSON: []byte(`{"ok":true}`), TokenFingerprint: "fp", Drift: []wif.Drift{{Kind: "kid", After: "k2"}}}
		if err := db.AddRun(ctx, r, "test"); err != nil {
			t.Fatal(err)
		}
	}
	full, err := db.ListRuns(ctx, c.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	brief, err := db.ListRunSummaries(ctx, c.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(brief) != 2 || brief[0].Summary != "c" || brief[1].Summary != "b" {
		t.Fatalf("summaries = %+v, want the two newest", brief)
	}
	for i := range brief {
		if brief[i].ReportJSON != nil {
			t.Fatalf("run %d carries its report", brief[i].ID)
		}
		full[i].ReportJSON = nil
		if !reflect.DeepEqual(brief[i], full[i]) {
			t.Errorf("run %d: summary %+v, full %+v", i, brief[i], full[i])
		}
	}
	if all, _ := db.ListRunSummaries(ctx, c.ID, 0); len(all) != 3 {
		t.Fatalf("limit 0 lists %d runs, want all 3", len(all))
	}
}
