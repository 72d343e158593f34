using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Hub.EventStore.TestWorker;

/// <summary>
/// A subscription that writes one row per delivered event into <c>delivered_events</c>, in the transaction that also
/// moves its progress. No unique key on purpose: an event delivered twice shows up as a second row, and the
/// <c>delivery</c> column keeps the order of delivery.
/// </summary>
public sealed class DeliveryLog : SubscriptionBase
{
    public const string TableName = "delivered_events";

    public DeliveryLog() => Name = nameof(DeliveryLog);

    public static Table Table()
    {
        var table = new Table(new PostgresqlObjectName(EventStoreSetup.SchemaName, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn("delivery", "bigserial").AsPrimaryKey();
        table.AddColumn<Guid>("event_id").NotNull();
        table.AddColumn<long>("seq_id").NotNull();
        table.AddColumn<string>("stream_key").NotNull();
        table.AddColumn<long>("version").NotNull();
        table.AddColumn<int>("process_id").NotNull();
        return table;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(operations);
        var events = page.Events;
        // The page is read but nothing of it is written yet: where a crash test wants the process to die.
        await MidBatchStall.WaitIfReachedAsync(StallPoint.Subscription, events.Count, cancellationToken);

        operations.QueueSqlCommand(
            $"INSERT INTO {EventStoreSetup.SchemaName}.{TableName} (event_id, seq_id, stream_key, version, process_id) " +
            "SELECT e.id, e.seq, e.stream, e.version, ? FROM unnest(?, ?, ?, ?) AS e(id, seq, stream, version) ORDER BY e.seq",
            Environment.ProcessId,
            events.Select(e => e.Id).ToArray(),
            events.Select(e => e.Sequence).ToArray(),
            events.Select(e => e.StreamKey!).ToArray(),
            events.Select(e => e.Version).ToArray());
        return NullChangeListener.Instance;
    }
}
