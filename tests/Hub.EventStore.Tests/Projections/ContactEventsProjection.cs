using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Hub.EventStore.Tests.Projections;

/// <summary>The ids of every event of one stream in the order applied, whatever their type.</summary>
public sealed class ContactEvents
{
    public string Id { get; set; } = "";

    public List<Guid> EventIds { get; set; } = [];

    public long LastVersion { get; set; }
}

/// <summary>An Evolve override over <see cref="IEvent"/> that names no event types, as the HubSpot read model's projection.</summary>
public sealed class ContactEventsProjection : SingleStreamProjection<ContactEvents, string>
{
    public const string ProjectionName = "ContactEvents";

    public ContactEventsProjection() => Name = ProjectionName;

    public override ContactEvents? Evolve(ContactEvents? snapshot, string id, IEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var events = snapshot ?? new ContactEvents { Id = id };
        events.EventIds.Add(e.Id);
        events.LastVersion = e.Version;
        return events;
    }
}
