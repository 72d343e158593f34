namespace Hub.EventStore.Writing;

/// <summary>
/// An event on its way into a stream, with the id it will keep: deterministic ids (<see cref="DeterministicEventId"/>)
/// make a repeated observation map onto the event it already produced.
/// </summary>
public sealed record PendingEvent(Guid Id, object Data);

/// <summary>The events one message adds to one stream (<c>propstreet-contact-123</c>), in order.</summary>
/// <param name="ExpectedVersion">
/// The stream's version the events were decided on (0: the stream must not exist yet); the append fails as a race,
/// and is retried, if another writer moved it. Null appends wherever the stream is.
/// </param>
public sealed record StreamEvents(string StreamKey, IReadOnlyList<PendingEvent> Events, long? ExpectedVersion = null)
{
    /// <summary>
    /// The read model of the store's inline projection after these events, where the decision folded it anyway: a page
    /// whose streams all carry it (and a known version) is written in bulk instead of appended and projected one by
    /// one (ADR 0026).
    /// </summary>
    public object? InlineState { get; init; }
}

/// <summary>What a write did: appended events, and those left out because the store already had their ids or the message repeated them.</summary>
public sealed record WriteResult(bool DuplicateMessage, int Appended, int AlreadyStored)
{
    /// <summary>The events went in by the bulk path with their streams and read models (ADR 0026), not by Marten's append.</summary>
    public bool InBulk { get; init; }

    public static WriteResult Duplicate { get; } = new(true, 0, 0);
}
