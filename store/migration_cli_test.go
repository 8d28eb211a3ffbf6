package store_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite"

	"github.com/wifwiz/wifwiz/migrations"
	"github.com/wifwiz/wifwiz/wif"
)

// TestMigrationMarksCLISavedConnectionsDone: a connection saved from the command line before
// migration 6 held both sides at step 0; the migration marks it done and leaves a wizard draft
// (whose runs are the wizard's) where it stood.
func TestMigrationMarksCLISavedConnectionsDone(t *testing.T) {
	ctx := context.Background()
	path, raw, _ := migratedTo(t, 5)
	for _, q := range []string{
		`INSERT INTO connections (id, name, step, created_at, updated_at) VALUES (1, 'from-cli', 0, 0, 0), (2, 'wizard-draft', 3, 0, 0)`,
		`INSERT INTO runs (connection_id, at, trigger, ok, summary, report_json) VALUES (1, 1, 'cli', 1, '', '{}'), (2, 1, 'wizard', 0, '', '{}')`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db := MustOpen(t, path)
	for name, want := range map[string]int{"from-cli": 6, "wizard-draft": 3} {
		c, err := db.GetConnectionByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if c.Step != want {
			t.Errorf("%s: step %d, want %d", name, c.Step, want)
		}
	}
}

// TestMigrationKeepsWebhooksAndTakesReferences: webhooks stored before migration 7 keep their
// URL, ID and format; a reference is then stored beside them, and the migration goes down again
// keeping the URLs.
func TestMigrationKeepsWebhooksAndTakesReferences(t *testing.T) {
	ctx := context.Background()
	path, raw, p := migratedTo(t, 6)
	if _, err := raw.ExecContext(ctx, `INSERT INTO alert_webhooks (id, url, format, created_at) VALUES (7, 'https://hooks.example/services/X', 'slack', 1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 7); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO alert_webhooks (url, ref, format, created_at) VALUES ('', '', 'generic', 1)`,
		`INSERT INTO alert_webhooks (url, ref, format, created_at) VALUES ('https://a.example/', 'env:A', 'generic', 1)`,
	} {
		if _, err := raw.ExecContext(ctx, q); err == nil {
			t.Errorf("stored a webhook with neither or both of a URL and a reference: %s", q)
		}
	}
	if _, err := raw.ExecContext(ctx, `INSERT INTO alert_webhooks (url, ref, format, created_at) VALUES ('', 'env:A', 'generic', 1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 6); err != nil {
		t.Fatal(err)
	}
	var n int
	var url string
	if err := raw.QueryRowContext(ctx, `SELECT COUNT(*), MAX(url) FROM alert_webhooks`).Scan(&n, &url); err != nil || n != 1 || url != "https://hooks.example/services/X" {
		t.Fatalf("after going down: %d webhooks, %q, %v", n, url, err)
	}
	if _, err := p.UpTo(ctx, 7); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	hooks, err := MustOpen(t, path).ListAlertWebhooks(ctx)
	if err != nil || len(hooks) != 1 {
		t.Fatalf("webhooks %+v %v", hooks, err)
	}
	if h := hooks[0]; h.ID != 7 || h.URL != "https://hooks.example/services/X" || h.Ref != "" || h.Format != wif.WebhookSlack {
		t.Errorf("webhook after the migration: %+v", h)
	}
}

// migratedTo is a new database file migrated up to version, open without the store, with the
// migrations' provider to go on.
func migratedTo(t *testing.T, version int64) (string, *sql.DB, *goose.Provider) {
	t.Helper()
	path := tempPath(t)
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	return path, raw, p
}
