using Hub.EventStore.Reading;
using Hub.EventStore.Subscriptions;
using Npgsql;

namespace Hub.EventStore.TestWorker;

/// <summary>
/// Writes one row per event into <c>read_model</c> (no unique key, so a double apply would show up as an extra row).
/// With <paramref name="crashAtBatch"/> set, it stops half way through that batch, tells the test on stdout, and
/// waits inside the open transaction to be killed.
/// </summary>
public sealed class ReadModelHandler(int? crashAtBatch = null) : ISubscriptionHandler
{
    public const string CreateTableSql =
        "CREATE TABLE IF NOT EXISTS read_model (event_id uuid NOT NULL, position bigint NOT NULL, handled_by int NOT NULL)";

    public const string MidBatchSignal = "MID-BATCH";

    private int _batches;

    public async Task HandleAsync(IReadOnlyList<RecordedEvent> events, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(transaction);
        var batch = ++_batches;
        for (var i = 0; i < events.Count; i++)
        {
            if (batch == crashAtBatch && i == events.Count / 2)
            {
                Console.Out.WriteLine(MidBatchSignal);
                await Console.Out.FlushAsync(cancellationToken);
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            await using var insert = new NpgsqlCommand(
                "INSERT INTO read_model (event_id, position, handled_by) VALUES ($1, $2, $3)", transaction.Connection, transaction);
            insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = events[i].EventId });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = events[i].Position });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Environment.ProcessId });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
