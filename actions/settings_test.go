package actions_test

import (
	"context"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/wif"
)

// TestSettingsChangedAt: moving through the wizard's steps after a run leaves the run current
// (the false "settings changed" banner); an edit of a setting makes it stale. A run requested
// before the Console step is recorded as the sample token's.
func TestSettingsChangedAt(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	emu := testenv.Start(t, emulator.WithNow(now))
	p := testenv.Provider(t, emu, "stale")
	db, _ := testenv.OpenStore(t)
	db.Now = now
	c := testenv.Connection(t, emu, p, "stale", "S")
	c.Step = actions.StepSample
	conn := testenv.Create(t, db, c)
	svc := testenv.Service(t, db, &probe.Runner{ExtraCA: emu.CAPEM(), Now: now}, testenv.ServiceOptions{
		Env: map[string]string{"S": p.ClientSecret}, ResolveAnyRef: true, Now: now})

	verify := func() *wif.Run {
		t.Helper()
		clock = clock.Add(time.Minute)
		v, err := svc.VerifyAndRecord(ctx, actions.VerifyRequest{Connection: conn, UseStoredSecret: true, Actor: "test"})
		if err != nil {
			t.Fatal(err)
		}
		return v.Run
	}
	changedAt := func() time.Time {
		t.Helper()
		at, _, err := svc.SettingsChangedAt(ctx, conn.ID)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}

	sample := verify()
	if sample.Trigger != wif.TriggerSample {
		t.Errorf("a run before the Console step is %q, want %q", sample.Trigger, wif.TriggerSample)
	}
	clock = clock.Add(time.Minute)
	if err := svc.MarkStep(ctx, conn, actions.StepConsole, "test"); err != nil {
		t.Fatal(err)
	}
	if at := changedAt(); sample.At.Before(at) {
		t.Errorf("moving to the next step made the run stale: settings at %s, run at %s", at, sample.At)
	}
	latest, _ := svc.Connection(ctx, conn.ID)
	conn = *latest
	full := verify()
	if full.Trigger != wif.TriggerWizard {
		t.Errorf("a run after the Console step is %q, want %q", full.Trigger, wif.TriggerWizard)
	}
	clock = clock.Add(time.Minute)
	conn.RuleName = "renamed"
	if err := db.UpdateConnection(ctx, &conn, "test"); err != nil {
		t.Fatal(err)
	}
	if at := changedAt(); !full.At.Before(at) {
		t.Errorf("an edit after the run leaves it current: settings at %s, run at %s", at, full.At)
	}
}
