// Package store keeps connections, verification runs and events in a SQLite file
// (modernc.org/sqlite, no cgo). It never receives a secret: the domain types have no field for one.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/wifwiz/wifwiz/migrations"
	"github.com/wifwiz/wifwiz/wif"
)

// DB is an open wifwiz database.
type DB struct {
	db    *sql.DB
	reads *stmtCache // read queries through prepared statements
	ro    bool       // opened read-only: every write is refused with ErrReadOnly
	// Now is the clock used for created/updated/event times; tests replace it.
	Now func() time.Time
}

// ErrNewerSchema: the database was written by a newer wifwiz; nothing was written to it.
var ErrNewerSchema = errors.New("written by a newer wifwiz")

// ErrReadOnly is what every write of a read-only database answers.
var ErrReadOnly = &wif.Error{Code: wif.EREADONLY, Message: "The database is read-only for this wifwiz (its file is not writable): settings, runs and events cannot be saved. Ask its owner, or open a copy."}

// Options adjust Open.
type Options struct {
	// ReadOnly opens the file for reading only; it must exist and need no migration.
	ReadOnly bool
}

// Open opens the SQLite file at path, creating it (mode 0600) when missing, and applies pending
// migrations. A file this process cannot write is opened read-only (DB.ReadOnly); a database
// written by a newer wifwiz is refused (ErrNewerSchema) before anything is written to it.
func Open(ctx context.Context, path string, opts ...Options) (*DB, error) {
	var o Options
	for _, x := range opts {
		o = x
	}
	exists, writable, err := probeFile(path)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if exists {
		if err := checkSchema(ctx, path); err != nil {
			return nil, err
		}
	}
	if !exists && o.ReadOnly {
		return nil, fmt.Errorf("open database %s: no such file", path)
	}
	if o.ReadOnly || (exists && !writable) {
		return openReadOnly(ctx, path)
	}
	if !exists {
		// SQLite gives the -wal and -shm files the database's permissions.
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("create database %s: %w", path, err)
		}
		if f != nil {
			f.Close()
		}
	}
	db, err := sql.Open("sqlite", dsn(path, nil))
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

// probeFile says whether path exists and whether this process may write it (and create the
// journal files beside it).
func probeFile(path string) (exists, writable bool, err error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, true, nil
	case err != nil:
		return false, false, err
	case st.IsDir():
		return true, false, fmt.Errorf("%s is a folder, not a database file", path)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return true, false, nil
	}
	f.Close()
	return true, true, nil
}

// openReadOnly opens an existing database for reading. A WAL database in a folder this process
// cannot write has no shared-memory file to use: it is then opened as immutable, which is right
// for a file nobody else writes meanwhile.
func openReadOnly(ctx context.Context, path string) (*DB, error) {
	var lastErr error
	for _, mode := range []url.Values{{"mode": {"ro"}}, {"immutable": {"1"}}} {
		db, err := sql.Open("sqlite", dsn(path, mode))
		if err == nil {
			err = db.PingContext(ctx)
		}
		if err == nil {
			err = requireMigrated(ctx, db)
			if err != nil {
				db.Close()
				return nil, fmt.Errorf("open database %s read-only: %w", path, err)
			}
			return &DB{db: db, reads: newStmtCache(db), ro: true, Now: time.Now}, nil
		}
		if db != nil {
			db.Close()
		}
		lastErr = err
	}
	return nil, fmt.Errorf("open database %s read-only: %w", path, lastErr)
}

// checkSchema refuses a database a newer wifwiz migrated: its migrations would be unknown here,
// and writing it could lose what they added. It reads through a read-only connection.
func checkSchema(ctx context.Context, path string) error {
	v, err := readVersion(ctx, path)
	if err != nil {
		return nil // not readable as a wifwiz database yet: opening it will say why
	}
	if known := latestMigration(); v > known {
		return fmt.Errorf("database %s is %w (schema version %d; this wifwiz knows up to %d): use that wifwiz, or another --db", path, ErrNewerSchema, v, known)
	}
	return nil
}

func readVersion(ctx context.Context, path string) (int64, error) {
	for _, mode := range []url.Values{{"mode": {"ro"}}, {"immutable": {"1"}}} {
		db, err := sql.Open("sqlite", dsn(path, mode))
		if err != nil {
			continue
		}
		v, err := schemaVersion(ctx, db)
		db.Close()
		if err == nil {
			return v, nil
		}
	}
	return 0, errors.New("no schema version")
}

// latestMigration is the highest migration version embedded in this binary.
func latestMigration() int64 {
	var latest int64
	entries, _ := fs.ReadDir(migrations.FS, ".")
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		if v, err := strconv.ParseInt(num, 10, 64); ok && err == nil {
			latest = max(latest, v)
		}
	}
	return latest
}

// requireMigrated: a read-only database cannot be migrated, so it must need no migration.
func requireMigrated(ctx context.Context, db *sql.DB) error {
	v, err := schemaVersion(ctx, db)
	if err != nil {
		return fmt.Errorf("not a wifwiz database: %w", err)
	}
	if latest := latestMigration(); v < latest {
		return fmt.Errorf("it needs migrating from schema version %d to %d, which a read-only file cannot be: open it once with write access", v, latest)
	}
	return nil
}

// ReadOnly says whether the database was opened read-only.
func (s *DB) ReadOnly() bool { return s.ro }

// writable refuses a write to a read-only database.
func (s *DB) writable() error {
	if s.ro {
		return ErrReadOnly
	}
	return nil
}

// exec runs one write outside a transaction (inTx guards the others). A read-only database
// refuses it with ErrReadOnly, which says all; any other failure is wrapped with what the
// write was.
func (s *DB) exec(ctx context.Context, what, query string, args ...any) (sql.Result, error) {
	if err := s.writable(); err != nil {
		return nil, err
	}
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return res, nil
}

// dsn sets the pragmas on every pooled connection, not only the first one: WAL for concurrent
// readers, foreign keys for ON DELETE CASCADE, a busy timeout instead of SQLITE_BUSY, and
// immediate transactions so that a read-then-write transaction never deadlocks on upgrade.
// Reads go through a memory map of the file: each pooled connection's own page cache (2 MB) is
// smaller than a database of 1,000 connections with their runs, and re-reading its pages made
// up a quarter of the connections page (docs/benchmarks.md, "Fixes").
//
// The driver hands SQLite a URI, whose path is percent-decoded and ends at '?' or '#': those
// characters, and '%', are escaped so that any file name opens that very file. extra adds URI
// parameters (mode=ro).
func dsn(path string, extra url.Values) string {
	q := url.Values{}
	if extra == nil || extra.Get("mode") != "ro" && extra.Get("immutable") == "" {
		q.Add("_pragma", "journal_mode(WAL)")
	}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "mmap_size(268435456)")
	q.Set("_txlock", "immediate")
	for k, v := range extra {
		q[k] = v
	}
	return "file:" + uriPath(path) + "?" + q.Encode()
}

// uriPath escapes what SQLite's URI parser would read as something else than a path character.
func uriPath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '%', '?', '#':
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
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
func (s *DB) SchemaVersion(ctx context.Context) (int64, error) { return schemaVersion(ctx, s.db) }

func schemaVersion(ctx context.Context, db *sql.DB) (int64, error) {
	var v int64
	err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&v)
	return v, err
}

func (s *DB) now() time.Time { return s.Now().UTC() }

func unixMilli(t time.Time) int64 { return t.UnixMilli() }

func fromMilli(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func (s *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if err := s.writable(); err != nil {
		return err
	}
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
