using Hub.EventStore.Reading;
using Npgsql;
using NpgsqlTypes;

namespace Hub.EventStore.Subscriptions;

/// <summary>Reads and resets subscription checkpoints (e.g. for the API's status and rebuild endpoints).</summary>
public sealed class SubscriptionCheckpoints(NpgsqlDataSource dataSource, TimeProvider time)
{
    public async Task<LogPosition?> GetAsync(string subscription, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadAsync(connection, subscription, cancellationToken);
    }

    internal static async Task<LogPosition?> ReadAsync(NpgsqlConnection connection, string subscription, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT tx_id, position FROM event_store.checkpoints WHERE name = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = subscription });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new LogPosition(reader.GetFieldValue<ulong>(0), reader.GetInt64(1))
            : null;
    }

    /// <summary>
    /// Moves the subscription back to the start so it rebuilds its read model. <paramref name="clearReadModel"/>
    /// runs in the same transaction, so the read model and checkpoint never disagree. A running leader notices when
    /// idle or at its next batch (it re-checks the checkpoint under a row lock before applying one) and starts over.
    /// </summary>
    public async Task ResetAsync(
        string subscription, Func<NpgsqlTransaction, CancellationToken, Task>? clearReadModel = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await SaveAsync(transaction, subscription, LogPosition.Start, time.GetUtcNow(), cancellationToken);
        if (clearReadModel is not null)
            await clearReadModel(transaction, cancellationToken);

        // Wakes an idle leader so the rebuild starts now.
        await using (var notify = new NpgsqlCommand("SELECT pg_notify('event_store_appended', '')", connection, transaction))
            await notify.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    internal static async Task SaveAsync(
        NpgsqlTransaction transaction, string subscription, LogPosition position, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO event_store.checkpoints (name, tx_id, position, updated_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (name) DO UPDATE SET tx_id = excluded.tx_id, position = excluded.position, updated_at = excluded.updated_at
            """, transaction.Connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = subscription });
        command.Parameters.Add(new NpgsqlParameter<ulong> { TypedValue = position.TransactionId, NpgsqlDbType = NpgsqlDbType.Xid8 });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position.Position });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The stored checkpoint, row-locked until the transaction ends; creates it at the start if missing.</summary>
    internal static async Task<LogPosition> LockAsync(
        NpgsqlTransaction transaction, string subscription, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using (var create = new NpgsqlCommand(
            "INSERT INTO event_store.checkpoints (name, tx_id, position, updated_at) VALUES ($1, '0', 0, $2) ON CONFLICT (name) DO NOTHING",
            transaction.Connection, transaction))
        {
            create.Parameters.Add(new NpgsqlParameter<string> { TypedValue = subscription });
            create.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var select = new NpgsqlCommand(
            "SELECT tx_id, position FROM event_store.checkpoints WHERE name = $1 FOR UPDATE", transaction.Connection, transaction);
        select.Parameters.Add(new NpgsqlParameter<string> { TypedValue = subscription });
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new LogPosition(reader.GetFieldValue<ulong>(0), reader.GetInt64(1));
    }
}
