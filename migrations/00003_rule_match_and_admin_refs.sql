-- +goose Up
-- The rule's claims matchers and CEL condition (recorded by hand or read from the Console), the
-- Console's issuer ID, the authentik provider's key, and references to the admin API tokens
-- (never the tokens), each bound to the origin it was set for.
ALTER TABLE connections ADD COLUMN claims_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE connections ADD COLUMN condition TEXT NOT NULL DEFAULT '';
ALTER TABLE connections ADD COLUMN issuer_id TEXT NOT NULL DEFAULT '';
ALTER TABLE connections ADD COLUMN console_token_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE connections ADD COLUMN console_token_ref_origin TEXT NOT NULL DEFAULT '';
ALTER TABLE connections ADD COLUMN authentik_token_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE connections ADD COLUMN authentik_token_ref_origin TEXT NOT NULL DEFAULT '';
ALTER TABLE connections ADD COLUMN provider_pk INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE connections DROP COLUMN provider_pk;
ALTER TABLE connections DROP COLUMN authentik_token_ref_origin;
ALTER TABLE connections DROP COLUMN authentik_token_ref;
ALTER TABLE connections DROP COLUMN console_token_ref_origin;
ALTER TABLE connections DROP COLUMN console_token_ref;
ALTER TABLE connections DROP COLUMN issuer_id;
ALTER TABLE connections DROP COLUMN condition;
ALTER TABLE connections DROP COLUMN claims_json;
