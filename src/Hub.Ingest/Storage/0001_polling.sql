-- Polling state (Checkpoints/, Budget/). Idempotent: applied on every start by Storage/IngestSchema.

-- Where each connection's resource walk stands. scope is the resource, or resource:parent for per-project lists
-- (prospect:1003). cursor/walk_since/walk_max describe a walk in progress (null between walks); watermark is the
-- newest source timestamp of the last completed walk, the next delta's updated_since (minus the look-back).
CREATE TABLE IF NOT EXISTS hub_ingest.checkpoints (
    connection      text        NOT NULL,
    scope           text        NOT NULL,
    walk_since      timestamptz NULL,
    cursor          text        NULL,
    walk_max        timestamptz NULL,
    watermark       timestamptz NULL,
    initial_done    boolean     NOT NULL DEFAULT false,
    reconciled_utc  timestamptz NULL,
    updated_utc     timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (connection, scope)
);

-- One row per request granted against a budget (a hash of the API token, never the token) in the sliding window.
CREATE TABLE IF NOT EXISTS hub_ingest.budget_grants (
    budget_key  text        NOT NULL,
    granted_utc timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS budget_grants_key_time ON hub_ingest.budget_grants (budget_key, granted_utc);

-- A source's 429 Retry-After: no process sends on this budget before until_utc.
CREATE TABLE IF NOT EXISTS hub_ingest.budget_pauses (
    budget_key text        PRIMARY KEY,
    until_utc  timestamptz NOT NULL
);
