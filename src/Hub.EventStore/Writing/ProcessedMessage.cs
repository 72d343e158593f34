namespace Hub.EventStore.Writing;

/// <summary>
/// Stored in the same session as the events a message produced, so the two commit together: a redelivered
/// message finds its record and appends nothing.
/// </summary>
public sealed record ProcessedMessage(string Id, DateTimeOffset ProcessedUtc, int Appended);
