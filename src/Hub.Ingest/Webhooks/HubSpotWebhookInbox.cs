using Npgsql;
using NpgsqlTypes;

namespace Hub.Ingest.Webhooks;

/// <summary>An accepted HubSpot event waiting to be resolved (<c>hub_ingest.hubspot_webhook_events</c>).</summary>
public sealed record HubSpotInboxEvent(string Connection, long EventId, string Event, int Attempts);

/// <summary>
/// The HubSpot events the receiver accepted and the resolver has not yet turned into observations
/// (0003_hubspot_webhooks.sql). Keyed by (connection, eventId), so a repeat adds nothing. The resolver claims due
/// events with a lease (SKIP LOCKED, so pods share the work without waiting on each other); a crash before
/// <see cref="DoneAsync"/> lets the lease run out and the events are resolved again.
/// </summary>
public sealed class HubSpotWebhookInbox(NpgsqlDataSource dataSource)
{
    /// <summary>Adds the events not seen before; returns their ids (the others are repeats).</summary>
    public async Task<IReadOnlySet<long>> AddAsync(string connection, IReadOnlyList<HubSpotWebhookEvent> events, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO hub_ingest.hubspot_webhook_events (connection, event_id, subscription_type, event, received_utc, due_utc)
            SELECT $1, e.id, e.type, e.event::jsonb, $5, $5 FROM unnest($2::bigint[], $3::text[], $4::text[]) AS e(id, type, event)
            ON CONFLICT (connection, event_id) DO NOTHING
            RETURNING event_id
            """);
        command.Parameters.Add(new() { Value = connection });
        command.Parameters.Add(new() { Value = events.Select(e => e.EventId).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(e => e.SubscriptionType).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(e => e.Raw.GetRawText()).ToArray() });
        command.Parameters.Add(new() { Value = now });
        var added = new HashSet<long>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            added.Add(reader.GetInt64(0));
        return added;
    }

    /// <summary>Takes up to <paramref name="limit"/> due events, oldest first, and makes them due again only when <paramref name="leaseUntil"/> passes.</summary>
    public async Task<IReadOnlyList<HubSpotInboxEvent>> ClaimAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            """
            UPDATE hub_ingest.hubspot_webhook_events e SET due_utc = $2
            FROM (SELECT connection, event_id FROM hub_ingest.hubspot_webhook_events
                  WHERE done_utc IS NULL AND due_utc <= $1 ORDER BY due_utc, event_id LIMIT $3 FOR UPDATE SKIP LOCKED) due
            WHERE e.connection = due.connection AND e.event_id = due.event_id
            RETURNING e.connection, e.event_id, e.event::text, e.attempts
            """);
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = leaseUntil });
        command.Parameters.Add(new() { Value = limit });
        var claimed = new List<HubSpotInboxEvent>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            claimed.Add(new HubSpotInboxEvent(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt32(3)));
        return claimed;
    }

    public async Task DoneAsync(string connection, IReadOnlyList<long> eventIds, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE hub_ingest.hubspot_webhook_events SET done_utc = $3, last_error = NULL WHERE connection = $1 AND event_id = ANY($2)");
        command.Parameters.Add(new() { Value = connection });
        command.Parameters.Add(new() { Value = eventIds.ToArray() });
        command.Parameters.Add(new() { Value = now });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Counts a failed attempt and makes the events due again at <paramref name="retryAt"/>.</summary>
    public async Task FailedAsync(string connection, IReadOnlyList<long> eventIds, DateTimeOffset retryAt, string error, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            """
            UPDATE hub_ingest.hubspot_webhook_events SET attempts = attempts + 1, due_utc = $3, last_error = $4
            WHERE connection = $1 AND event_id = ANY($2)
            """);
        command.Parameters.Add(new() { Value = connection });
        command.Parameters.Add(new() { Value = eventIds.ToArray() });
        command.Parameters.Add(new() { Value = retryAt });
        command.Parameters.Add(new() { Value = error, NpgsqlDbType = NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Ends a lease early without counting an attempt: the events are due again at <paramref name="now"/>.</summary>
    public async Task ReleaseAsync(string connection, IReadOnlyList<long> eventIds, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE hub_ingest.hubspot_webhook_events SET due_utc = $3 WHERE connection = $1 AND event_id = ANY($2) AND done_utc IS NULL");
        command.Parameters.Add(new() { Value = connection });
        command.Parameters.Add(new() { Value = eventIds.ToArray() });
        command.Parameters.Add(new() { Value = now });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Forgets events resolved before <paramref name="before"/>. Their ids only matter while HubSpot may still retry
    /// them (up to 24 hours); a repeat after that is resolved again, and its records are dropped downstream as
    /// already stored.
    /// </summary>
    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM hub_ingest.hubspot_webhook_events WHERE done_utc < $1");
        command.Parameters.Add(new() { Value = before });
        return await command.ExecuteNonQueryAsync(ct);
    }
}
