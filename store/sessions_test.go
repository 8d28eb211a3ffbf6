package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

func TestSessions(t *testing.T) {
	path := tempPath(t)
	db := MustOpen(t, path)
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	se := &wif.Session{IDHash: strings.Repeat("ab", 32), Person: wif.Person{Subject: "alice", Name: "Alice Example"},
		Groups: []string{"wifwiz-editors", "staff"}, CreatedAt: t0, LastSeen: t0, ExpiresAt: t0.Add(12 * time.Hour)}
	if err := db.CreateSession(ctx, se); err != nil {
		t.Fatal(err)
	}
	got, err := db.GetSession(ctx, se.IDHash)
	if err != nil || got == nil {
		t.Fatalf("GetSession = %v, %v", got, err)
	}
	if got.Person != se.Person || !slices.Equal(got.Groups, se.Groups) || !got.ExpiresAt.Equal(se.ExpiresAt) || !got.LastSeen.Equal(t0) {
		t.Fatalf("read back %+v, stored %+v", got, se)
	}
	if err := db.TouchSession(ctx, se.IDHash, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.GetSession(ctx, se.IDHash); !got.LastSeen.Equal(t0.Add(time.Minute)) {
		t.Fatalf("last seen %s after touch", got.LastSeen)
	}
	if none, err := db.GetSession(ctx, strings.Repeat("cd", 32)); none != nil || err != nil {
		t.Fatalf("unknown session = %v, %v", none, err)
	}

	idle := &wif.Session{IDHash: strings.Repeat("ef", 32), Person: wif.Person{Subject: "bob", Name: "Bob"},
		CreatedAt: t0, LastSeen: t0, ExpiresAt: t0.Add(12 * time.Hour)}
	if err := db.CreateSession(ctx, idle); err != nil {
		t.Fatal(err)
	}
	// At t0+30m with a 30-minute idle limit: bob (idle since t0) goes, alice (seen at t0+1m) stays.
	n, err := db.DeleteStaleSessions(ctx, t0.Add(30*time.Minute), t0)
	if err != nil || n != 1 {
		t.Fatalf("DeleteStaleSessions = %d, %v; want 1", n, err)
	}
	if got, _ := db.GetSession(ctx, idle.IDHash); got != nil {
		t.Fatal("the idle session survived")
	}
	if n, _ := db.DeleteStaleSessions(ctx, t0.Add(12*time.Hour), t0.Add(-time.Hour)); n != 1 {
		t.Fatalf("past its absolute end: %d deleted, want 1", n)
	}
	if err := db.DeleteSession(ctx, se.IDHash); err != nil {
		t.Fatalf("deleting a session that is gone: %v", err)
	}

}

func TestEventsNameTheirFields(t *testing.T) {
	db := MustOpen(t, tempPath(t))
	ctx := context.Background()
	c := sample("fields")
	if err := db.CreateConnection(ctx, c, "Alice Example <alice>"); err != nil {
		t.Fatal(err)
	}
	c.ClientID, c.Audience = "cid-2", "aud"
	if err := db.UpdateConnection(ctx, c, "Bob Builder <bob>"); err != nil {
		t.Fatal(err)
	}
	if err := db.AddEvent(ctx, &wif.Event{ConnectionID: c.ID, Kind: wif.EventExported, Actor: "browser", Detail: "markdown"}); err != nil {
		t.Fatal(err)
	}
	events, err := db.ListEvents(ctx, c.ID)
	if err != nil || len(events) != 3 {
		t.Fatalf("events %+v, %v", events, err)
	}
	if e := events[0]; e.Kind != wif.EventExported || e.Fields != nil {
		t.Errorf("export event %+v", e)
	}
	if e := events[1]; e.Kind != wif.EventEdited || e.Actor != "Bob Builder <bob>" || !slices.Equal(e.Fields, []string{"client_id", "audience"}) {
		t.Errorf("edit event %+v", e)
	}
	want := []string{"name", "authentik_url", "app_slug", "issuer_url", "client_id", "secret_ref", "token_lifetime", "max_identity_token_lifetime"}
	if e := events[2]; e.Kind != wif.EventCreated || !slices.Equal(e.Fields, want) {
		t.Errorf("created event fields %q, want %q", e.Fields, want)
	}
}
