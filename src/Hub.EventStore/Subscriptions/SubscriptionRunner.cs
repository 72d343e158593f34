using Hub.EventStore.Reading;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hub.EventStore.Subscriptions;

/// <summary>
/// Runs one named subscription: becomes leader by holding a session advisory lock on its own connection, then reads
/// the global log from the checkpoint and hands batches to the handler, committing the checkpoint in the handler's
/// transaction. When the process or connection dies, PostgreSQL releases the lock and a standby takes over (ADR 0004).
/// </summary>
public sealed class SubscriptionRunner(
    string name,
    ISubscriptionHandler handler,
    NpgsqlDataSource dataSource,
    EventReader reader,
    SubscriptionOptions options,
    TimeProvider time,
    ILogger<SubscriptionRunner> logger)
{
    public const string NotificationChannel = "event_store_appended";

    private volatile SubscriptionState _state;

    public string Name => name;

    public SubscriptionState State => _state;

    /// <summary>Runs until cancelled, starting over from the checkpoint after any failure.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Lost connection or a handler error: nothing of the failed batch committed, so retrying is safe.
                logger.LogError(ex, "Subscription {Subscription} failed; restarting from its checkpoint", name);
                await DelayAsync(options.RetryDelay, cancellationToken);
            }
            finally
            {
                _state = SubscriptionState.Stopped;
            }
        }
    }

    private async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var wakeUp = 0;
        connection.Notification += (_, _) => Volatile.Write(ref wakeUp, 1);

        while (!await TryLeadAsync(connection, cancellationToken))
        {
            _state = SubscriptionState.Standby;
            await DelayAsync(options.LeadershipRetryInterval, cancellationToken);
        }

        _state = SubscriptionState.Leading;
        logger.LogInformation("Subscription {Subscription} is leader on this instance", name);

        await using (var listen = new NpgsqlCommand($"LISTEN {NotificationChannel}", connection))
            await listen.ExecuteNonQueryAsync(cancellationToken);

        var checkpoint = await LoadCheckpointAsync(connection, cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            Volatile.Write(ref wakeUp, 0);
            var batch = await reader.ReadAllAsync(connection, checkpoint, options.BatchSize, cancellationToken);
            if (batch.Count == 0)
            {
                // A notification that arrived while reading may belong to a commit the read did not see yet.
                if (Volatile.Read(ref wakeUp) == 0)
                    await connection.WaitAsync(options.PollInterval, cancellationToken);
                continue;
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var stored = await SubscriptionCheckpoints.LockAsync(transaction, name, time.GetUtcNow(), cancellationToken);
            if (stored != checkpoint)
            {
                // Reset (or another writer) moved the checkpoint: never apply a batch from a stale position.
                logger.LogInformation("Subscription {Subscription} checkpoint moved to {Checkpoint}; continuing from there", name, stored);
                await transaction.RollbackAsync(cancellationToken);
                checkpoint = stored;
                continue;
            }

            await handler.HandleAsync(batch, transaction, cancellationToken);
            var last = batch[^1].LogPosition;
            await SubscriptionCheckpoints.SaveAsync(transaction, name, last, time.GetUtcNow(), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            checkpoint = last;
        }
    }

    private async Task<bool> TryLeadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT pg_try_advisory_lock(hashtextextended('event_store.subscription:' || $1, 0))", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task<LogPosition> LoadCheckpointAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var checkpoint = await SubscriptionCheckpoints.LockAsync(transaction, name, time.GetUtcNow(), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return checkpoint;
    }

    private Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, time, cancellationToken);
}
