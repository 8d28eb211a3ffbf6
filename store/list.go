package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// Listed is a connection with what the list page shows of its newest run.
type Listed struct {
	wif.Connection
	LastRun *wif.Run // without ReportJSON; nil when never verified
}

// Status is the badge the list shows: draft, verified, failing or drifted.
func (l Listed) Status() string {
	switch {
	case l.LastRun == nil:
		return wif.StatusDraft
	case !l.LastRun.OK:
		return wif.StatusFailing
	case len(l.LastRun.Drift) > 0:
		return wif.StatusDrifted
	}
	return wif.StatusVerified
}

// ListFilter narrows ListConnections. Query matches name or issuer URL (case-insensitive substring).
type ListFilter struct {
	Query  string
	Demo   *bool // nil: both
	Limit  int   // 0: no limit
	Offset int
}

// page is the LIMIT/OFFSET clause of f, empty without a limit.
func (f ListFilter) page() string {
	if f.Limit <= 0 {
		return ""
	}
	return fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, max(0, f.Offset))
}

// CountConnections counts the connections f matches, ignoring its limit and offset.
func (s *DB) CountConnections(ctx context.Context, f ListFilter) (int, error) {
	where, args := listWhere(f)
	var n int
	if err := s.reads.QueryRowContext(ctx, `SELECT COUNT(*) FROM connections c `+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count connections: %w", err)
	}
	return n, nil
}

// ListConnections returns the connections ordered by name, each with its newest run, in one query.
func (s *DB) ListConnections(ctx context.Context, f ListFilter) ([]Listed, error) {
	where, args := listWhere(f)
	q := `SELECT c.id, c.version, c.created_at, c.updated_at, ` + prefixed("c.", connectionColumns) + `,
		r.id, r.at, r.trigger, r.ok, r.summary, r.token_fingerprint, r.drift_json
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
		l, err := scanListed(rows)
		if err != nil {
			return nil, fmt.Errorf("list connections: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func listWhere(f ListFilter) (string, []any) {
	var conds []string
	var args []any
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(q) + "%"
		conds = append(conds, `(c.name LIKE ? ESCAPE '\' OR c.issuer_url LIKE ? ESCAPE '\')`)
		args = append(args, like, like)
	}
	if f.Demo != nil {
		conds = append(conds, `c.demo = ?`)
		args = append(args, *f.Demo)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return "WHERE " + strings.Join(conds, " AND "), args
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func prefixed(prefix, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

func scanListed(rows *sql.Rows) (Listed, error) {
	var runID, at sql.NullInt64
	var trigger, summary, fingerprint, drift sql.NullString
	var ok sql.NullBool
	extra := []any{&runID, &at, &trigger, &ok, &summary, &fingerprint, &drift}
	c, err := scanConnection(multiScanner{rows, extra})
	if err != nil {
		return Listed{}, err
	}
	l := Listed{Connection: *c}
	if runID.Valid {
		l.LastRun = &wif.Run{ID: runID.Int64, ConnectionID: c.ID, At: fromMilli(at.Int64), Trigger: wif.Trigger(trigger.String),
			OK: ok.Bool, Summary: summary.String, TokenFingerprint: fingerprint.String}
		if err := json.Unmarshal([]byte(drift.String), &l.LastRun.Drift); err != nil {
			return Listed{}, fmt.Errorf("decode drift of run %d: %w", runID.Int64, err)
		}
	}
	return l, nil
}

// multiScanner lets scanConnection read the connection columns of a row that has extra columns after them.
type multiScanner struct {
	rows  *sql.Rows
	extra []any
}

func (m multiScanner) Scan(dest ...any) error { return m.rows.Scan(append(dest, m.extra...)...) }
