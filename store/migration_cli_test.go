package store_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite"

	"github.com/wifwiz/wifwiz/migrations"
)

// TestMigrationMarksCLISavedConnectionsDone: a connection saved from the command line before
// migration 6 held both sides at step 0; the migration marks it done and leaves a wizard draft
// (whose runs are the wizard's) where it stood.
func TestMigrationMarksCLISavedConnectionsDone(t *testing.T) {
	ctx := context.Background()
	path := tempPath(t)
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 5); err != nil {
		t.Fatal(err)
	}
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
