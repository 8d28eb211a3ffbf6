package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func insertEvent(ctx context.Context, x execer, e *wif.Event) error {
	res, err := x.ExecContext(ctx, `INSERT INTO events (connection_id, at, kind, actor, detail, fields) VALUES (?, ?, ?, ?, ?, ?)`,
		e.ConnectionID, unixMilli(e.At), e.Kind, e.Actor, e.Detail, strings.Join(e.Fields, ","))
	if err != nil {
		return fmt.Errorf("insert %s event for connection %d: %w", e.Kind, e.ConnectionID, err)
	}
	e.ID, err = res.LastInsertId()
	return err
}

// AddEvent records an event such as "exported"; a zero At means now.
func (s *DB) AddEvent(ctx context.Context, e *wif.Event) error {
	if err := s.writable(); err != nil {
		return err
	}
	if e.At.IsZero() {
		e.At = s.now()
	}
	return insertEvent(ctx, s.db, e)
}

// ListEvents returns a connection's timeline, newest first.
func (s *DB) ListEvents(ctx context.Context, connectionID int64) ([]wif.Event, error) {
	rows, err := s.reads.QueryContext(ctx, `SELECT id, connection_id, at, kind, actor, detail, fields FROM events
		WHERE connection_id = ? ORDER BY at DESC, id DESC`, connectionID)
	if err != nil {
		return nil, fmt.Errorf("list events of connection %d: %w", connectionID, err)
	}
	defer rows.Close()
	var events []wif.Event
	for rows.Next() {
		var e wif.Event
		var at int64
		var fields string
		if err := rows.Scan(&e.ID, &e.ConnectionID, &at, &e.Kind, &e.Actor, &e.Detail, &fields); err != nil {
			return nil, fmt.Errorf("list events of connection %d: %w", connectionID, err)
		}
		e.At = fromMilli(at)
		if fields != "" {
			e.Fields = strings.Split(fields, ",")
		}
		events = append(events, e)
	}
	return events, rows.Err()
}
