using Hub.Projections.HubSpot;
using Hub.Sync.HubSpot;

namespace Hub.Projections.Tests.HubSpot;

public sealed class InitialSyncTests : HubSpotSyncTest
{
    [Fact]
    public async Task Initial_sync_leaves_HubSpot_with_exactly_the_mapped_Propstreet_and_Property_Finder_records()
    {
        await SyncEverythingAsync();

        var parity = await ParityAsync();
        Assert.True(parity.Mismatches.Count == 0, HubSpotParityCommand.Format(parity));
        Assert.DoesNotContain(await ReadModelAsync(), r => r.On(Connection)?.Parked is not null);
        var mapped = await MappedAsync();
        Assert.All(["propstreet contact", "propstreet company", "propstreet project", "propertyfinder lead", "propstreet prospect"],
            resource => Assert.True(parity.Resources.Single(r => r.Resource == resource).Matched > 0, resource));
        var stats = await Sandbox.HubSpotStatsAsync();
        Assert.Equal(mapped.Count(m => m.Target.ObjectType == HubSpotObjectTypes.Contacts && !m.Target.Archived), Live(stats, "contacts"));
        Assert.Equal(mapped.Count(m => m.Target.ObjectType == HubSpotObjectTypes.Companies && !m.Target.Archived), Live(stats, "companies"));
        Assert.Equal(mapped.Count(m => m.Target.ObjectType == HubSpotObjectTypes.Deals && m.Target.Link is null && !m.Target.Archived), Live(stats, "deals"));
        await AssertRecordStatesAreTheirStreamsFoldAsync();
    }

    [Fact]
    public async Task A_lead_gets_the_owner_of_the_listing_it_asks_about_and_one_without_a_listing_is_flagged_not_dropped()
    {
        await SyncEverythingAsync();

        var leads = (await ReadModelAsync()).Where(r => r.Target?.IdProperty == HubSpotMapping.LeadId && !r.Target.Archived).ToList();
        var assigned = leads.Where(l => l.On(Connection)!.OwnerId is not null).ToList();
        var flagged = leads.Where(l => l.On(Connection)!.Unassigned).ToList();
        Assert.NotEmpty(assigned);
        Assert.NotEmpty(flagged);
        Assert.Equal(leads.Count, assigned.Count + flagged.Count);
        // Parity checks each lead's owner against its listing's owner in HubSpot, and the unassigned flag.
        var parity = await ParityAsync();
        Assert.True(parity.Mismatches.Count == 0, HubSpotParityCommand.Format(parity));
    }

    [Fact]
    public async Task A_HubSpot_connection_configured_after_the_records_arrived_gets_every_one_of_them()
    {
        // A hub that syncs the sources without HubSpot builds no HubSpot read model...
        Hub.StartHost();
        StartIngest(AllSourcesIngestSettings());
        await WaitForStreamsAsync(Contacts);
        Assert.Empty(await ReadModelAsync());

        // ...and one that gets a connection later builds it from the log and pushes everything.
        await Hub.StopHostAsync(0);
        Hub.StartHost(settings: HubSpotSettings());
        await WaitUntilPushSettledAsync(atLeastRecords: Contacts);

        var parity = await ParityAsync();
        Assert.True(parity.Mismatches.Count == 0, HubSpotParityCommand.Format(parity));
        Assert.All(["propstreet contact", "propstreet company", "propstreet project", "propertyfinder lead", "propstreet prospect"],
            resource => Assert.True(parity.Resources.Single(r => r.Resource == resource).Matched > 0, resource));
    }
}
