using System.Net.Http.Json;
using Hub.Sync.HubSpot;

namespace Hub.Projections.Tests.HubSpot;

public sealed class ParkingTests : HubSpotSyncTest
{
    [Fact]
    public async Task A_contact_whose_email_HubSpot_already_holds_is_parked_with_the_reason_while_the_rest_of_its_batch_goes_on()
    {
        foreach (var name in new[] { "First", "Second" })
        {
            using var created = await Sandbox.Control.PostAsJsonAsync(new Uri("/_sandbox/propstreet/contacts", UriKind.Relative),
                new { firstName = name, lastName = "Twin", email = "twin@example.se" });
            created.EnsureSuccessStatusCode();
        }

        await SyncEverythingAsync(extraRecords: 2);

        var twins = (await ReadModelAsync()).Where(r => r.Target?.Properties.GetValueOrDefault("email") == "twin@example.se").ToList();
        Assert.Equal(2, twins.Count);
        var parked = Assert.Single(twins, t => t.On(Connection)?.Parked is not null);
        Assert.Contains("Existing ID", parked.On(Connection)!.Parked!.Reason, StringComparison.Ordinal);
        Assert.Single(twins, t => t.InSyncOn(Connection));
        // Every other record of the batch went through, and parity shows exactly the parked one, with its reason.
        var parity = await ParityAsync();
        var mismatch = Assert.Single(parity.Mismatches);
        Assert.Equal((parked.Id, HubSpotParity.Missing), (mismatch.Record, mismatch.Field));
        Assert.Equal(parked.On(Connection)!.Parked!.Reason, mismatch.ParkedBecause);
    }
}
