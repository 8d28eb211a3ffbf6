package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/wif"
)

// TestPathsSQLiteWouldReadAsURI: a file name with %41, '#' or '?' opens that very file, not
// "A", a fragment or a query.
func TestPathsSQLiteWouldReadAsURI(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"db%41.sqlite", "a#b.db", "what?.db", "mode=ro?x#y%20z.db"} {
		path := filepath.Join(dir, name)
		db := MustOpen(t, path)
		if err := db.CreateConnection(context.Background(), sample("n"), "test"); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		db.Close()
		if st, err := os.Stat(path); err != nil || st.Size() == 0 {
			t.Fatalf("%s: the file at that exact name is missing or empty: %v", name, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		switch e.Name() {
		case "dbA.sqlite", "a", "what", "mode=ro":
			t.Errorf("a file named %q was created instead", e.Name())
		}
	}
}

func TestFilesCreatedPrivate(t *testing.T) {
	path := tempPath(t)
	db := MustOpen(t, path)
	if err := db.CreateConnection(context.Background(), sample("n"), "test"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := st.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(p), mode)
		}
	}
}

// TestNewerSchemaRefusedBeforeAnyWrite: a database migrated by a newer wifwiz is refused, and its
// files are left byte for byte as they were (no WAL conversion, no migration, no journal).
func TestNewerSchemaRefusedBeforeAnyWrite(t *testing.T) {
	path := tempPath(t)
	db := MustOpen(t, path)
	db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`PRAGMA journal_mode=DELETE`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, 1)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	before, _ := os.ReadFile(path)
	_, err = store.Open(context.Background(), path)
	if !errors.Is(err, store.ErrNewerSchema) {
		t.Fatalf("open = %v, want ErrNewerSchema", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("the newer database was written to")
	}
	for _, p := range []string{path + "-wal", path + "-journal"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was created", filepath.Base(p))
		}
	}
}

func TestReadOnlyDatabaseReadsAndRefusesWrites(t *testing.T) {
	path := tempPath(t)
	ctx := context.Background()
	db := MustOpen(t, path)
	if err := db.CreateConnection(ctx, sample("kept"), "test"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := store.Open(ctx, path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if !ro.ReadOnly() {
		t.Fatal("not read-only")
	}
	c, err := ro.GetConnectionByName(ctx, "kept")
	if err != nil || c.ClientID != "cid" {
		t.Fatalf("read: %v %+v", err, c)
	}
	for name, write := range map[string]func() error{
		"create": func() error { return ro.CreateConnection(ctx, sample("new"), "test") },
		"update": func() error { return ro.UpdateConnection(ctx, c, "test") },
		"event":  func() error { return ro.AddEvent(ctx, &wif.Event{ConnectionID: c.ID, Kind: wif.EventExported}) },
		"run":    func() error { return ro.AddRun(ctx, &wif.Run{ConnectionID: c.ID, ReportJSON: []byte("{}")}, "test") },
		"delete": func() error { return ro.DeleteConnection(ctx, c.ID) },
		"session": func() error {
			return ro.CreateSession(ctx, &wif.Session{IDHash: "h", Person: wif.Person{Subject: "s"}})
		},
		"touch": func() error { return ro.TouchSession(ctx, "h", time.Now()) },
		"webhook": func() error {
			return ro.AddAlertWebhook(ctx, &wif.AlertTarget{URL: "https://hooks.example/x", Format: "generic"})
		},
		"alert": func() error { return ro.AddAlert(ctx, &wif.Alert{Kind: wif.AlertFailing, Payload: []byte("{}")}) },
		"probe": func() error { return ro.Probe(ctx) },
	} {
		if err := write(); wif.ErrorCode(err) != wif.EREADONLY {
			t.Errorf("%s: %v, want EREADONLY", name, err)
		}
	}
}

// TestUnwritableFileOpensReadOnly needs a user the file permissions apply to (not root).
func TestUnwritableFileOpensReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes any file: the permission check cannot be exercised")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "wifwiz.db")
	ctx := context.Background()
	db := MustOpen(t, path)
	if err := db.CreateConnection(ctx, sample("kept"), "test"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	ro, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.GetConnectionByName(ctx, "kept"); err != nil || !ro.ReadOnly() {
		t.Fatalf("read-only open: %v, ReadOnly %v", err, ro.ReadOnly())
	}
}
