package audit_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/audit"
	"github.com/wifwiz/wifwiz/audit/audittest"
	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/wif"
)

func TestChecklist(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	emu := audittest.Start(t, emulator.WithNow(now))
	p := audittest.Provider(t, emu, "handoff")
	db, _ := audittest.OpenStore(t)
	db.Now = now
	conn := audittest.Create(t, db, audittest.Connection(t, emu, p, "handoff", "S"))
	generated := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

	t.Run("NeverVerified", func(t *testing.T) {
		cl, err := audit.Checklist(ctx, db, conn, generated)
		if err != nil {
			t.Fatal(err)
		}
		if cl.LastRun != nil || cl.RecordedBy != "test" || !cl.RecordedAt.Equal(clock) || !cl.GeneratedAt.Equal(generated) || len(cl.Warnings) != 0 {
			t.Fatalf("checklist = %+v", cl)
		}
	})

	a := auditor(db, &probe.Runner{ExtraCA: emu.CAPEM(), Now: now}, map[string]string{"S": p.ClientSecret})
	a.Run(ctx, []wif.Connection{conn}, nil)
	if err := emu.RotateKey(p.Slug); err != nil {
		t.Fatal(err)
	}
	a.Run(ctx, []wif.Connection{conn}, nil)
	clock = clock.Add(time.Hour)
	conn.RuleName = "renamed"
	if err := db.UpdateConnection(ctx, &conn, "cli:alice"); err != nil {
		t.Fatal(err)
	}

	t.Run("AfterDriftAndEdit", func(t *testing.T) {
		cl, err := audit.Checklist(ctx, db, conn, generated)
		if err != nil {
			t.Fatal(err)
		}
		if cl.RecordedBy != "cli:alice" || !cl.RecordedAt.Equal(clock) {
			t.Errorf("recorded by %s at %s, want the last edit", cl.RecordedBy, cl.RecordedAt)
		}
		if cl.LastRun == nil || cl.LastRun.OK || cl.LastRun.Trigger != wif.TriggerAudit || cl.LastRun.Summary.Fail == 0 || len(cl.LastRun.Checks) == 0 {
			t.Fatalf("last run = %+v, want the failed audit run", cl.LastRun)
		}
		all := strings.Join(cl.Warnings, "\n")
		for _, want := range []string{"after the last verification", "(kid)", "(inline_jwks)"} {
			if !strings.Contains(all, want) {
				t.Errorf("warnings lack %q:\n%s", want, all)
			}
		}
	})
}
