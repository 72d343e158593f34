using Hub.Projections.HubSpot;
using System.Net.Http.Json;
using Hub.Crm.HubSpot;
using Hub.Sync.HubSpot;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Projections.Tests.HubSpot;

public sealed class PropstreetChangesTests : HubSpotSyncTest
{
    [Fact]
    public async Task An_update_and_a_delete_in_Propstreet_reach_HubSpot()
    {
        await SyncEverythingAsync();
        var contacts = (await ReadModelAsync()).Where(r => r.Id.StartsWith("propstreet-contact-", StringComparison.Ordinal) && r.Target is { Archived: false })
            .OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
        var (updated, deleted) = (contacts[0], contacts[1]);
        var archivedBefore = (await Sandbox.HubSpotStatsAsync()).GetProperty("objects").GetProperty("contacts").GetProperty("archived").GetInt32();

        using (var patch = await Sandbox.Control.PatchAsJsonAsync(new Uri($"/_sandbox/propstreet/contacts/{updated.Source.RecordId}", UriKind.Relative), new { firstName = "Changed" }))
            patch.EnsureSuccessStatusCode();
        using (var delete = await Sandbox.Control.DeleteAsync(new Uri($"/_sandbox/propstreet/contacts/{deleted.Source.RecordId}", UriKind.Relative)))
            delete.EnsureSuccessStatusCode();
        await ProjectionsHost.WaitUntilAsync(async () =>
        {
            var model = (await ReadModelAsync()).ToDictionary(r => r.Id);
            return model[updated.Id].Source.Version > updated.Source.Version && model[deleted.Id].Target!.Archived
                && !model[updated.Id].PendingOn(Connection) && !model[deleted.Id].PendingOn(Connection);
        });

        var hubSpot = Hub.Services.GetRequiredService<HubSpotClients>()[Connection];
        var held = await hubSpot.ReadAsync(HubSpotObjectTypes.Contacts, null, [updated.On(Connection)!.HubSpotId!], ["firstname"]);
        Assert.Equal("Changed", Assert.Single(held).Properties["firstname"]);
        var archived = await hubSpot.ReadAsync(HubSpotObjectTypes.Contacts, null, [deleted.On(Connection)!.HubSpotId!], ["firstname"]);
        Assert.Empty(archived);
        Assert.Equal(archivedBefore + 1, (await Sandbox.HubSpotStatsAsync()).GetProperty("objects").GetProperty("contacts").GetProperty("archived").GetInt32());
        var parity = await ParityAsync();
        Assert.True(parity.Mismatches.Count == 0, HubSpotParityCommand.Format(parity));
        await AssertRecordStatesAreTheirStreamsFoldAsync();
        // The push ledger shares the contacts' streams; subscribers still see each record's changes as 1, 2, 3…
        await ReceiveEverythingStoredAsync();
        await AssertSubscriberReceivedEveryChangeInOrderAsync();
    }

    [Fact]
    public async Task A_prospect_reclassified_in_Propstreet_moves_its_association_to_the_label_of_its_new_stage()
    {
        await SyncEverythingAsync();
        var prospect = (await ReadModelAsync()).Where(r => r.Target?.Link is { ToObjectType: HubSpotObjectTypes.Contacts } link && link.Label != "bidder")
            .OrderBy(r => r.Id, StringComparer.Ordinal).First();
        var (projectId, prospectId) = (prospect.Source.Fields.GetProperty("projectId").GetString(), prospect.Source.Fields.GetProperty("id").GetString());

        using (var patch = await Sandbox.Control.PatchAsJsonAsync(new Uri($"/_sandbox/propstreet/projects/{projectId}/prospects/{prospectId}", UriKind.Relative), new { classification = "bidder" }))
            patch.EnsureSuccessStatusCode();
        await ProjectionsHost.WaitUntilAsync(async () => (await ReadModelAsync()).Single(r => r.Id == prospect.Id) is { } now
            && now.Target!.Link!.Label == "bidder" && !now.PendingOn(Connection));

        var hubSpot = Hub.Services.GetRequiredService<HubSpotClients>()[Connection];
        var pair = prospect.On(Connection)!.HubSpotId!.Split('-');
        var types = (await hubSpot.ListAssociationsAsync(HubSpotObjectTypes.Deals, HubSpotObjectTypes.Contacts, [pair[0]]))
            .Where(a => a.ToId == pair[1]).ToList();
        Assert.Equal(["Bidder"], types.Where(t => t.Category == HubSpotAssociation.UserDefined).Select(t => t.Label));
        Assert.Contains(types, t => t.TypeId == 3);
        var parity = await ParityAsync();
        Assert.True(parity.Mismatches.Count == 0, HubSpotParityCommand.Format(parity));
    }
}
