-- +goose Up
CREATE TABLE connections (
    id                          INTEGER PRIMARY KEY,
    name                        TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    demo                        INTEGER NOT NULL DEFAULT 0,
    version                     INTEGER NOT NULL DEFAULT 1,
    step                        INTEGER NOT NULL DEFAULT 0,
    authentik_url               TEXT    NOT NULL DEFAULT '',
    app_slug                    TEXT    NOT NULL DEFAULT '',
    provider_name               TEXT    NOT NULL DEFAULT '',
    issuer_url                  TEXT    NOT NULL DEFAULT '',
    discovery_base              TEXT    NOT NULL DEFAULT '',
    token_url                   TEXT    NOT NULL DEFAULT '',
    client_id                   TEXT    NOT NULL DEFAULT '',
    access_token_validity       TEXT    NOT NULL DEFAULT '',
    subject_mode                TEXT    NOT NULL DEFAULT '',
    scope                       TEXT    NOT NULL DEFAULT '',
    token_field                 TEXT    NOT NULL DEFAULT '',
    ca_pem                      TEXT    NOT NULL DEFAULT '',
    secret_ref                  TEXT    NOT NULL DEFAULT '',
    service_account_id          TEXT    NOT NULL DEFAULT '',
    issuer_name                 TEXT    NOT NULL DEFAULT '',
    jwks_source                 TEXT    NOT NULL DEFAULT '',
    inline_jwks                 TEXT    NOT NULL DEFAULT '',
    rule_name                   TEXT    NOT NULL DEFAULT '',
    subject_prefix              TEXT    NOT NULL DEFAULT '',
    audience                    TEXT    NOT NULL DEFAULT '',
    oauth_scope                 TEXT    NOT NULL DEFAULT '',
    token_lifetime_s            INTEGER NOT NULL DEFAULT 0,
    max_identity_token_lifetime_s INTEGER NOT NULL DEFAULT 0,
    federation_rule_id          TEXT    NOT NULL DEFAULT '',
    organization_id             TEXT    NOT NULL DEFAULT '',
    workspace_id                TEXT    NOT NULL DEFAULT '',
    anthropic_base_url          TEXT    NOT NULL DEFAULT '',
    created_at                  INTEGER NOT NULL,
    updated_at                  INTEGER NOT NULL
);

CREATE TABLE runs (
    id                INTEGER PRIMARY KEY,
    connection_id     INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    at                INTEGER NOT NULL,
    trigger           TEXT    NOT NULL,
    ok                INTEGER NOT NULL,
    summary           TEXT    NOT NULL,
    report_json       TEXT    NOT NULL,
    token_fingerprint TEXT    NOT NULL DEFAULT '',
    drift_json        TEXT    NOT NULL DEFAULT '[]'
);
CREATE INDEX runs_connection_at ON runs(connection_id, at DESC, id DESC);

CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    at            INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    actor         TEXT    NOT NULL DEFAULT '',
    detail        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX events_connection_at ON events(connection_id, at DESC, id DESC);

-- +goose Down
DROP TABLE events;
DROP TABLE runs;
DROP TABLE connections;
