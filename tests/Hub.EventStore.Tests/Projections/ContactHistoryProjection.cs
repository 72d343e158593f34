using Hub.EventStore.Tests.Writing;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Hub.EventStore.Tests.Projections;

/// <summary>Every observation of one contact stream in the order applied: a lost, doubled or reordered event shows.</summary>
public sealed class ContactHistory
{
    public string Id { get; set; } = "";

    public List<Guid> EventIds { get; set; } = [];

    public List<string> Names { get; set; } = [];

    public long LastVersion { get; set; }
}

/// <summary>A partial projection with conventional methods (Marten's generated dispatch), written against v2 only.</summary>
public sealed partial class ContactHistoryProjection : SingleStreamProjection<ContactHistory, string>
{
    public const string ProjectionName = "ContactHistory";

    public ContactHistoryProjection() => Name = ProjectionName;

    public static ContactHistory Create(IEvent<ContactObservedV2> observed)
    {
        var history = new ContactHistory();
        Apply(observed, history);
        return history;
    }

    public static void Apply(IEvent<ContactObservedV2> observed, ContactHistory history)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(history);
        history.EventIds.Add(observed.Id);
        history.Names.Add($"{observed.Data.FirstName} {observed.Data.LastName}");
        history.LastVersion = observed.Version;
    }
}
