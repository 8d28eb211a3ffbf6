package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// ListFilter narrows a listing; it is the domain's.
type ListFilter = wif.ListFilter

// page is the LIMIT/OFFSET clause of f, empty without a limit.
func page(f ListFilter) string {
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

// ListConnections returns the connections f matches, every field filled, ordered by name.
func (s *DB) ListConnections(ctx context.Context, f ListFilter) ([]wif.Connection, error) {
	where, args := listWhere(f)
	rows, err := s.reads.QueryContext(ctx, selectConnection+` c `+where+` ORDER BY c.name`+page(f), args...)
	if err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	defer rows.Close()
	var out []wif.Connection
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, fmt.Errorf("list connections: %w", err)
		}
		out = append(out, *c)
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
