namespace Hub.EventStore.Appending;

/// <summary>
/// An event id of the append is already stored in another stream. Ids are the identity of one observation of one
/// record (ADR 0003), so this is a bug in how the caller derives them, not a repeat; nothing of the append was written.
/// </summary>
public sealed class EventIdConflictException : Exception
{
    public EventIdConflictException(Guid eventId, string storedStreamId, string requestedStreamId)
        : base($"Event {eventId} is already stored in stream '{storedStreamId}'; it cannot be appended to '{requestedStreamId}'.")
    {
        EventId = eventId;
        StoredStreamId = storedStreamId;
        RequestedStreamId = requestedStreamId;
    }

    public EventIdConflictException() : this(Guid.Empty, "", "") { }

    public EventIdConflictException(string message) : base(message) { StoredStreamId = ""; RequestedStreamId = ""; }

    public EventIdConflictException(string message, Exception innerException) : base(message, innerException) { StoredStreamId = ""; RequestedStreamId = ""; }

    public Guid EventId { get; }

    /// <summary>The stream that holds the event.</summary>
    public string StoredStreamId { get; }

    /// <summary>The stream the append asked to put it in.</summary>
    public string RequestedStreamId { get; }
}
