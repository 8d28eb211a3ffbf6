-- +goose Up
-- The origin (scheme://host:port) a secret reference was set for: a later change of the issuer or
-- token URL origin drops the reference (docs/security.md).
ALTER TABLE connections ADD COLUMN secret_ref_origin TEXT NOT NULL DEFAULT '';

-- Audits started from the browser, the command line or the schedule, with their progress, so that
-- the audit page survives a restart and an interrupted audit is never lost silently.
CREATE TABLE audit_jobs (
    id          TEXT    PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL DEFAULT 0,
    state       TEXT    NOT NULL,           -- running | done | interrupted
    trigger     TEXT    NOT NULL,
    actor       TEXT    NOT NULL DEFAULT '',
    total       INTEGER NOT NULL
);
CREATE INDEX audit_jobs_started ON audit_jobs(started_at DESC);

CREATE TABLE audit_results (
    job_id          TEXT    NOT NULL REFERENCES audit_jobs(id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    connection_id   INTEGER NOT NULL,
    connection_name TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    run_id          INTEGER NOT NULL DEFAULT 0,
    summary         TEXT    NOT NULL DEFAULT '',
    reason          TEXT    NOT NULL DEFAULT '',
    drift_json      TEXT    NOT NULL DEFAULT '[]',
    PRIMARY KEY (job_id, seq)
);

-- +goose Down
DROP TABLE audit_results;
DROP TABLE audit_jobs;
ALTER TABLE connections DROP COLUMN secret_ref_origin;
