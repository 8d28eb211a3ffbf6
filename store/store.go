// Package store keeps connections, verification runs and events in a SQLite file
// (modernc.org/sqlite, no cgo). It never receives a secret: the domain types have no field for one.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/wifwiz/wifwiz/migrations"
)

// DB is an open wifwiz database.
type DB struct {
	db    *sql.DB
	reads *stmtCache // read queries through prepared statements
	// Now is the clock used for created/updated/event times; tests replace it.
	Now func() time.Time
}

// Open opens (creating if needed) the SQLite file at path and applies pending migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate database %s: %w", path, err)
	}
	return &DB{db: db, reads: newStmtCache(db), Now: time.Now}, nil
}

// dsn sets the pragmas on every pooled connection, not only the first one: WAL for concurrent
// readers, foreign keys for ON DELETE CASCADE, a busy timeout instead of SQLITE_BUSY, and
// immediate transactions so that a read-then-write transaction never deadlocks on upgrade.
// Reads go through a memory map of the file: each pooled connection's own page cache (2 MB) is
// smaller than a database of 1,000 connections with their runs, and re-reading its pages made
// up a quarter of the connections page (docs/benchmarks.md, "Fixes").
func dsn(path string) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "mmap_size(268435456)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

func migrate(ctx context.Context, db *sql.DB) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, db, migrations.FS)
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

// Close closes the database.
func (s *DB) Close() error {
	s.reads.close()
	return s.db.Close()
}

// SchemaVersion returns the highest applied migration version.
func (s *DB) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&v)
	return v, err
}

func (s *DB) now() time.Time { return s.Now().UTC() }

func unixMilli(t time.Time) int64 { return t.UnixMilli() }

func fromMilli(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func (s *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
