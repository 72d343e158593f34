namespace Hub.Ingest.Checkpoints;

/// <summary>
/// Where one connection's walk over one scope (a resource, or <c>prospect:1003</c> for a project's prospects)
/// stands. <see cref="Cursor"/> set = a walk in progress from <see cref="WalkSince"/>, resumed at that cursor;
/// <see cref="Watermark"/> = newest source instant of the last completed walk.
/// </summary>
public sealed record Checkpoint(
    DateTimeOffset? WalkSince,
    string? Cursor,
    DateTimeOffset? WalkMax,
    DateTimeOffset? Watermark,
    bool InitialDone,
    DateTimeOffset? ReconciledUtc)
{
    public static readonly Checkpoint None = new(null, null, null, null, false, null);

    /// <summary>
    /// Where the next walk starts: resume an interrupted one at its cursor, else a delta from the watermark minus
    /// the look-back (inclusive, so same-instant records at the boundary come again and are de-duplicated
    /// downstream), else the initial sync from the beginning.
    /// </summary>
    public (DateTimeOffset? Since, string? Cursor, DateTimeOffset? WalkMax) NextWalk(TimeSpan lookBack) =>
        Cursor is not null ? (WalkSince, Cursor, WalkMax) : (Watermark - lookBack, null, Watermark);
}
