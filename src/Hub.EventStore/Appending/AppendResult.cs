namespace Hub.EventStore.Appending;

/// <summary>Outcome of appending to one stream.</summary>
/// <param name="Version">The stream's version after the append (unchanged when every event was skipped).</param>
/// <param name="SkippedEventIds">Events that already existed and were not written again.</param>
public sealed record AppendResult(string StreamId, long Version, IReadOnlyList<Guid> SkippedEventIds);
