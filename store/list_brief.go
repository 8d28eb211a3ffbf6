package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/wifwiz/wifwiz/wif"
)

// briefColumns are the connection fields a list shows. The recorded CA, the inline JWKS and the
// Console fields stay out: reading and copying them made the list of 1,000 connections about
// four times slower (docs/benchmarks.md, "Fixes").
const briefColumns = `c.id, c.version, c.created_at, c.updated_at, c.name, c.demo, c.step, c.authentik_url, c.app_slug, c.issuer_url`

// ListConnectionsBrief is ListConnections for a page that lists connections: each carries only
// ID, Version, times, Name, Demo, Step, AuthentikURL, AppSlug and IssuerURL, with its newest run.
func (s *DB) ListConnectionsBrief(ctx context.Context, f ListFilter) ([]Listed, error) {
	where, args := listWhere(f)
	q := `SELECT ` + briefColumns + `, r.id, r.at, r.trigger, r.ok, r.summary, r.token_fingerprint, r.drift_json
		FROM connections c
		LEFT JOIN runs r ON r.id = (SELECT id FROM runs WHERE connection_id = c.id ORDER BY at DESC, id DESC LIMIT 1)
		` + where + ` ORDER BY c.name` + f.page()
	rows, err := s.reads.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	defer rows.Close()
	var out []Listed
	for rows.Next() {
		l, err := scanBrief(rows)
		if err != nil {
			return nil, fmt.Errorf("list connections: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func scanBrief(rows *sql.Rows) (Listed, error) {
	var c wif.Connection
	var created, updated int64
	var runID, at sql.NullInt64
	var trigger, summary, fingerprint, drift sql.NullString
	var ok sql.NullBool
	err := rows.Scan(&c.ID, &c.Version, &created, &updated, &c.Name, &c.Demo, &c.Step, &c.AuthentikURL, &c.AppSlug, &c.IssuerURL,
		&runID, &at, &trigger, &ok, &summary, &fingerprint, &drift)
	if err != nil {
		return Listed{}, err
	}
	c.CreatedAt, c.UpdatedAt = fromMilli(created), fromMilli(updated)
	l := Listed{Connection: c}
	if runID.Valid {
		l.LastRun = &wif.Run{ID: runID.Int64, ConnectionID: c.ID, At: fromMilli(at.Int64), Trigger: wif.Trigger(trigger.String),
			OK: ok.Bool, Summary: summary.String, TokenFingerprint: fingerprint.String}
		if err := json.Unmarshal([]byte(drift.String), &l.LastRun.Drift); err != nil {
			return Listed{}, fmt.Errorf("decode drift of run %d: %w", runID.Int64, err)
		}
	}
	return l, nil
}
