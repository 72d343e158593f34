using Hub.Contracts.Observations;

namespace Hub.Ingest.Polling;

/// <summary>
/// One page of a list walk, parsed: the records, the newest source instant on it (what the checkpoint's watermark
/// advances to) and where the walk goes next (<paramref name="NextCursor"/> null when it is done).
/// </summary>
public sealed record SourcePage(IReadOnlyList<ObservedRecord> Records, DateTimeOffset? Newest, string? NextCursor)
{
    public bool HasMore => NextCursor is not null;
}
