using System.Text.Json;
using Hub.Contracts.Observations;
using Hub.Crm.HubSpot;
using Hub.Sync.HubSpot;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Projections.Tests.HubSpot;

/// <summary>
/// An association waits for both its ends' HubSpot ids, and goes once the last end is pushed, in whatever page that
/// end arrives: the push finds the associations of each record it pushes and makes them in the same round.
/// </summary>
public sealed class AssociationOrderTests : HubSpotSyncTest
{
    private const string Project = "propstreet-project-9001";
    private const string Prospect = "propstreet-prospect-9101";
    private const string Contact = "propstreet-contact-9201";

    [Fact]
    public async Task A_prospect_observed_before_its_contact_is_associated_once_the_contact_is_pushed()
    {
        Hub.StartHost(settings: HubSpotSettings());
        // The project and its prospect first: the deal is pushed, the association waits for its contact.
        await Hub.SendAsync(Observed("test:project", "project", "9001", new { id = "9001", name = "Kvarteret Ugglan", status = "open" }));
        await Hub.SendAsync(Observed("test:prospect", "prospect", "9101", new { id = "9101", projectId = "9001", contactId = "9201", classification = "interested" }));
        await ProjectionsHost.WaitUntilAsync(async () => (await ReadModelAsync()).SingleOrDefault(r => r.Id == Project)?.On(Connection)?.HubSpotId is { Length: > 0 });
        await Task.Delay(TimeSpan.FromSeconds(2)); // the prospect's page is behind the project's; let the push see it too
        var waiting = (await ReadModelAsync()).Single(r => r.Id == Prospect);
        Assert.True(waiting.PendingOn(Connection));
        Assert.Null(waiting.On(Connection)?.HubSpotId);

        // Pages later, the contact.
        await Hub.SendAsync(Observations.Page("test:contact", [Observations.Contact(9201, 1)]));
        await ProjectionsHost.WaitUntilAsync(async () => (await ReadModelAsync()).Single(r => r.Id == Prospect).On(Connection)?.HubSpotId is { Length: > 0 });

        var readModel = (await ReadModelAsync()).ToDictionary(r => r.Id, StringComparer.Ordinal);
        var (deal, contact) = (readModel[Project].On(Connection)!.HubSpotId!, readModel[Contact].On(Connection)!.HubSpotId!);
        Assert.Equal($"{deal}-{contact}", readModel[Prospect].On(Connection)?.HubSpotId);
        Assert.False(readModel[Prospect].PendingOn(Connection));
        var hubSpot = Hub.Services.GetRequiredService<HubSpotClients>()[Connection];
        Assert.Contains(await hubSpot.ListAssociationsAsync(HubSpotObjectTypes.Deals, HubSpotObjectTypes.Contacts, [deal]), a => a.ToId == contact);
    }

    private static RecordsObserved Observed(string observationId, string resource, string id, object fields) => new(
        observationId, "propstreet", "main", resource, "poll", Observations.Start,
        [new ObservedRecord(id, Observations.Start.AddSeconds(1), null, "W/\"00000001\"", JsonSerializer.SerializeToElement(fields))]);
}
