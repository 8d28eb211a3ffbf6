-- +goose Up
-- A webhook on the alerts page may be a reference (env:NAME or file:/path) to its URL instead of
-- the URL: the reference is stored and the URL read at each delivery, so that a URL whose path is
-- its credential (a Slack incoming webhook's) need not be kept here. Exactly one of url and ref
-- is set.
CREATE TABLE alert_webhooks_new (
    id         INTEGER PRIMARY KEY,
    url        TEXT    NOT NULL DEFAULT '',
    ref        TEXT    NOT NULL DEFAULT '',
    format     TEXT    NOT NULL,           -- generic | slack
    created_at INTEGER NOT NULL,
    CHECK ((url = '') <> (ref = '')),
    UNIQUE (url, ref)
);
INSERT INTO alert_webhooks_new (id, url, format, created_at) SELECT id, url, format, created_at FROM alert_webhooks;
DROP TABLE alert_webhooks;
ALTER TABLE alert_webhooks_new RENAME TO alert_webhooks;

-- +goose Down
-- The earlier schema holds URLs only: webhooks given by reference are dropped.
CREATE TABLE alert_webhooks_old (
    id         INTEGER PRIMARY KEY,
    url        TEXT    NOT NULL UNIQUE,
    format     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO alert_webhooks_old (id, url, format, created_at) SELECT id, url, format, created_at FROM alert_webhooks WHERE ref = '';
DROP TABLE alert_webhooks;
ALTER TABLE alert_webhooks_old RENAME TO alert_webhooks;
