package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"

	"github.com/wifwiz/wifwiz/migrations"
	"github.com/wifwiz/wifwiz/wif"
)

// WatchConnections reads, for every connection f selects, what watching it needs: the newest run
// with its report, the newest passing run's time, the current signing key's kid and since when,
// and the drift recorded in its runs by kind. A handful of queries, whatever the number of
// connections: the metrics read it at every scrape.
func (s *DB) WatchConnections(ctx context.Context, f wif.ListFilter) ([]wif.ConnectionWatch, error) {
	conns, err := s.ListConnections(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]wif.ConnectionWatch, len(conns))
	byID := make(map[int64]*wif.ConnectionWatch, len(conns))
	for i, c := range conns {
		out[i] = wif.ConnectionWatch{Connection: c, Drift: map[string]int{}}
		byID[c.ID] = &out[i]
	}
	for _, step := range []func(context.Context, map[int64]*wif.ConnectionWatch) error{
		s.watchLastRuns, s.watchLastSuccess, s.watchDrift, s.watchKids,
	} {
		if err := step(ctx, byID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *DB) watchLastRuns(ctx context.Context, byID map[int64]*wif.ConnectionWatch) error {
	rows, err := s.reads.QueryContext(ctx, selectRun+` WHERE id IN (SELECT (SELECT id FROM runs r WHERE r.connection_id = c.id
		ORDER BY r.at DESC, r.id DESC LIMIT 1) FROM connections c)`)
	if err != nil {
		return fmt.Errorf("read the newest runs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return fmt.Errorf("read the newest runs: %w", err)
		}
		if w := byID[r.ConnectionID]; w != nil {
			w.Last = r
		}
	}
	return rows.Err()
}

func (s *DB) watchLastSuccess(ctx context.Context, byID map[int64]*wif.ConnectionWatch) error {
	return s.eachRow(ctx, `SELECT connection_id, MAX(at) FROM runs WHERE ok GROUP BY connection_id`, func(rows *sql.Rows) error {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			return err
		}
		if w := byID[id]; w != nil {
			w.LastSuccess = fromMilli(at)
		}
		return nil
	})
}

func (s *DB) watchDrift(ctx context.Context, byID map[int64]*wif.ConnectionWatch) error {
	return s.eachRow(ctx, `SELECT r.connection_id, COALESCE(json_extract(j.value, '$.kind'), ''), COUNT(*)
		FROM runs r, json_each(r.drift_json) j WHERE r.drift_json != '[]' GROUP BY 1, 2`, func(rows *sql.Rows) error {
		var id int64
		var kind string
		var n int
		if err := rows.Scan(&id, &kind, &n); err != nil {
			return err
		}
		if w := byID[id]; w != nil && kind != "" {
			w.Drift[kind] = n
		}
		return nil
	})
}

// watchKids finds each connection's current kid (of its newest run with a token), the newest
// run with another kid before it, and the first run with the current kid after that one.
func (s *DB) watchKids(ctx context.Context, byID map[int64]*wif.ConnectionWatch) error {
	const q = `WITH last AS (
			SELECT connection_id, MAX(at) AS at FROM runs WHERE kid != '' GROUP BY connection_id
		), cur AS (
			SELECT r.connection_id, MAX(r.kid) AS kid FROM runs r JOIN last l ON l.connection_id = r.connection_id AND r.at = l.at
			WHERE r.kid != '' GROUP BY r.connection_id
		), prev AS (
			SELECT c.connection_id, MAX(r.at) AS at FROM cur c JOIN runs r ON r.connection_id = c.connection_id
			WHERE r.kid != '' AND r.kid != c.kid GROUP BY c.connection_id
		)
		SELECT c.connection_id, c.kid, p.at IS NOT NULL,
			(SELECT MIN(r.at) FROM runs r WHERE r.connection_id = c.connection_id AND r.kid = c.kid AND r.at > COALESCE(p.at, -1))
		FROM cur c LEFT JOIN prev p ON p.connection_id = c.connection_id`
	return s.eachRow(ctx, q, func(rows *sql.Rows) error {
		var id, since int64
		var kid string
		var changed bool
		if err := rows.Scan(&id, &kid, &changed, &since); err != nil {
			return err
		}
		if w := byID[id]; w != nil {
			w.Kid, w.KidChanged, w.KidSince = kid, changed, fromMilli(since)
		}
		return nil
	})
}

func (s *DB) eachRow(ctx context.Context, q string, fn func(*sql.Rows) error) error {
	rows, err := s.reads.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("read connection history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("read connection history: %w", err)
		}
	}
	return rows.Err()
}

// LatestFinishedAudits is, for each trigger, its newest audit that is no longer running.
func (s *DB) LatestFinishedAudits(ctx context.Context) ([]wif.AuditJob, error) {
	var ids []string
	err := s.eachRow(ctx, `SELECT a.id FROM audit_jobs a WHERE a.state != 'running' AND a.rowid = (SELECT b.rowid FROM audit_jobs b
		WHERE b.trigger = a.trigger AND b.state != 'running' ORDER BY b.started_at DESC, b.rowid DESC LIMIT 1) ORDER BY a.trigger`,
		func(rows *sql.Rows) error {
			var id string
			err := rows.Scan(&id)
			ids = append(ids, id)
			return err
		})
	if err != nil {
		return nil, err
	}
	out := make([]wif.AuditJob, 0, len(ids))
	for _, id := range ids {
		j, err := s.GetAuditJob(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *j)
	}
	return out, nil
}

// LatestAuditJobOf is the newest audit started by trigger, nil when there was none.
func (s *DB) LatestAuditJobOf(ctx context.Context, trigger wif.Trigger) (*wif.AuditJob, error) {
	j, err := s.auditJob(ctx, `WHERE trigger = ? ORDER BY started_at DESC, rowid DESC LIMIT 1`, string(trigger))
	if wif.ErrorCode(err) == wif.ENOTFOUND {
		return nil, nil
	}
	return j, err
}

// CountAudits counts the finished audits by trigger and final state.
func (s *DB) CountAudits(ctx context.Context) ([]wif.AuditCount, error) {
	var out []wif.AuditCount
	err := s.eachRow(ctx, `SELECT trigger, state, COUNT(*) FROM audit_jobs WHERE state != 'running' GROUP BY 1, 2 ORDER BY 1, 2`,
		func(rows *sql.Rows) error {
			var c wif.AuditCount
			var trigger string
			err := rows.Scan(&trigger, &c.State, &c.Count)
			c.Trigger = wif.Trigger(trigger)
			out = append(out, c)
			return err
		})
	return out, err
}

// Probe proves the database is ready: a real write (committed) and no migration pending.
func (s *DB) Probe(ctx context.Context) error {
	if _, err := s.exec(ctx, "the database is not writable", `INSERT INTO health (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`,
		unixMilli(s.now())); err != nil {
		return err
	}
	pending, err := hasPending(ctx, s.db)
	if err != nil {
		return fmt.Errorf("read the database's migrations: %w", err)
	}
	if pending {
		return fmt.Errorf("the database has migrations pending: restart wifwiz to apply them")
	}
	return nil
}

func hasPending(ctx context.Context, db *sql.DB) (bool, error) {
	p, err := goose.NewProvider(goose.DialectSQLite3, db, migrations.FS)
	if err != nil {
		return false, err
	}
	return p.HasPending(ctx)
}
