namespace Hub.EventStore.Benchmarks;

/// <summary>A contact snapshot of roughly the size the Propstreet poller observes (~300 bytes of JSON).</summary>
public sealed record ContactObserved(
    string ContactId, string Name, string Email, string Phone, string Company, IReadOnlyList<string> Tags, DateTimeOffset UpdatedUtc, int Revision);
