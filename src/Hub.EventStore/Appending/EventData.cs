using Hub.EventStore.Types;

using Hub.EventStore.Writing;

namespace Hub.EventStore.Appending;

/// <summary>An event to append.</summary>
/// <param name="EventId">Deterministic id chosen by the caller (see <see cref="DeterministicEventId"/>); appending it again is a no-op.</param>
/// <param name="Data">The event; its type must be registered in the <see cref="EventTypeMap"/>.</param>
/// <param name="Metadata">Correlation, causation and source.</param>
public sealed record EventData(Guid EventId, object Data, EventMetadata Metadata);
