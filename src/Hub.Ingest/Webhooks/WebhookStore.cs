using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Hub.Ingest.Webhooks;

/// <summary>The receivers' two tables in <c>hub_ingest</c> (0002_webhooks.sql): webhook ids already sent, and parked deliveries.</summary>
public sealed class WebhookStore(NpgsqlDataSource dataSource)
{
    public async Task<bool> WasSentAsync(string connection, string webhookId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM hub_ingest.webhook_seen WHERE connection = $1 AND webhook_id = $2)");
        command.Parameters.Add(new() { Value = connection });
        command.Parameters.Add(new() { Value = webhookId });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    public async Task MarkSentAsync(string connection, string webhookId, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO hub_ingest.webhook_seen (connection, webhook_id, seen_utc) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING");
        command.Parameters.Add(new() { Value = connection });
        command.Parameters.Add(new() { Value = webhookId });
        command.Parameters.Add(new() { Value = now });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Parks a delivery; a repeat of a parked webhook-id keeps the first copy.</summary>
    public async Task ParkAsync(ParkedWebhook parked, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO hub_ingest.webhook_parked (source, connection, webhook_id, event, reason, headers, body, received_utc)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (connection, webhook_id) DO NOTHING
            """);
        command.Parameters.Add(new() { Value = parked.Source });
        command.Parameters.Add(new() { Value = parked.Connection });
        command.Parameters.Add(new() { Value = parked.WebhookId });
        command.Parameters.Add(new() { Value = (object?)parked.Event ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = parked.Reason });
        command.Parameters.Add(new() { Value = JsonSerializer.Serialize(parked.Headers), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new() { Value = parked.Body });
        command.Parameters.Add(new() { Value = parked.ReceivedUtc });
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<ParkedWebhook>> ListParkedAsync(bool includeReplayed, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            $"{SelectParked} WHERE $1 OR replayed_utc IS NULL ORDER BY id LIMIT $2");
        command.Parameters.Add(new() { Value = includeReplayed });
        command.Parameters.Add(new() { Value = limit });
        return await ReadAsync(command, ct);
    }

    public async Task<ParkedWebhook?> GetParkedAsync(long id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"{SelectParked} WHERE id = $1");
        command.Parameters.Add(new() { Value = id });
        return (await ReadAsync(command, ct)).SingleOrDefault();
    }

    public async Task MarkReplayedAsync(long id, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("UPDATE hub_ingest.webhook_parked SET replayed_utc = $2 WHERE id = $1");
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = now });
        await command.ExecuteNonQueryAsync(ct);
    }

    private const string SelectParked =
        "SELECT id, source, connection, webhook_id, event, reason, headers::text, body, received_utc, replayed_utc FROM hub_ingest.webhook_parked";

    private static async Task<IReadOnlyList<ParkedWebhook>> ReadAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var rows = new List<ParkedWebhook>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new ParkedWebhook(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetString(5),
                JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(6))!,
                reader.GetFieldValue<byte[]>(7),
                reader.GetFieldValue<DateTimeOffset>(8),
                reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9)));
        }

        return rows;
    }
}

/// <summary>An authentic delivery kept for a later version of the code; <see cref="Id"/> is 0 until stored.</summary>
public sealed record ParkedWebhook(
    long Id,
    string Source,
    string Connection,
    string WebhookId,
    string? Event,
    string Reason,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    DateTimeOffset ReceivedUtc,
    DateTimeOffset? ReplayedUtc);
