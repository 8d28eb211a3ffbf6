-- +goose Up
-- The signing key's kid of each run's token, kept beside the report so that the metrics can say
-- since when a connection's issuer signs with its current key without parsing every report.
ALTER TABLE runs ADD COLUMN kid TEXT NOT NULL DEFAULT '';
UPDATE runs SET kid = COALESCE(json_extract(report_json, '$.token.header.kid'), '')
 WHERE json_valid(report_json) AND json_type(report_json, '$.token.header.kid') = 'text';
-- +goose StatementBegin
CREATE TRIGGER runs_kid AFTER INSERT ON runs
WHEN json_valid(NEW.report_json) AND json_type(NEW.report_json, '$.token.header.kid') = 'text'
BEGIN
    UPDATE runs SET kid = json_extract(NEW.report_json, '$.token.header.kid') WHERE id = NEW.id;
END;
-- +goose StatementEnd
CREATE INDEX runs_connection_kid ON runs(connection_id, kid, at);

-- Webhooks set on the alerts page (those given with serve --alert-webhook are not stored).
CREATE TABLE alert_webhooks (
    id         INTEGER PRIMARY KEY,
    url        TEXT    NOT NULL UNIQUE,
    format     TEXT    NOT NULL,           -- generic | slack
    created_at INTEGER NOT NULL
);

-- Alerts waiting for delivery or delivered: one per state change of a connection (or a test).
-- payload_json is the generic payload without the report's URL (added when sent), redacted.
CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    kind            TEXT    NOT NULL,      -- failing | recovered | drift | test
    connection_id   INTEGER REFERENCES connections(id) ON DELETE CASCADE,
    connection_name TEXT    NOT NULL DEFAULT '',
    run_id          INTEGER NOT NULL DEFAULT 0,
    payload_json    TEXT    NOT NULL,
    dispatched      INTEGER NOT NULL DEFAULT 0   -- its deliveries have been created
);
CREATE INDEX alerts_undispatched ON alerts(dispatched, id);

-- One delivery of an alert to one webhook, with its attempts. target is the webhook's key (a
-- stored webhook's ID, or a hash of a --alert-webhook URL), label its URL with the path hidden.
CREATE TABLE alert_deliveries (
    id           INTEGER PRIMARY KEY,
    alert_id     INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    target       TEXT    NOT NULL,
    label        TEXT    NOT NULL,
    format       TEXT    NOT NULL,
    state        TEXT    NOT NULL,        -- pending | delivered | failed
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER NOT NULL,
    last_status  INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    updated_at   INTEGER NOT NULL,
    UNIQUE (alert_id, target)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries(state, next_at);

-- /readyz writes here to prove the database is writable.
CREATE TABLE health (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE health;
DROP TABLE alert_deliveries;
DROP TABLE alerts;
DROP TABLE alert_webhooks;
DROP INDEX runs_connection_kid;
DROP TRIGGER runs_kid;
ALTER TABLE runs DROP COLUMN kid;
