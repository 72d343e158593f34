using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using JasperFx;
using JasperFx.Events;
using Marten;
using Marten.Events;
using Marten.Exceptions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hub.EventStore.Writing;

/// <summary>
/// The hub's append path: the events of one message, across any number of streams, in one Marten session together
/// with the message's <see cref="ProcessedMessage"/> record. The database enforces effect-once: a redelivered message
/// fails on its record and counts as done; an event id the store already holds (a poll and a webhook observing the
/// same source version) is left out. Races between writers on one stream are retried here, never surfaced (ADR 0008).
/// </summary>
public sealed partial class EventWriter(IDocumentStore store, TimeProvider time, ILogger<EventWriter> logger, EventStoreOptions? options = null)
{
    // Sixteen writers on one new stream lost up to 11 times in a row on 2 cores (Sixteen_writers_on_one_stream_...),
    // so 12 attempts surfaced races now and then; twice that keeps the bound with room to spare.
    private const int MaxAttempts = 24;
    private readonly EventGraph _events = (EventGraph)store.Options.Events;
    private readonly ConcurrentDictionary<Type, bool> _checkedTypes = new();
    private readonly BulkAppend? _bulk = (options ?? new()).BulkAppendFrom > 0 ? BulkAppend.For(store) : null;
    private readonly int _bulkFrom = (options ?? new()).BulkAppendFrom;

    public Task<WriteResult> WriteAsync(string messageId, IReadOnlyList<StreamEvents> streams, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(streams);
        return WriteAsync(messageId, (_, _) => Task.FromResult(streams), cancellationToken);
    }

    /// <summary>
    /// Like <see cref="WriteAsync(string, IReadOnlyList{StreamEvents}, CancellationToken)"/>, but the events are decided
    /// inside each attempt by <paramref name="decide"/>, reading the state it needs through the attempt's session. A
    /// retried race therefore decides again on the state the winner committed, instead of replaying a stale decision.
    /// Streams with an <see cref="StreamEvents.ExpectedVersion"/> fail the attempt (and are retried) when another
    /// writer moved them after the decision read them.
    /// </summary>
    public async Task<WriteResult> WriteAsync(
        string messageId, Func<IDocumentSession, CancellationToken, Task<IReadOnlyList<StreamEvents>>> decide, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        ArgumentNullException.ThrowIfNull(decide);
        var idTaken = false;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryWriteAsync(messageId, decide, lookUpIds: idTaken, cancellationToken);
            }
            catch (Exception ex) when (ex is DocumentAlreadyExistsException || (ex is PostgresException postgres && BulkAppend.IsDuplicateMessage(postgres)))
            {
                // Only the processed-message record is inserted; its existence means an earlier delivery committed.
                LogDuplicateMessage(messageId);
                return WriteResult.Duplicate;
            }
            catch (Exception ex) when (attempt < MaxAttempts && IsConcurrencyRace(ex))
            {
                // From now on the ids are looked up first, so an id some other writer stored is left out, not retried into.
                idTaken |= IsEventIdTaken(ex);
                LogRace(ex, attempt, messageId);
                // Full jitter keeps racing writers from colliding again in lockstep.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 << Math.Min(attempt, 6))), time, cancellationToken);
            }
        }
    }

    private async Task<WriteResult> TryWriteAsync(
        string messageId, Func<IDocumentSession, CancellationToken, Task<IReadOnlyList<StreamEvents>>> decide, bool lookUpIds, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        var streams = await decide(session, cancellationToken);
        foreach (var stream in streams)
            foreach (var pending in stream.Events)
                EnsureNamed(pending.Data.GetType());

        var ids = streams.SelectMany(s => s.Events).Select(e => e.Id).ToArray();
        if (!lookUpIds && CanBulkAppend(streams, ids)
            && await _bulk.TryWriteAsync(new ProcessedMessage(messageId, time.GetUtcNow(), ids.Length), streams, session.CorrelationId, session.CausationId, cancellationToken))
            return new WriteResult(false, ids.Length, 0) { InBulk = true };

        // Left out: ids the store holds, and a repeat of an id earlier in this message (a webhook batch can carry the
        // same record version twice); appending either would fail the whole session on the unique index, every attempt.
        // Streams decided on their version need no look-up (ADR 0009): a stored id there means another writer moved
        // the stream, which the version check or the unique index turns into a race, and the retry looks up.
        var taken = ids.Length == 0 || (!lookUpIds && streams.All(s => s.ExpectedVersion is not null))
            ? []
            : (await session.Events.QueryAllRawEvents().Where(e => ids.Contains(e.Id)).Select(e => e.Id).ToListAsync(cancellationToken)).ToHashSet();

        var appended = 0;
        foreach (var stream in streams)
        {
            var fresh = stream.Events.Where(e => taken.Add(e.Id)).Select(ToEvent).ToArray();
            if (fresh.Length == 0)
                continue;
            switch (stream.ExpectedVersion)
            {
                case null:
                    session.Events.Append(stream.StreamKey, fresh);
                    break;
                case 0:
                    session.Events.StartStream(stream.StreamKey, fresh);
                    break;
                case { } before:
                    // Marten checks the version the stream has after this append.
                    session.Events.Append(stream.StreamKey, before + fresh.Length, fresh);
                    break;
            }

            appended += fresh.Length;
        }

        session.Insert(new ProcessedMessage(messageId, time.GetUtcNow(), appended));
        await session.SaveChangesAsync(cancellationToken);
        return new WriteResult(false, appended, ids.Length - appended);
    }

    /// <summary>
    /// Whether <paramref name="streams"/> take the bulk path (ADR 0026): enough events to be worth it, every stream new or at a known version
    /// with its inline read model folded, and nothing the path would have to leave out (a stream or an id twice).
    /// </summary>
    [MemberNotNullWhen(true, nameof(_bulk))]
    private bool CanBulkAppend(IReadOnlyList<StreamEvents> streams, Guid[] ids) =>
        _bulk is not null && ids.Length >= _bulkFrom
        && streams.All(s => s.ExpectedVersion >= 0 && s.Events.Count > 0 && s.InlineState?.GetType() == _bulk.StateType)
        && streams.Select(s => s.StreamKey).Distinct(StringComparer.Ordinal).Count() == streams.Count
        && ids.Distinct().Count() == ids.Length;

    private object ToEvent(PendingEvent pending)
    {
        var @event = _events.BuildEvent(pending.Data);
        @event.Id = pending.Id;
        return @event;
    }

    /// <summary>
    /// Races that a new attempt resolves: two sessions appending to one stream (version check), creating one stream
    /// (its primary key), or storing one event id (the unique index) at the same time.
    /// </summary>
    public static bool IsConcurrencyRace(Exception ex) => ex switch
    {
        EventStreamUnexpectedMaxEventIdException or JasperFx.Events.ExistingStreamIdCollisionException
            or Marten.Exceptions.ExistingStreamIdCollisionException or ConcurrencyException or StreamsMovedException => true,
        MartenCommandException { InnerException: PostgresException inner } => IsRace(inner),
        PostgresException postgres => IsRace(postgres),
        _ => false,
    };

    // FeatureNotSupported is "cached plan must not change result type": a statement prepared on this connection
    // (ADR 0009) outlived a schema change; Npgsql drops it and the next attempt prepares it again.
    private static bool IsRace(PostgresException ex) =>
        ex.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.FeatureNotSupported
        || (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.TableName is "mt_streams" or "mt_events");

    private static bool IsEventIdTaken(Exception ex) =>
        (ex as PostgresException ?? ex.InnerException as PostgresException) is { SqlState: PostgresErrorCodes.UniqueViolation, TableName: "mt_events" };

    // Stored type names are the contract with every past event; a CLR-derived name would break on a rename.
    private void EnsureNamed(Type type)
    {
        if (_checkedTypes.GetOrAdd(type, t => EventTypeNames.IsExplicit(_events.EventMappingFor(t).EventTypeName)))
            return;
        throw new InvalidOperationException(
            $"{type.Name} has no explicit event type name. Map it with EventTypeNames.Map<{type.Name}>(options, \"name.v1\").");
    }

    [LoggerMessage(LogLevel.Debug, "Message {MessageId} was already processed; nothing appended")]
    private partial void LogDuplicateMessage(string messageId);

    [LoggerMessage(LogLevel.Debug, "Append attempt {Attempt} for message {MessageId} lost a race; retrying")]
    private partial void LogRace(Exception ex, int attempt, string messageId);
}
