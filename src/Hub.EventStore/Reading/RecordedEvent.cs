using Hub.EventStore.Types;

namespace Hub.EventStore.Reading;

/// <summary>An event as stored, with its data already upcast to the current registered version.</summary>
/// <param name="TypeName">Versioned type name of <paramref name="Data"/> (after upcasting).</param>
/// <param name="Data">The event; a <see cref="System.Text.Json.JsonElement"/> if its type is not registered.</param>
public sealed record RecordedEvent(
    LogPosition LogPosition,
    string StreamId,
    long StreamVersion,
    Guid EventId,
    string TypeName,
    object Data,
    EventMetadata Metadata,
    DateTimeOffset RecordedAt)
{
    public long Position => LogPosition.Position;
}
