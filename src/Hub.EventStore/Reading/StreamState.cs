namespace Hub.EventStore.Reading;

/// <summary>A stream's head, read from the streams table without touching its events.</summary>
public sealed record StreamState(string StreamId, string StreamType, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
