namespace Hub.EventStore.Appending;

/// <summary>The stream moved on since the caller read it; nothing of the append was written.</summary>
public sealed class WrongExpectedVersionException : Exception
{
    public WrongExpectedVersionException(string streamId, string expected, long actualVersion)
        : base($"Stream '{streamId}' is at version {actualVersion}, expected {expected}.")
    {
        StreamId = streamId;
        Expected = expected;
        ActualVersion = actualVersion;
    }

    public WrongExpectedVersionException() : this("", "", 0) { }

    public WrongExpectedVersionException(string message) : base(message) { StreamId = ""; Expected = ""; }

    public WrongExpectedVersionException(string message, Exception innerException) : base(message, innerException) { StreamId = ""; Expected = ""; }

    public string StreamId { get; }

    public string Expected { get; }

    /// <summary>The stream's version when the append was refused (0 when it has no events).</summary>
    public long ActualVersion { get; }
}
