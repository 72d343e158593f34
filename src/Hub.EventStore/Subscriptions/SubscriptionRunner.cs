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

    private static readonly TimeSpan HeldBackPollInterval = TimeSpan.FromMilliseconds(100);

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
            catch (Exception ex)
            {
                // Lost connection or a handler error: nothing of the failed batch committed, so retrying is safe.
                logger.LogError(ex, "Subscription {Subscription} failed; restarting from its checkpoint", name);
            }
            finally
            {
                _state = SubscriptionState.Stopped;
            }

            try
            {
                await DelayAsync(options.RetryDelay, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await DetectDeadPeersAsync(connection, cancellationToken);
            await LeadAsync(connection, cancellationToken);
        }
        finally
        {
            await ReleaseAsync(connection);
        }
    }

    /// <summary>
    /// A pooled connection keeps its session state until reused, so a leader that stops or fails must give up the
    /// lock itself; otherwise it would sit in an idle pooled connection and no standby could take over.
    /// </summary>
    private async Task ReleaseAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
            return;
        try
        {
            await using var release = new NpgsqlCommand("UNLISTEN *; SELECT pg_advisory_unlock_all()", connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // A broken connection: the server ends the session, and with it the lock.
            logger.LogDebug(ex, "Subscription {Subscription} could not release its lock explicitly", name);
        }
    }

    private async Task LeadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
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
        DateTimeOffset? heldBackSince = null;
        var lastWarning = DateTimeOffset.MinValue;
        while (!cancellationToken.IsCancellationRequested)
        {
            Volatile.Write(ref wakeUp, 0);
            var batch = await reader.ReadAllAsync(connection, checkpoint, options.BatchSize, cancellationToken);
            if (batch.Count == 0)
            {
                // Committed events the watermark still hides: their notification has come and gone, so re-poll
                // soon instead of waiting a full poll interval after the blocking transaction ends.
                var heldBack = await IsHeldBackAsync(connection, checkpoint, cancellationToken);
                if (heldBack)
                {
                    var now = time.GetUtcNow();
                    heldBackSince ??= now;
                    if (now - heldBackSince >= options.StallWarningAfter && now - lastWarning >= options.StallWarningAfter)
                    {
                        lastWarning = now;
                        logger.LogWarning(
                            "Subscription {Subscription}: committed events held back for {HeldBack} by an open transaction: {Blocker}",
                            name, now - heldBackSince, await DescribeOldestWriterAsync(connection, cancellationToken));
                    }
                }
                else
                {
                    heldBackSince = null;
                }

                // A notification that arrived while reading may belong to a commit the read did not see yet.
                if (Volatile.Read(ref wakeUp) == 0)
                    await connection.WaitAsync(heldBack ? Min(options.PollInterval, HeldBackPollInterval) : options.PollInterval, cancellationToken);

                // While idle, pick up a reset made elsewhere instead of waiting for the next event to reveal it.
                if (await SubscriptionCheckpoints.ReadAsync(connection, name, cancellationToken) is { } moved && moved != checkpoint)
                {
                    logger.LogInformation("Subscription {Subscription} checkpoint moved to {Checkpoint}; continuing from there", name, moved);
                    checkpoint = moved;
                }

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
            heldBackSince = null;
        }
    }

    /// <summary>
    /// The leadership lock lives as long as the server keeps this session. A leader whose host vanishes (power
    /// off, partition) sends no FIN, and with the operating system's keepalive defaults the server would hold its
    /// session, and the lock, for up to two hours. These settings apply to this session only and make the server
    /// drop a silent peer within about 20 seconds, so a standby takes over.
    /// </summary>
    private static async Task DetectDeadPeersAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 3; SET tcp_keepalives_count = 3; SET tcp_user_timeout = 20000",
            connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<bool> TryLeadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT pg_try_advisory_lock(hashtextextended('event_store.subscription:' || $1, 0))", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Committed events exist past the checkpoint, but the watermark does not let the reader see them yet.</summary>
    private static async Task<bool> IsHeldBackAsync(NpgsqlConnection connection, LogPosition after, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT EXISTS (SELECT 1 FROM event_store.events WHERE (tx_id, position) > ($1, $2))", connection);
        command.Parameters.Add(new NpgsqlParameter<ulong> { TypedValue = after.TransactionId, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Xid8 });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after.Position });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The oldest transaction holding an xid (what pins the watermark); never its query text, which may hold personal data.</summary>
    private static async Task<string> DescribeOldestWriterAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT format('pid %s, database %s, user %s, application %s, state %s, open for %s',
                          pid, datname, usename, application_name, state, now() - xact_start)
            FROM pg_stat_activity WHERE backend_xid IS NOT NULL
            ORDER BY age(backend_xid) DESC LIMIT 1
            """, connection);
        return await command.ExecuteScalarAsync(cancellationToken) as string ?? "not visible (prepared transaction or missing privileges)";
    }

    private async Task<LogPosition> LoadCheckpointAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var checkpoint = await SubscriptionCheckpoints.LockAsync(transaction, name, time.GetUtcNow(), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return checkpoint;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, time, cancellationToken);
}
