-- Event store tables. Applied once, under the migration advisory lock.
CREATE TABLE event_store.streams (
    id          text        PRIMARY KEY,
    type        text        NOT NULL,
    -- Version of the last event; 0 while a stream is being created inside an append.
    version     bigint      NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE event_store.events (
    position     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The writing transaction; readers order by (tx_id, position) below the snapshot xmin (see ADR 0002).
    tx_id        xid8        NOT NULL DEFAULT pg_current_xact_id(),
    stream_id    text        NOT NULL,
    version      bigint      NOT NULL,
    event_id     uuid        NOT NULL,
    type         text        NOT NULL,
    data         jsonb       NOT NULL,
    metadata     jsonb       NOT NULL,
    recorded_at  timestamptz NOT NULL,
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, version),
    -- Caller-chosen deterministic ids: the database, not a cache, makes appends idempotent (ADR 0003).
    CONSTRAINT events_event_id_key UNIQUE (event_id)
);

CREATE INDEX events_commit_order_idx ON event_store.events (tx_id, position);

CREATE TABLE event_store.checkpoints (
    name        text        PRIMARY KEY,
    tx_id       xid8        NOT NULL,
    position    bigint      NOT NULL,
    updated_at  timestamptz NOT NULL
);
