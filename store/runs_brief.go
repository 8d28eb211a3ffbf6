package store

import (
	"context"
	"fmt"

	"github.com/wifwiz/wifwiz/wif"
)

// selectRunSummary reads a run without its report: a history list shows the summary and the
// drift, and copying 50 reports of some 6 KB each out of SQLite took half the connection page's
// time at the database (docs/benchmarks.md, "Fixes").
const selectRunSummary = `SELECT id, connection_id, at, trigger, ok, summary, '', token_fingerprint, drift_json FROM runs`

// ListRunSummaries is ListRuns without each run's ReportJSON (nil): a connection's runs, newest
// first, at most limit (0: all).
func (s *DB) ListRunSummaries(ctx context.Context, connectionID int64, limit int) ([]wif.Run, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.reads.QueryContext(ctx, selectRunSummary+` WHERE connection_id = ? ORDER BY at DESC, id DESC LIMIT ?`, connectionID, limit)
	if err != nil {
		return nil, fmt.Errorf("list runs of connection %d: %w", connectionID, err)
	}
	defer rows.Close()
	var runs []wif.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list runs of connection %d: %w", connectionID, err)
		}
		r.ReportJSON = nil
		runs = append(runs, *r)
	}
	return runs, rows.Err()
}
