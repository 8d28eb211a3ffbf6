package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/wifwiz/wifwiz/wif"
)

// summaryColumns are the connection fields a list shows. The recorded CA, the inline JWKS and the
// Console fields stay out: reading and copying them made the list of 1,000 connections about
// four times slower (docs/benchmarks.md, "Fixes").
const summaryColumns = `c.id, c.updated_at, c.name, c.demo, c.step, c.authentik_url, c.app_slug, c.issuer_url`

// ListConnectionSummaries lists what a page of connections shows, each with its newest run
// (without the report), ordered by name.
func (s *DB) ListConnectionSummaries(ctx context.Context, f ListFilter) ([]wif.ConnectionSummary, error) {
	where, args := listWhere(f)
	q := `SELECT ` + summaryColumns + `, r.id, r.at, r.trigger, r.ok, r.summary, r.token_fingerprint, r.drift_json
		FROM connections c
		LEFT JOIN runs r ON r.id = (SELECT id FROM runs WHERE connection_id = c.id ORDER BY at DESC, id DESC LIMIT 1)
		` + where + ` ORDER BY c.name` + page(f)
	rows, err := s.reads.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	defer rows.Close()
	var out []wif.ConnectionSummary
	for rows.Next() {
		l, err := scanSummary(rows)
		if err != nil {
			return nil, fmt.Errorf("list connections: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func scanSummary(rows *sql.Rows) (wif.ConnectionSummary, error) {
	var c wif.ConnectionSummary
	var updated int64
	var runID, at sql.NullInt64
	var trigger, summary, fingerprint, drift sql.NullString
	var ok sql.NullBool
	err := rows.Scan(&c.ID, &updated, &c.Name, &c.Demo, &c.Step, &c.AuthentikURL, &c.AppSlug, &c.IssuerURL,
		&runID, &at, &trigger, &ok, &summary, &fingerprint, &drift)
	if err != nil {
		return c, err
	}
	c.UpdatedAt = fromMilli(updated)
	if runID.Valid {
		c.LastRun = &wif.Run{ID: runID.Int64, ConnectionID: c.ID, At: fromMilli(at.Int64), Trigger: wif.Trigger(trigger.String),
			OK: ok.Bool, Summary: summary.String, TokenFingerprint: fingerprint.String}
		if err := json.Unmarshal([]byte(drift.String), &c.LastRun.Drift); err != nil {
			return c, fmt.Errorf("decode drift of run %d: %w", runID.Int64, err)
		}
	}
	return c, nil
}
