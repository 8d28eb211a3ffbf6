-- +goose Up
-- Signed-in browsers (docs/security.md, "Sessions and roles"): only a SHA-256 of the cookie is
-- kept, with the person and the groups their ID token named at sign-in.
CREATE TABLE sessions (
    id_hash      TEXT    PRIMARY KEY,
    subject      TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    groups_json  TEXT    NOT NULL DEFAULT '[]',
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- The settings an event recorded (field names, comma-separated): who recorded each setting of a
-- connection, and when, is the newest event that names it.
ALTER TABLE events ADD COLUMN fields TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE events DROP COLUMN fields;
DROP TABLE sessions;
