namespace Hub.EventStore.Appending;

/// <summary>
/// Transient: the caller's transaction got its transaction id before another transaction appended to
/// <see cref="StreamId"/>, so appending in it would put the stream's events out of version order in the global log
/// (ADR 0002). The transaction is aborted and nothing of the append was written; retry the unit of work in a new
/// transaction. Only appends inside a caller's transaction can get this; the appender's own transactions cannot.
/// </summary>
public sealed class StreamOrderConflictException : Exception
{
    public StreamOrderConflictException(string streamId, string message, Exception? innerException)
        : base(message, innerException)
    {
        StreamId = streamId;
    }

    public StreamOrderConflictException() : this("", "Stream order conflict.", null) { }

    public StreamOrderConflictException(string message) : this("", message, null) { }

    public StreamOrderConflictException(string message, Exception innerException) : this("", message, innerException) { }

    public string StreamId { get; }
}
