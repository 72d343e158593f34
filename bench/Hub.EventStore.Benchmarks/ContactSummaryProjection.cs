using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Hub.EventStore.Benchmarks;

/// <summary>The per-contact read model a CRM sync keeps: the latest observed fields, how often seen, last version.</summary>
public sealed class ContactSummary
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public string Email { get; set; } = "";

    public string Company { get; set; } = "";

    public int Observations { get; set; }

    public long LastVersion { get; set; }

    public DateTimeOffset UpdatedUtc { get; set; }
}

/// <summary>One <see cref="ContactSummary"/> per contact stream, folded from its observations.</summary>
public sealed partial class ContactSummaryProjection : SingleStreamProjection<ContactSummary, string>
{
    public const string ProjectionName = "ContactSummary";

    public ContactSummaryProjection() => Name = ProjectionName;

    public static ContactSummary Create(IEvent<ContactObserved> observed)
    {
        ArgumentNullException.ThrowIfNull(observed);
        var summary = new ContactSummary { Id = observed.StreamKey! };
        Apply(observed, summary);
        return summary;
    }

    public static void Apply(IEvent<ContactObserved> observed, ContactSummary summary)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(summary);
        summary.Name = observed.Data.Name;
        summary.Email = observed.Data.Email;
        summary.Company = observed.Data.Company;
        summary.Observations++;
        summary.LastVersion = observed.Version;
        summary.UpdatedUtc = observed.Data.UpdatedUtc;
    }
}
