package actions_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/wif"
)

func TestChecklist(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	emu := testenv.Start(t, emulator.WithNow(now))
	p := testenv.Provider(t, emu, "handoff")
	db, _ := testenv.OpenStore(t)
	db.Now = now
	conn := testenv.Create(t, db, testenv.Connection(t, emu, p, "handoff", "S"))
	generated := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	svc := testenv.Service(t, db, &probe.Runner{ExtraCA: emu.CAPEM(), Now: now}, testenv.ServiceOptions{
		Env: map[string]string{"S": p.ClientSecret}, ResolveAnyRef: true, Now: func() time.Time { return generated }})

	t.Run("NeverVerified", func(t *testing.T) {
		cl, err := svc.Handoff(ctx, conn)
		if err != nil {
			t.Fatal(err)
		}
		if cl.LastRun != nil || cl.RecordedBy != "test" || !cl.RecordedAt.Equal(clock) || !cl.GeneratedAt.Equal(generated) || len(cl.Warnings) != 0 {
			t.Fatalf("checklist = %+v", cl)
		}
	})

	audit := func() {
		if _, err := svc.Audit(ctx, actions.AuditRequest{Connections: []wif.Connection{conn}}); err != nil {
			t.Fatal(err)
		}
	}
	audit()
	if err := emu.RotateKey(p.Slug); err != nil {
		t.Fatal(err)
	}
	audit()
	clock = clock.Add(time.Hour)
	conn.RuleName = "renamed"
	if err := db.UpdateConnection(ctx, &conn, "cli:alice"); err != nil {
		t.Fatal(err)
	}

	t.Run("AfterDriftAndEdit", func(t *testing.T) {
		cl, err := svc.Handoff(ctx, conn)
		if err != nil {
			t.Fatal(err)
		}
		if cl.RecordedBy != "cli:alice" || !cl.RecordedAt.Equal(clock) {
			t.Errorf("recorded by %s at %s, want the last edit", cl.RecordedBy, cl.RecordedAt)
		}
		// Per setting: the rule name is cli:alice's, an hour later; the rest is from the creation.
		if r := cl.Recorded[wif.FieldRuleName]; r.By != "cli:alice" || !r.At.Equal(clock) {
			t.Errorf("rule name recorded %+v, want cli:alice at %s", r, clock)
		}
		if r := cl.Recorded[wif.FieldClientID]; r.By != "test" || !r.At.Equal(clock.Add(-time.Hour)) {
			t.Errorf("client ID recorded %+v, want the creation", r)
		}
		if r, ok := cl.Recorded[wif.FieldWorkspaceID]; ok {
			t.Errorf("the workspace ID was never set but is recorded %+v", r)
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
