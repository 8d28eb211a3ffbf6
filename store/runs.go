package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/wifwiz/wifwiz/wif"
)

// AddRun stores a verification run and a "verified" event in one transaction.
func (s *DB) AddRun(ctx context.Context, r *wif.Run, actor string) error {
	if r.At.IsZero() {
		r.At = s.now()
	}
	drift, err := json.Marshal(nonNil(r.Drift))
	if err != nil {
		return fmt.Errorf("encode drift: %w", err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO runs (connection_id, at, trigger, ok, summary, report_json, token_fingerprint, drift_json)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ConnectionID, unixMilli(r.At), string(r.Trigger), r.OK, r.Summary, string(r.ReportJSON), r.TokenFingerprint, string(drift))
		if err != nil {
			return fmt.Errorf("insert run for connection %d: %w", r.ConnectionID, err)
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert run: %w", err)
		}
		detail := fmt.Sprintf("%s run: %s", r.Trigger, r.Summary)
		return insertEvent(ctx, tx, &wif.Event{ConnectionID: r.ConnectionID, At: r.At, Kind: wif.EventVerified, Actor: actor, Detail: detail})
	})
}

func nonNil(d []wif.Drift) []wif.Drift {
	if d == nil {
		return []wif.Drift{}
	}
	return d
}

const selectRun = `SELECT id, connection_id, at, trigger, ok, summary, report_json, token_fingerprint, drift_json FROM runs`

func scanRun(row scanner) (*wif.Run, error) {
	var r wif.Run
	var at int64
	var trigger, report, drift string
	if err := row.Scan(&r.ID, &r.ConnectionID, &at, &trigger, &r.OK, &r.Summary, &report, &r.TokenFingerprint, &drift); err != nil {
		return nil, err
	}
	r.At, r.Trigger, r.ReportJSON = fromMilli(at), wif.Trigger(trigger), []byte(report)
	if err := json.Unmarshal([]byte(drift), &r.Drift); err != nil {
		return nil, fmt.Errorf("decode drift of run %d: %w", r.ID, err)
	}
	return &r, nil
}

// ListRuns returns a connection's runs, newest first, at most limit (0: all).
func (s *DB) ListRuns(ctx context.Context, connectionID int64, limit int) ([]wif.Run, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.reads.QueryContext(ctx, selectRun+` WHERE connection_id = ? ORDER BY at DESC, id DESC LIMIT ?`, connectionID, limit)
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
		runs = append(runs, *r)
	}
	return runs, rows.Err()
}

// GetRun returns one run, or an ENOTFOUND error.
func (s *DB) GetRun(ctx context.Context, id int64) (*wif.Run, error) {
	return s.oneRun(ctx, selectRun+` WHERE id = ?`, id)
}

// LastPassingRun returns the connection's newest run with no failed check, or nil when there is none.
func (s *DB) LastPassingRun(ctx context.Context, connectionID int64) (*wif.Run, error) {
	r, err := s.oneRun(ctx, selectRun+` WHERE connection_id = ? AND ok ORDER BY at DESC, id DESC LIMIT 1`, connectionID)
	if wif.ErrorCode(err) == wif.ENOTFOUND {
		return nil, nil
	}
	return r, err
}

func (s *DB) oneRun(ctx context.Context, q string, arg any) (*wif.Run, error) {
	r, err := scanRun(s.reads.QueryRowContext(ctx, q, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wif.Errorf(wif.ENOTFOUND, "There is no such verification run.")
	}
	if err != nil {
		return nil, fmt.Errorf("read run: %w", err)
	}
	return r, nil
}
