using JasperFx.Events;
using Hub.EventStore.Writing;
using Marten.Events.Aggregation;

namespace Hub.EventStore.Tests.Writing;

/// <summary>The first shape of an observation, stored as <c>contact.observed.v1</c>.</summary>
public sealed record ContactObservedV1(string ContactId, string FullName);

/// <summary>The second shape, <c>contact.observed.v2</c>; stored v1 events are upcast to it on read.</summary>
public sealed record ContactObservedV2(string ContactId, string FirstName, string LastName);

/// <summary>The same v1 event under a renamed class: what a refactoring does to a stored event's CLR type.</summary>
public sealed record ContactSeenV1(string ContactId, string FullName);

/// <summary>How a store that knows v2 reads the stored v1 observations.</summary>
public static class ContactObservedUpcasting
{
    public static void MapV2WithUpcasterFromV1(this Marten.StoreOptions options)
    {
        options.Map<ContactObservedV2>("contact.observed.v2");
        options.Events.Upcast<ContactObservedV1, ContactObservedV2>("contact.observed.v1", v1 =>
        {
            var names = v1.FullName.Split(' ', 2);
            return new ContactObservedV2(v1.ContactId, names[0], names.Length > 1 ? names[1] : "");
        });
    }
}

public sealed record ContactCard(string Id, string FirstName, string LastName, int Observations);

/// <summary>A projection written against v2 only; it must also see the stored v1 events, upcast.</summary>
public sealed partial class ContactCardProjection : SingleStreamProjection<ContactCard, string>
{
    public override ContactCard? Evolve(ContactCard? snapshot, string id, IEvent e) => e?.Data switch
    {
        ContactObservedV2 v2 => new ContactCard(id, v2.FirstName, v2.LastName, (snapshot?.Observations ?? 0) + 1),
        _ => snapshot,
    };
}
