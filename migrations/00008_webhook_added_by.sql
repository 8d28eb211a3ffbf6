-- +goose Up
-- Who added each webhook on the alerts page (the actor form of wif.Event: "Name <sub>" for a
-- signed-in person, "browser" without sign-in); '' for webhooks added before this was recorded.
ALTER TABLE alert_webhooks ADD COLUMN added_by TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE alert_webhooks DROP COLUMN added_by;
