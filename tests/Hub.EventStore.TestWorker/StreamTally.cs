namespace Hub.EventStore.TestWorker;

/// <summary>
/// What the async projection saw of one stream: every event id in the order it was applied, so a lost, doubled or
/// reordered event shows as a difference from the log; and the process that applied the latest one.
/// </summary>
public sealed record StreamTally(string Id, IReadOnlyList<Guid> EventIds, long LastVersion, int ProjectedBy);
