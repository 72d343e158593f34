-- HubSpot webhook events accepted and not yet resolved into observations (ADR 0023). HubSpot's events carry ids
-- only, so the receiver keeps each authentic event here and answers at once; the resolver reads the records from
-- HubSpot and sends the observations, then marks the event done. The key is HubSpot's eventId per connection, so a
-- retried delivery (attemptNumber > 0) or the same event in another delivery adds nothing.
CREATE TABLE IF NOT EXISTS hub_ingest.hubspot_webhook_events (
    connection        text        NOT NULL,
    event_id          bigint      NOT NULL,
    subscription_type text        NOT NULL,
    event             jsonb       NOT NULL,
    received_utc      timestamptz NOT NULL,
    -- When the resolver may take it (next): now on receipt, a lease while one works on it, a back-off after a failure.
    due_utc           timestamptz NOT NULL,
    attempts          integer     NOT NULL DEFAULT 0,
    last_error        text,
    done_utc          timestamptz,
    PRIMARY KEY (connection, event_id)
);

CREATE INDEX IF NOT EXISTS hubspot_webhook_events_due ON hub_ingest.hubspot_webhook_events (due_utc) WHERE done_utc IS NULL;
