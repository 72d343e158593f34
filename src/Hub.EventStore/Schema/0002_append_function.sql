-- One set-based append for one or many streams, in the caller's transaction, in a single round trip.
-- Events arrive as parallel arrays; ev_stream holds the 1-based index of each event's stream in stream_ids
-- (distinct ids). Event ids that already exist are skipped and returned as kind 'skipped'. A wrong expected
-- version raises 'hub:wrong_expected_version:{expected}:{actual}:{stream}', so nothing is written.
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
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    current_versions bigint[];
    duplicates uuid[];
    conflict record;
    inserted bigint;
BEGIN
    -- Create missing streams, then lock every stream in id order so concurrent batches queue instead of deadlocking.
    INSERT INTO event_store.streams AS s (id, type, version, created_at, updated_at)
    SELECT u.id, u.type, 0, recorded, recorded
    FROM unnest(stream_ids, stream_types) AS u(id, type)
    ORDER BY u.id
    ON CONFLICT (id) DO NOTHING;

    SELECT array_agg(l.version ORDER BY u.idx) INTO current_versions
    FROM unnest(stream_ids) WITH ORDINALITY AS u(id, idx)
    JOIN (SELECT s.id, s.version FROM event_store.streams s
          WHERE s.id = ANY (stream_ids) ORDER BY s.id FOR UPDATE) AS l ON l.id = u.id;

    -- Looked up after the stream locks, so a concurrent append of the same ids has committed or rolled back.
    SELECT coalesce(array_agg(x.event_id), '{}') INTO duplicates
    FROM event_store.events x WHERE x.event_id = ANY (ev_ids);

    -- A stream whose events were all duplicates is a retry of a finished append: its version is not checked.
    SELECT s.id, s.expected, s.current INTO conflict
    FROM unnest(stream_ids, expected, current_versions) WITH ORDINALITY AS s(id, expected, current, idx)
    WHERE s.expected >= 0 AND s.expected <> s.current
      AND EXISTS (SELECT 1 FROM unnest(ev_stream, ev_ids) AS e(idx, id)
                  WHERE e.idx = s.idx AND NOT e.id = ANY (duplicates))
    ORDER BY s.id LIMIT 1;
    IF FOUND THEN
        -- In the message, not DETAIL: Npgsql hides DETAIL unless error details are switched on.
        RAISE EXCEPTION 'hub:wrong_expected_version:%:%:%', conflict.expected, conflict.current, conflict.id;
    END IF;

    INSERT INTO event_store.events (stream_id, version, event_id, type, data, metadata, recorded_at)
    SELECT s.id,
           s.current + row_number() OVER (PARTITION BY e.idx ORDER BY e.ord),
           e.id, e.type, e.data, e.metadata, recorded
    FROM unnest(ev_stream, ev_ids, ev_types, ev_data, ev_metadata) WITH ORDINALITY
         AS e(idx, id, type, data, metadata, ord)
    JOIN unnest(stream_ids, current_versions) WITH ORDINALITY AS s(id, current, idx) ON s.idx = e.idx
    WHERE NOT e.id = ANY (duplicates)
    ORDER BY e.ord;
    GET DIAGNOSTICS inserted = ROW_COUNT;

    IF inserted > 0 THEN
        UPDATE event_store.streams st
        SET version = s.current + n.added, updated_at = recorded
        FROM unnest(stream_ids, current_versions) WITH ORDINALITY AS s(id, current, idx)
        JOIN (SELECT e.idx, count(*) AS added
              FROM unnest(ev_stream, ev_ids) AS e(idx, id)
              WHERE NOT e.id = ANY (duplicates) GROUP BY e.idx) AS n ON n.idx = s.idx
        WHERE st.id = s.id;

        -- Delivered on commit; wakes subscriptions without waiting for their next poll.
        PERFORM pg_notify('event_store_appended', '');
    END IF;

    -- A stream created above whose events all existed already stays empty: remove it again.
    DELETE FROM event_store.streams st WHERE st.id = ANY (stream_ids) AND st.version = 0;

    RETURN QUERY
        SELECT 'skipped'::text, stream_ids[e.idx], NULL::bigint, e.id
        FROM unnest(ev_stream, ev_ids) AS e(idx, id)
        WHERE e.id = ANY (duplicates)
        UNION ALL
        SELECT 'stream'::text, s.id, s.version, NULL::uuid
        FROM event_store.streams s WHERE s.id = ANY (stream_ids);
END
$$;
