using System.Globalization;
using Hub.EventStore.Writing;

namespace Hub.EventStore.Benchmarks;

/// <summary>One observation of Propstreet contact n, with the deterministic event id the ingest path gives it.</summary>
internal sealed record Contact(string StreamKey, Guid Id, ContactObserved Data)
{
    public static Contact Observed(int n, int revision)
    {
        var id = n.ToString(CultureInfo.InvariantCulture);
        return new Contact(
            $"propstreet-contact-{id}",
            DeterministicEventId.From("propstreet", "contact", id, revision.ToString(CultureInfo.InvariantCulture)),
            new ContactObserved(
                id, $"Contact {id}", $"contact{id}@example.com", "+46 70 123 45 67", "Acme Fastigheter AB",
                ["buyer", "investor"], DateTimeOffset.UnixEpoch.AddSeconds(n).AddDays(revision), revision));
    }
}
