namespace Hub.EventStore.Reading;

/// <summary>
/// A place in the global log. The log is ordered by writing transaction, then position (ADR 0002), so a checkpoint
/// needs both: the position alone can be overtaken by a transaction that commits later with a lower one.
/// </summary>
public readonly record struct LogPosition(ulong TransactionId, long Position) : IComparable<LogPosition>
{
    public static LogPosition Start { get; } = new(0, 0);

    public int CompareTo(LogPosition other) =>
        TransactionId != other.TransactionId ? TransactionId.CompareTo(other.TransactionId) : Position.CompareTo(other.Position);

    public static bool operator <(LogPosition left, LogPosition right) => left.CompareTo(right) < 0;

    public static bool operator >(LogPosition left, LogPosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(LogPosition left, LogPosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(LogPosition left, LogPosition right) => left.CompareTo(right) >= 0;
}
