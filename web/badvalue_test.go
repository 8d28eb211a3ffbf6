package web_test

import (
	"context"
	"database/sql"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/workload"
)

// badValues are what a hand-edited or older database may hold; the wizard never stores them.
var badValues = map[string]string{
	"newline":   "line one\nline two",
	"command":   "$(touch /tmp/pwned)`id`",
	"nonUTF8":   "bad\xff\xfebytes",
	"escape":    "\x1b[31mred\x1b[0m",
	"bidi":      "abc\u202edef",
	"oversized": strings.Repeat("x", 70<<10),
}

// textColumns are the connections table's text columns.
func textColumns(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name, type FROM pragma_table_info('connections')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		if typ == "TEXT" && name != "name" {
			cols = append(cols, name)
		}
	}
	return cols
}

// TestBadStoredValueNeverAnswers500 writes bad values straight into SQLite, column by column,
// and loads every page and export of the connection: each answers, at worst with a 422 that
// names the setting, never a 500.
func TestBadStoredValueNeverAnswers500(t *testing.T) {
	h := newHistoryApp(t, true)
	ctx := context.Background()
	if pg := h.post(h.path("/verify"), url.Values{}, h.csrf(h.path(""))); pg.status != http.StatusSeeOther {
		t.Fatalf("verify: %d %s", pg.status, pg.text("main"))
	}
	raw, err := sql.Open("sqlite", h.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	pages := []string{"/", h.path(""), h.path("/handoff"), "/audit"}
	for step := 1; step <= 6; step++ {
		pages = append(pages, h.path("/wizard/"+string(rune('0'+step))))
	}
	cols := textColumns(t, raw)
	orig := map[string]string{}
	for _, col := range cols {
		var v string
		if err := raw.QueryRowContext(ctx, `SELECT `+col+` FROM connections WHERE id = ?`, h.conn.ID).Scan(&v); err != nil {
			t.Fatal(err)
		}
		orig[col] = v
	}
	set := func(v func(col string) string) {
		t.Helper()
		tx, err := raw.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, col := range cols {
			if _, err := tx.ExecContext(ctx, `UPDATE connections SET `+col+` = ? WHERE id = ?`, v(col), h.conn.ID); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	original := func(col string) string { return orig[col] }
	names := slices.Sorted(maps.Keys(badValues))
	// Each column alone with one of the values in turn, then every column at once with each value.
	for i, bad := range cols {
		name := names[i%len(names)]
		set(func(col string) string {
			if col == bad {
				return badValues[name]
			}
			return orig[col]
		})
		h.loadEverything(t, pages, bad+"="+name)
	}
	for _, name := range names {
		set(func(string) string { return badValues[name] })
		h.loadEverything(t, pages, "every column="+name)
	}
	set(original)
}

// loadEverything loads pages and every export: none answers 500, and a download never carries
// a control or invisible character.
func (h *historyApp) loadEverything(t *testing.T, pages []string, what string) {
	t.Helper()
	for _, p := range pages {
		if pg := h.get(p); pg.status >= 500 {
			t.Errorf("%s: GET %s answered %d: %s", what, p, pg.status, pg.text("main"))
		}
	}
	csrf := h.csrf(h.path(""))
	for _, f := range workload.ExportFormats() {
		pg := h.post(h.path("/export"), url.Values{"format": {f}}, csrf)
		switch {
		case pg.status >= 500:
			t.Errorf("%s: export %s answered %d: %s", what, f, pg.status, pg.text("main"))
		case pg.status == http.StatusOK && (strings.Contains(pg.body, "\x1b") || strings.Contains(pg.body, "\u202e") || strings.Contains(pg.body, "\xff")):
			t.Errorf("%s: export %s carries the bad value", what, f)
		case pg.status == http.StatusUnprocessableEntity && !strings.Contains(pg.text("main"), "cannot be exported as recorded"):
			t.Errorf("%s: export %s refused without saying why: %s", what, f, pg.text("main"))
		}
	}
}
