package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/wif"
)

// MustOpen opens a real SQLite file in a temporary folder with a fixed clock.
func MustOpen(tb testing.TB, path string) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	var ticks atomic.Int64 // a second per reading; concurrent writers read it too
	db.Now = func() time.Time { return start.Add(time.Duration(ticks.Add(1)) * time.Second) }
	tb.Cleanup(func() { db.Close() })
	return db
}

func tempPath(tb testing.TB) string { return filepath.Join(tb.TempDir(), "wifwiz.db") }

func sample(name string) *wif.Connection {
	return &wif.Connection{Name: name, AuthentikURL: "https://authentik.example", AppSlug: "batch",
		IssuerURL: "https://authentik.example/application/o/batch/", ClientID: "cid", TokenLifetime: time.Hour,
		MaxIdentityTokenLifetime: 2 * time.Hour, SecretRef: "env:AK_SECRET"}
}

func TestMigrationsIdempotent(t *testing.T) {
	path := tempPath(t)
	ctx := context.Background()
	db := MustOpen(t, path)
	v1, err := db.SchemaVersion(ctx)
	if err != nil || v1 < 1 {
		t.Fatalf("schema version after first open = %d, %v", v1, err)
	}
	if err := db.CreateConnection(ctx, sample("keep"), "test"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db2 := MustOpen(t, path)
	v2, err := db2.SchemaVersion(ctx)
	if err != nil || v2 != v1 {
		t.Fatalf("schema version after reopen = %d, want %d (%v)", v2, v1, err)
	}
	c, err := db2.GetConnectionByName(ctx, "keep")
	if err != nil {
		t.Fatalf("data lost on reopen: %v", err)
	}
	if c.SecretRef != "env:AK_SECRET" || c.TokenLifetime != time.Hour || c.MaxIdentityTokenLifetime != 2*time.Hour {
		t.Fatalf("reopened connection = %+v", c)
	}
}

func TestPragmasOnEveryConnection(t *testing.T) {
	path := tempPath(t)
	db := MustOpen(t, path)
	ctx := context.Background()
	c := sample("fk")
	if err := db.CreateConnection(ctx, c, "test"); err != nil {
		t.Fatal(err)
	}
	// A run for a connection that does not exist must be refused by the foreign key, on any
	// pooled connection: try several times concurrently.
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			errs <- db.AddRun(ctx, &wif.Run{ConnectionID: 9999, Trigger: wif.TriggerCLI, ReportJSON: []byte("{}")}, "t")
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-errs; err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
			t.Fatalf("run for missing connection: err = %v, want a foreign key failure", err)
		}
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("WAL file missing, journal_mode not WAL: %v", err)
	}
}

func TestConnectionCRUD(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t, tempPath(t))

	t.Run("OK", func(t *testing.T) {
		c := sample("alpha")
		if err := db.CreateConnection(ctx, c, "test"); err != nil {
			t.Fatal(err)
		}
		if c.ID == 0 || c.Version != 1 || c.CreatedAt.IsZero() {
			t.Fatalf("created = %+v", c)
		}
		got, err := db.GetConnection(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "alpha" || got.IssuerURL != c.IssuerURL || got.Version != 1 {
			t.Fatalf("got = %+v", got)
		}
		got.IssuerURL = "https://authentik.example/application/o/batch2/"
		got.Step = 2
		if err := db.UpdateConnection(ctx, got, "test"); err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 {
			t.Fatalf("version after update = %d, want 2", got.Version)
		}
		again, _ := db.GetConnection(ctx, c.ID)
		if again.IssuerURL != got.IssuerURL || again.Step != 2 || again.Version != 2 || !again.UpdatedAt.After(again.CreatedAt) {
			t.Fatalf("after update = %+v", again)
		}
	})

	t.Run("ErrNameTaken", func(t *testing.T) {
		err := db.CreateConnection(ctx, sample("ALPHA"), "test")
		if wif.ErrorCode(err) != wif.EINVALID || !strings.Contains(wif.ErrorFields(err)["name"], "already exists") {
			t.Fatalf("duplicate name: %v", err)
		}
	})

	t.Run("ErrStaleVersion", func(t *testing.T) {
		c := sample("beta")
		if err := db.CreateConnection(ctx, c, "test"); err != nil {
			t.Fatal(err)
		}
		tab1, _ := db.GetConnection(ctx, c.ID)
		tab2, _ := db.GetConnection(ctx, c.ID)
		tab1.ClientID = "from-tab-1"
		if err := db.UpdateConnection(ctx, tab1, "test"); err != nil {
			t.Fatal(err)
		}
		tab2.ClientID = "from-tab-2"
		err := db.UpdateConnection(ctx, tab2, "test")
		if wif.ErrorCode(err) != wif.ECONFLICT {
			t.Fatalf("stale update: err = %v, want conflict", err)
		}
		now, _ := db.GetConnection(ctx, c.ID)
		if now.ClientID != "from-tab-1" {
			t.Fatalf("stale update overwrote: client ID = %q", now.ClientID)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := db.GetConnection(ctx, 424242); wif.ErrorCode(err) != wif.ENOTFOUND {
			t.Fatalf("missing: %v", err)
		}
	})
}

func TestListConnections(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t, tempPath(t))
	for _, n := range []string{"zeta", "alpha", "mid_1"} {
		if err := db.CreateConnection(ctx, sample(n), "test"); err != nil {
			t.Fatal(err)
		}
	}
	demo := sample("demo")
	demo.Demo = true
	demo.IssuerURL = "https://localhost:9443/application/o/demo/"
	if err := db.CreateConnection(ctx, demo, "test"); err != nil {
		t.Fatal(err)
	}
	alpha, _ := db.GetConnectionByName(ctx, "alpha")
	for _, ok := range []bool{false, true} {
		if err := db.AddRun(ctx, &wif.Run{ConnectionID: alpha.ID, Trigger: wif.TriggerManual, OK: ok, Summary: "s", ReportJSON: []byte("{}")}, "t"); err != nil {
			t.Fatal(err)
		}
	}

	all, err := db.ListConnections(ctx, store.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, l := range all {
		names = append(names, l.Name)
	}
	if strings.Join(names, ",") != "alpha,demo,mid_1,zeta" {
		t.Fatalf("order = %v", names)
	}
	if all[0].ClientID != sample("alpha").ClientID || all[1].Demo != true || all[1].IssuerURL != demo.IssuerURL {
		t.Fatalf("listed connections lack their fields: %+v", all[:2])
	}
	summaries, err := db.ListConnectionSummaries(ctx, store.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if summaries[0].Status() != wif.StatusVerified || summaries[0].LastRun == nil || !summaries[0].LastRun.OK {
		t.Fatalf("alpha status = %s, last run %+v (want the newest, passing run)", summaries[0].Status(), summaries[0].LastRun)
	}
	if summaries[2].Status() != wif.StatusDraft {
		t.Fatalf("mid_1 status = %s", summaries[2].Status())
	}

	byIssuer, _ := db.ListConnections(ctx, store.ListFilter{Query: "LOCALHOST"})
	if len(byIssuer) != 1 || byIssuer[0].Name != "demo" {
		t.Fatalf("search by issuer = %+v", byIssuer)
	}
	// "_" must match literally, not as a LIKE wildcard.
	underscore, _ := db.ListConnections(ctx, store.ListFilter{Query: "d_1"})
	if len(underscore) != 1 || underscore[0].Name != "mid_1" {
		t.Fatalf("search with underscore = %d results", len(underscore))
	}
	real := false
	notDemo, _ := db.ListConnections(ctx, store.ListFilter{Demo: &real})
	if len(notDemo) != 3 {
		t.Fatalf("non-demo = %d, want 3", len(notDemo))
	}
}

func TestRunsAndEvents(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t, tempPath(t))
	c := sample("runs")
	if err := db.CreateConnection(ctx, c, "alice"); err != nil {
		t.Fatal(err)
	}
	if p, err := db.LastPassingRun(ctx, c.ID); p != nil || err != nil {
		t.Fatalf("last passing before any run = %v, %v", p, err)
	}
	pass := &wif.Run{ConnectionID: c.ID, Trigger: wif.TriggerWizard, OK: true, Summary: "18 pass", ReportJSON: []byte(`{"ok":true}`), TokenFingerprint: "abc"}
	if err := db.AddRun(ctx, pass, "alice"); err != nil {
		t.Fatal(err)
	}
	fail := &wif.Run{ConnectionID: c.ID, Trigger: wif.TriggerAudit, OK: false, Summary: "1 fail", ReportJSON: []byte(`{"ok":false}`),
		Drift: []wif.Drift{{Kind: "kid", Before: "k1", After: "k2", Message: "signing key rotated"}}}
	if err := db.AddRun(ctx, fail, "audit"); err != nil {
		t.Fatal(err)
	}
	runs, err := db.ListRuns(ctx, c.ID, 0)
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs = %d, %v", len(runs), err)
	}
	if runs[0].ID != fail.ID || runs[0].Trigger != wif.TriggerAudit || len(runs[0].Drift) != 1 || runs[0].Drift[0].After != "k2" {
		t.Fatalf("newest run = %+v", runs[0])
	}
	if string(runs[1].ReportJSON) != `{"ok":true}` || runs[1].TokenFingerprint != "abc" {
		t.Fatalf("older run = %+v", runs[1])
	}
	last, err := db.LastPassingRun(ctx, c.ID)
	if err != nil || last == nil || last.ID != pass.ID {
		t.Fatalf("last passing = %+v, %v", last, err)
	}

	c.ClientID = "new-client"
	if err := db.UpdateConnection(ctx, c, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := db.AddEvent(ctx, &wif.Event{ConnectionID: c.ID, Kind: wif.EventExported, Actor: "bob", Detail: "markdown"}); err != nil {
		t.Fatal(err)
	}
	events, err := db.ListEvents(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	if strings.Join(kinds, ",") != "exported,edited,verified,verified,created" {
		t.Fatalf("timeline = %v", kinds)
	}
	if d := events[1].Detail; !strings.Contains(d, `Client ID: "cid" → "new-client"`) || events[1].Actor != "bob" {
		t.Fatalf("edited event = %+v", events[1])
	}
	if err := db.DeleteConnection(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if runs, _ := db.ListRuns(ctx, c.ID, 0); len(runs) != 0 {
		t.Fatalf("runs survived their connection: %d", len(runs))
	}
}
