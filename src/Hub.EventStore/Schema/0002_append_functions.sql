-- Appends. prepare_append does everything but writing the events: stream locks, duplicate ids, expected
-- versions, stream rows. append adds the events in the same call (one round trip, for small appends); large
-- batches follow prepare_append with a binary COPY of the events from the client (see EventAppender).
--
-- Stream order in the global log, event ids bound to one stream, and truthful versions (ADR 0002, 0003).
-- The log is ordered by writing transaction id (ADR 0002), but an id tells when a transaction *got* it, not when
-- it commits. A transaction that got its id early (a row lock on another stream of its batch, or earlier work in the
-- caller's transaction) could append a later version of a stream than one with a higher id, and readers would get
-- that stream out of version order. prepare_append therefore
--   1. takes a transaction-scoped advisory lock per existing stream before anything that assigns an id (advisory
--      locks do not; row locks and inserts do), so an id assigned afterwards is higher than every earlier writer's
--      of those streams: they have committed. Ascending key order, so batches queue instead of deadlocking. New
--      streams need none: creating one fails for all but the first transaction, and the others retry;
--   2. refuses, as a retryable serialization failure ('hub:stream_order:{stream}'), an append whose transaction
--      already had an id below that of the stream's last event: retried in a new transaction, it lands in order.
-- Also: an event id stored in another stream is a conflict, not a silent skip ('hub:event_id_conflict:...'); a
-- stream whose events were all duplicates reports the version they were stored at; and the expected version of a
-- stream with no events in the call is checked too.

-- Streams come as parallel arrays; ev_stream holds each event's 1-based stream index. Returns, per stream, its
-- version before this append, the number of events it gets and the version to report (current + added, or for a
-- stream whose events are all duplicates, the highest version they were stored at), plus the event ids that
-- already exist (skipped). A wrong expected version raises 'hub:wrong_expected_version:{expected}:{actual}:{stream}'.
-- Every lookup here is by key for a few hundred ids. While the tables grow fast their statistics lag, and the
-- planner would pick sequential scans that cost O(table) per append; key lookups are always right here.
CREATE OR REPLACE FUNCTION event_store.prepare_append(
    stream_ids   text[],
    stream_types text[],
    expected     bigint[],
    ev_stream    int[],
    ev_ids       uuid[],
    recorded     timestamptz,
    OUT current_versions bigint[],
    OUT added bigint[],
    OUT duplicates uuid[],
    OUT versions bigint[])
LANGUAGE plpgsql VOLATILE
SET enable_seqscan = off
AS $$
DECLARE
    lock_key bigint;
    existing text[];
    locked_count int;
    had_tx boolean;
    my_tx xid8;
    totals bigint[];
    dup_stored text[];
    dup_version bigint[];
    late_stream text;
    conflict record;
    new_streams int;
    created int;
BEGIN
    -- Whether the caller's transaction already has an id (without assigning one).
    had_tx := pg_current_xact_id_if_assigned() IS NOT NULL;

    -- Only existing streams need the lock (a plain read assigns no id). A new stream is created by this call's
    -- insert, which fails if another transaction creates it first; and whoever appends to it next sees it exist
    -- only after this transaction has committed. Saves the locks' cost (~6 µs a stream) for new streams.
    SELECT coalesce(array_agg(s.id), '{}') INTO existing FROM event_store.streams s WHERE s.id = ANY (stream_ids);

    -- One at a time in sorted order: a single statement would not promise the order in which it takes them.
    FOR lock_key IN
        SELECT DISTINCT hashtextextended('event_store.stream:' || u.id, 0) FROM unnest(existing) AS u(id) ORDER BY 1
    LOOP
        PERFORM pg_advisory_xact_lock(lock_key);
    END LOOP;

    -- Only after the locks: if this assigns the id, it is above every earlier writer's of these streams.
    my_tx := pg_current_xact_id();

    IF cardinality(existing) = 0 THEN
        -- Only new streams (an initial load): nothing to lock. One created by another transaction since the first
        -- look makes the stream insert below fail, and the append is retried.
        current_versions := array_fill(0::bigint, ARRAY[cardinality(stream_ids)]);
    ELSE
        -- Existing streams are locked in id order too (writers that bypass this function queue here, not deadlock).
        SELECT array_agg(coalesce(l.version, 0) ORDER BY u.idx), count(DISTINCT l.id) INTO current_versions, locked_count
        FROM unnest(stream_ids) WITH ORDINALITY AS u(id, idx)
        LEFT JOIN (SELECT s.id, s.version FROM event_store.streams s
                   WHERE s.id = ANY (stream_ids) ORDER BY s.id FOR UPDATE) AS l ON l.id = u.id;

        -- A stream another transaction created since the first look is not locked above, and its creator's id may
        -- be above this one's: start again, when it exists and gets locked. (Streams are never deleted.)
        IF locked_count > cardinality(existing) THEN
            RAISE EXCEPTION 'hub:concurrent_stream_creation' USING ERRCODE = 'serialization_failure';
        END IF;
    END IF;

    -- Existing ids with the stream and version they were stored under; after the locks, so a concurrent append of
    -- the same ids to these streams has finished.
    SELECT coalesce(array_agg(x.event_id), '{}'), coalesce(array_agg(x.stream_id), '{}'), coalesce(array_agg(x.version), '{}')
    INTO duplicates, dup_stored, dup_version
    FROM event_store.events x WHERE x.event_id = ANY (ev_ids);

    -- An id is the identity of one observation of one record: reusing it for another stream is a caller's bug.
    IF cardinality(duplicates) > 0 THEN
        SELECT e.id, d.stored, stream_ids[e.idx] AS requested INTO conflict
        FROM unnest(ev_stream, ev_ids) WITH ORDINALITY AS e(idx, id, ord)
        JOIN unnest(duplicates, dup_stored) AS d(id, stored) ON d.id = e.id
        WHERE d.stored <> stream_ids[e.idx]
        ORDER BY e.ord LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'hub:event_id_conflict:%:%:%', conflict.id, conflict.stored, conflict.requested;
        END IF;
    END IF;

    -- Per stream: events it gets, events in the call, and the version to report. A finished retry (events, all
    -- duplicates) reports what the original append produced, not where the stream has moved since.
    SELECT array_agg(coalesce(n.added, 0) ORDER BY u.idx), array_agg(coalesce(n.total, 0) ORDER BY u.idx),
           array_agg(CASE WHEN n.total > 0 AND n.added = 0 THEN n.stored_version
                          ELSE current_versions[u.idx] + coalesce(n.added, 0) END ORDER BY u.idx)
    INTO added, totals, versions
    FROM generate_subscripts(stream_ids, 1) AS u(idx)
    LEFT JOIN (SELECT e.idx, count(*) FILTER (WHERE d.id IS NULL) AS added, count(*) AS total, max(d.version) AS stored_version
               FROM unnest(ev_stream, ev_ids) AS e(idx, id)
               LEFT JOIN unnest(duplicates, dup_version) AS d(id, version) ON d.id = e.id
               GROUP BY e.idx) AS n ON n.idx = u.idx;

    -- An id assigned after the locks is above every earlier writer's of these streams, so only an id the
    -- transaction brought along can be too low. A separate statement from the row locks: its snapshot sees the
    -- events of writers those locks waited for. New streams have no last event.
    IF had_tx THEN
        SELECT s.id INTO late_stream
        FROM unnest(stream_ids, current_versions, added) AS s(id, current, added)
        JOIN event_store.events x ON x.stream_id = s.id AND x.version = s.current
        WHERE s.added > 0 AND s.current > 0 AND x.tx_id > my_tx
        ORDER BY s.id LIMIT 1;
    END IF;
    IF late_stream IS NOT NULL THEN
        RAISE EXCEPTION 'hub:stream_order:%', late_stream USING
            ERRCODE = 'serialization_failure',
            HINT = 'The transaction got its id before the stream''s last append; retry in a new transaction.';
    END IF;

    -- A stream with no events in this call is checked too (an assertion on its version); one whose events are all
    -- duplicates is a retry of a finished append and is not.
    SELECT s.id, s.expected, s.current INTO conflict
    FROM unnest(stream_ids, expected, current_versions, added, totals) AS s(id, expected, current, added, total)
    WHERE (s.added > 0 OR s.total = 0) AND s.expected >= 0 AND s.expected <> s.current
    ORDER BY s.id LIMIT 1;
    IF FOUND THEN
        -- In the message, not DETAIL: Npgsql hides DETAIL unless error details are switched on.
        RAISE EXCEPTION 'hub:wrong_expected_version:%:%:%', conflict.expected, conflict.current, conflict.id;
    END IF;

    -- New streams are inserted with their final version. If a concurrent transaction created one first, this fails
    -- and the caller retries, then finds the stream existing, locks it and versions it like any other.
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

-- The whole append in one round trip. Returns the streams' versions (kind 'stream') and the skipped duplicate
-- event ids (kind 'skipped').
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
    duplicates uuid[];
    versions bigint[];
BEGIN
    SELECT p.current_versions, p.duplicates, p.versions INTO current_versions, duplicates, versions
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
        SELECT 'stream'::text, s.id, s.version, NULL::uuid
        FROM unnest(stream_ids, versions) AS s(id, version);
END
$$;
