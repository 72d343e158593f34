-- Polling state (Checkpoints/). Idempotent: applied on every start by Storage/IngestSchema.

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

-- The request budget's tables moved to schema hub_budget (shared with the CRM connectors, ADR 0018); their old
-- copies here held only the last minute's grants, so they are dropped rather than migrated.
DROP TABLE IF EXISTS hub_ingest.budget_grants, hub_ingest.budget_pauses;
