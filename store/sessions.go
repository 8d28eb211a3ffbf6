package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// CreateSession stores a signed-in browser under the hash of its cookie.
func (s *DB) CreateSession(ctx context.Context, se *wif.Session) error {
	groups, err := json.Marshal(nonNilStrings(se.Groups))
	if err != nil {
		return fmt.Errorf("encode session groups: %w", err)
	}
	_, err = s.exec(ctx, "store session", `INSERT INTO sessions (id_hash, subject, name, groups_json, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, se.IDHash, se.Person.Subject, se.Person.Name, string(groups),
		unixMilli(se.CreatedAt), unixMilli(se.LastSeen), unixMilli(se.ExpiresAt))
	return err
}

func nonNilStrings(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// GetSession returns the session stored under idHash, or nil when there is none.
func (s *DB) GetSession(ctx context.Context, idHash string) (*wif.Session, error) {
	var se wif.Session
	var groups string
	var created, seen, expires int64
	err := s.reads.QueryRowContext(ctx, `SELECT id_hash, subject, name, groups_json, created_at, last_seen_at, expires_at
		FROM sessions WHERE id_hash = ?`, idHash).
		Scan(&se.IDHash, &se.Person.Subject, &se.Person.Name, &groups, &created, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read session: %w", err)
	}
	if err := json.Unmarshal([]byte(groups), &se.Groups); err != nil {
		return nil, fmt.Errorf("decode session groups: %w", err)
	}
	se.CreatedAt, se.LastSeen, se.ExpiresAt = fromMilli(created), fromMilli(seen), fromMilli(expires)
	return &se, nil
}

// TouchSession records activity of a session at at.
func (s *DB) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	_, err := s.exec(ctx, "touch session", `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, unixMilli(at), idHash)
	return err
}

// DeleteSession ends a session; ending one that is gone is no error.
func (s *DB) DeleteSession(ctx context.Context, idHash string) error {
	_, err := s.exec(ctx, "delete session", `DELETE FROM sessions WHERE id_hash = ?`, idHash)
	return err
}

// DeleteStaleSessions removes the sessions past their absolute end at now or idle since before
// idleSince, and returns how many.
func (s *DB) DeleteStaleSessions(ctx context.Context, now, idleSince time.Time) (int64, error) {
	res, err := s.exec(ctx, "delete stale sessions", `DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?`,
		unixMilli(now), unixMilli(idleSince))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
