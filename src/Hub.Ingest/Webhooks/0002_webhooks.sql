-- Webhook ids already handed to the broker, per connection: a repeated webhook-id is answered 2xx and sent no
-- second time. Recorded after the broker confirmed the send (ADR 0016).
CREATE TABLE IF NOT EXISTS hub_ingest.webhook_seen (
    connection   text        NOT NULL,
    webhook_id   text        NOT NULL,
    seen_utc     timestamptz NOT NULL,
    PRIMARY KEY (connection, webhook_id)
);

-- Authentic deliveries this code could not map (unknown event type, record without an id): kept with their headers
-- and raw body, listed and replayed through /admin/webhooks/parked.
CREATE TABLE IF NOT EXISTS hub_ingest.webhook_parked (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source        text        NOT NULL,
    connection    text        NOT NULL,
    webhook_id    text        NOT NULL,
    event         text,
    reason        text        NOT NULL,
    headers       jsonb       NOT NULL,
    body          bytea       NOT NULL,
    received_utc  timestamptz NOT NULL,
    replayed_utc  timestamptz,
    UNIQUE (connection, webhook_id)
);
