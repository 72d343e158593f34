namespace Hub.EventStore.TestWorker;

/// <summary>The event the event store tests append; stored as <c>contact.observed.v1</c>.</summary>
public sealed record ContactObserved(string ContactId, int Revision);
