using Hub.EventStore.Reading;
using Npgsql;

namespace Hub.EventStore.Subscriptions;

/// <summary>
/// Applies a batch of the global log to a read model. Write through <paramref name="transaction"/>: the checkpoint
/// commits in it too, so the batch is applied exactly once or not at all. Never commit or roll it back yourself:
/// the checkpoint save then fails and the batch is handed out again.
/// </summary>
public interface ISubscriptionHandler
{
    Task HandleAsync(IReadOnlyList<RecordedEvent> events, NpgsqlTransaction transaction, CancellationToken cancellationToken);
}
