namespace Hub.EventStore.Appending;

/// <summary>Events for one stream inside a batch append.</summary>
/// <param name="StreamType">Kind of record, e.g. <c>propstreet-contact</c>; kept on the stream row.</param>
public sealed record StreamAppend(string StreamId, string StreamType, ExpectedVersion ExpectedVersion, IReadOnlyList<EventData> Events);
