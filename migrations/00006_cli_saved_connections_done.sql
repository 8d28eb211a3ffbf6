-- +goose Up
-- A connection saved from the command line (wifwiz check --save) holds both sides, so the wizard
-- has nothing left to ask: it is marked done, as the command line now records it. The pages
-- offer verifying, exporting and handing over a connection only once both sides are recorded.
UPDATE connections SET step = 6 WHERE step < 6 AND id IN (SELECT connection_id FROM runs WHERE trigger = 'cli');

-- +goose Down
-- The step is a progress hint: the earlier value is not kept, and nothing needs undoing.
SELECT 1;
