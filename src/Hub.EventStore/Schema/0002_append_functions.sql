-- Appends. prepare_append does everything but writing the events: stream locks, duplicate ids, expected
-- versions, stream rows. append adds the events in the same call (one round trip, for small appends); large
-- batches follow prepare_append with a binary COPY of the events from the client (see EventAppender).

-- Streams come as parallel arrays; ev_stream holds each event's 1-based stream index. Returns, per stream, its
-- version before this append and the number of events it gets, plus the event ids that already exist (skipped).
-- A stream whose events are all duplicates is a retry of a finished append, so its expected version is not
-- checked. A wrong expected version raises 'hub:wrong_expected_version:{expected}:{actual}:{stream}'.
CREATE OR REPLACE FUNCTION event_store.prepare_append(
    stream_ids   text[],
    stream_types text[],
    expected     bigint[],
    ev_stream    int[],
    ev_ids       uuid[],
    recorded     timestamptz,
    OUT current_versions bigint[],
    OUT added bigint[],
    OUT duplicates uuid[])
LANGUAGE plpgsql VOLATILE
-- Every lookup here is by key for a few hundred ids. While the tables grow fast their statistics lag, and the
-- planner would pick sequential scans that cost O(table) per append; key lookups are always right here.
SET enable_seqscan = off
AS $$
DECLARE
    conflict record;
    new_streams int;
    created int;
BEGIN
    -- Existing streams are locked in id order, so concurrent batches over the same streams queue instead of deadlocking.
    SELECT array_agg(coalesce(l.version, 0) ORDER BY u.idx) INTO current_versions
    FROM unnest(stream_ids) WITH ORDINALITY AS u(id, idx)
    LEFT JOIN (SELECT s.id, s.version FROM event_store.streams s
               WHERE s.id = ANY (stream_ids) ORDER BY s.id FOR UPDATE) AS l ON l.id = u.id;

    -- After the stream locks, so a concurrent append of the same ids has committed or rolled back by now.
    SELECT coalesce(array_agg(x.event_id), '{}') INTO duplicates
    FROM event_store.events x WHERE x.event_id = ANY (ev_ids);

    SELECT array_agg(coalesce(n.added, 0) ORDER BY u.idx) INTO added
    FROM generate_subscripts(stream_ids, 1) AS u(idx)
    LEFT JOIN (SELECT e.idx, count(*) AS added FROM unnest(ev_stream, ev_ids) AS e(idx, id)
               WHERE NOT e.id = ANY (duplicates) GROUP BY e.idx) AS n ON n.idx = u.idx;

    SELECT s.id, s.expected, s.current INTO conflict
    FROM unnest(stream_ids, expected, current_versions, added) AS s(id, expected, current, added)
    WHERE s.added > 0 AND s.expected >= 0 AND s.expected <> s.current
    ORDER BY s.id LIMIT 1;
    IF FOUND THEN
        -- In the message, not DETAIL: Npgsql hides DETAIL unless error details are switched on.
        RAISE EXCEPTION 'hub:wrong_expected_version:%:%:%', conflict.expected, conflict.current, conflict.id;
    END IF;

    -- New streams are inserted with their final version. If a concurrent transaction created one first, this
    -- fails and the caller retries, then finds the stream locked and versioned like any existing one.
    SELECT count(*) INTO new_streams
    FROM unnest(current_versions, added) AS s(current, added) WHERE s.current = 0 AND s.added > 0;
    IF new_streams > 0 THEN
        INSERT INTO event_store.streams (id, type, version, created_at, updated_at)
        SELECT s.id, s.type, s.added, recorded, recorded
        FROM unnest(stream_ids, stream_types, current_versions, added) AS s(id, type, current, added)
        WHERE s.current = 0 AND s.added > 0
        ORDER BY s.id
        ON CONFLICT (id) DO NOTHING;
        GET DIAGNOSTICS created = ROW_COUNT;
        IF created < new_streams THEN
            RAISE EXCEPTION 'hub:concurrent_stream_creation' USING ERRCODE = 'serialization_failure';
        END IF;
    END IF;

    UPDATE event_store.streams st
    SET version = s.current + s.added, updated_at = recorded
    FROM unnest(stream_ids, current_versions, added) AS s(id, current, added)
    WHERE st.id = s.id AND s.current > 0 AND s.added > 0;

    IF cardinality(duplicates) < cardinality(ev_ids) THEN
        -- Something will be written. Delivered only on commit, so it wakes subscriptions when the events are there.
        PERFORM pg_notify('event_store_appended', '');
    END IF;
END
$$;

-- The whole append in one round trip. Returns the streams' new versions (kind 'stream') and the skipped
-- duplicate event ids (kind 'skipped').
CREATE OR REPLACE FUNCTION event_store.append(
    stream_ids   text[],
    stream_types text[],
    expected     bigint[],
    ev_stream    int[],
    ev_ids       uuid[],
    ev_types     text[],
    ev_data      jsonb[],
    ev_metadata  jsonb[],
    recorded     timestamptz)
RETURNS TABLE (kind text, stream_id text, version bigint, event_id uuid)
LANGUAGE plpgsql VOLATILE
SET enable_seqscan = off
AS $$
DECLARE
    current_versions bigint[];
    added bigint[];
    duplicates uuid[];
BEGIN
    SELECT p.current_versions, p.added, p.duplicates INTO current_versions, added, duplicates
    FROM event_store.prepare_append(stream_ids, stream_types, expected, ev_stream, ev_ids, recorded) AS p;

    INSERT INTO event_store.events (stream_id, version, event_id, type, data, metadata, recorded_at)
    SELECT stream_ids[e.idx],
           current_versions[e.idx] + row_number() OVER (PARTITION BY e.idx ORDER BY e.ord),
           e.id, e.type, e.data, e.metadata, recorded
    FROM unnest(ev_stream, ev_ids, ev_types, ev_data, ev_metadata) WITH ORDINALITY
         AS e(idx, id, type, data, metadata, ord)
    WHERE NOT e.id = ANY (duplicates)
    ORDER BY e.ord;

    RETURN QUERY
        SELECT 'skipped'::text, stream_ids[e.idx], NULL::bigint, e.id
        FROM unnest(ev_stream, ev_ids) AS e(idx, id)
        WHERE e.id = ANY (duplicates)
        UNION ALL
        SELECT 'stream'::text, s.id, s.current + s.added, NULL::uuid
        FROM unnest(stream_ids, current_versions, added) AS s(id, current, added);
END
$$;
