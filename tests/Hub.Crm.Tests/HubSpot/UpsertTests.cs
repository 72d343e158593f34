using Hub.Crm.HubSpot;

namespace Hub.Crm.Tests.HubSpot;

public sealed class UpsertTests : HubSpotTest
{
    [Fact]
    public async Task An_upsert_creates_the_record_and_the_next_one_updates_it_without_a_duplicate()
    {
        var client = StartHub();

        var first = Assert.Single((await client.UpsertAsync("contacts", "propstreet_id", [new("ps-1", Properties(("firstname", "Ada"), ("email", "ada@example.com")))])).Records);
        var second = Assert.Single((await client.UpsertAsync("contacts", "propstreet_id", [new("ps-1", Properties(("firstname", "Ada L."), ("email", "ada@example.com")))])).Records);

        Assert.True(first.Succeeded, first.Error?.Message);
        Assert.True(first.Created);
        Assert.True(second.Succeeded, second.Error?.Message);
        Assert.False(second.Created);
        Assert.Equal(first.HubSpotId, second.HubSpotId);
        Assert.Equal("Ada L.", second.Properties!["firstname"]);
        var stored = Assert.Single(await AllAsync(client, "contacts", "propstreet_id", "firstname"));
        Assert.Equal(("ps-1", "Ada L."), (stored.Properties["propstreet_id"], stored.Properties["firstname"]));
    }

    [Fact]
    public async Task A_batch_of_250_goes_to_HubSpot_as_3_calls_with_one_result_per_record_in_input_order()
    {
        var client = StartHub();
        var inputs = Enumerable.Range(0, 250).Select(i => new HubSpotUpsert($"ps-{i}", Properties(("lastname", $"Number {i}")))).ToList();

        var result = await client.UpsertAsync("contacts", "propstreet_id", inputs);

        Assert.Equal(3, Sandbox.RequestsTo("POST", "/crm/v3/objects/contacts/batch/upsert").Count);
        Assert.Equal(inputs.Select(i => i.IdValue), result.Records.Select(r => r.Key));
        Assert.All(result.Records, r => Assert.True(r.Succeeded && r.Created, r.Error?.Message));
        Assert.Equal(250, result.Records.Select(r => r.HubSpotId).Distinct().Count());
        Assert.Equal(250, (await AllAsync(client, "contacts")).Count);
    }

    [Fact]
    public async Task A_call_of_10_batches_keeps_ConcurrentBatches_requests_in_flight_and_answers_in_input_order()
    {
        var client = StartHub(new Dictionary<string, string?> { ["ConcurrentBatches"] = "3" });
        var inputs = Enumerable.Range(0, 1_000).Select(i => new HubSpotUpsert($"ps-{i}", Properties(("lastname", $"Number {i}")))).ToList();
        // HubSpot's round trip: long enough that batches sent together are in flight together.
        await Sandbox.SetFaultsAsync(new { latency = "00:00:00.300" });

        var result = await client.UpsertAsync("contacts", "propstreet_id", inputs);

        await Sandbox.ClearFaultsAsync();
        var requests = Sandbox.RequestsTo("POST", "/crm/v3/objects/contacts/batch/upsert");
        Assert.Equal(10, requests.Count);
        Assert.Equal(3, MostInFlight(requests));
        Assert.Equal(inputs.Select(i => i.IdValue), result.Records.Select(r => r.Key));
        Assert.All(result.Records, r => Assert.True(r.Succeeded && r.Created, r.Error?.Message));
        Assert.Equal(1_000, result.Records.Select(r => r.HubSpotId).Distinct().Count());
    }

    /// <summary>The most requests the sandbox held at one moment, from their arrival and answer times.</summary>
    private static int MostInFlight(IReadOnlyList<SandboxRequest> requests) =>
        requests.Max(r => requests.Count(o => o.At <= r.At && o.Answered > r.At));

    [Fact]
    public async Task A_partly_refused_batch_fails_only_the_refused_record_and_names_the_record_holding_its_email()
    {
        var client = StartHub();
        var holder = Assert.Single((await client.UpsertAsync("contacts", "propstreet_id", [new("ps-holder", Properties(("email", "taken@example.com")))])).Records);

        var result = await client.UpsertAsync("contacts", "propstreet_id",
        [
            new("ps-a", Properties(("firstname", "A"))),
            new("ps-b", Properties(("email", "taken@example.com"))),
            new("ps-c", Properties(("firstname", "C"))),
        ]);

        Assert.Equal(["ps-a", "ps-c"], result.Succeeded.Select(r => r.Key));
        var refused = Assert.Single(result.Failed);
        Assert.Equal("ps-b", refused.Key);
        Assert.Equal(HubSpotErrorCategory.Conflict, refused.Error!.Category);
        Assert.Equal(holder.HubSpotId, refused.Error.ExistingId);
        Assert.False(refused.Error.Retryable);
        Assert.Equal(3, (await AllAsync(client, "contacts")).Count);
    }

    [Fact]
    public async Task Each_refused_record_of_a_batch_gets_its_own_reason()
    {
        var client = StartHub();
        var holders = (await client.UpsertAsync("contacts", "propstreet_id",
        [
            new("ps-holder-1", Properties(("email", "one@example.com"))),
            new("ps-holder-2", Properties(("email", "two@example.com"))),
            new("ps-existing", Properties(("email", "mine@example.com"))),
        ])).Records;

        var result = await client.UpsertAsync("contacts", "propstreet_id",
        [
            new("ps-new", Properties(("email", "one@example.com"))),       // would create a second one@
            new("ps-fine", Properties(("firstname", "Fine"))),
            new("ps-existing", Properties(("email", "two@example.com"))),  // would update onto two@
        ]);

        Assert.Equal(["ps-fine"], result.Succeeded.Select(r => r.Key));
        Assert.Equal(
            [("ps-new", holders[0].HubSpotId), ("ps-existing", holders[1].HubSpotId)],
            result.Failed.Select(r => (r.Key, r.Error!.ExistingId)));
    }

    [Fact]
    public async Task Listings_are_addressed_by_the_configured_custom_object_type()
    {
        var client = StartHub(new Dictionary<string, string?> { ["ListingsObjectType"] = "2-9001" });
        var seeded = await AllAsync(client, "listings", "reference", "hubspot_owner_id");
        var reference = seeded.First(l => l.Properties.GetValueOrDefault("reference") is not null).Properties["reference"]!;

        var result = Assert.Single((await client.UpsertAsync("listings", "reference", [new(reference, Properties(("name", "Renamed by the hub")))])).Records);

        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.False(result.Created);
        Assert.Equal(seeded.Count, (await AllAsync(client, "listings")).Count);
        Assert.All(Sandbox.Requests, r => Assert.DoesNotContain("/listings", r.Path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_record_named_twice_in_one_call_is_refused_before_anything_is_sent()
    {
        var client = StartHub();

        await Assert.ThrowsAsync<ArgumentException>(() => client.UpsertAsync("contacts", "propstreet_id", [new("ps-1", Properties()), new("ps-1", Properties())]));

        Assert.Empty(Sandbox.Requests);
    }
}
