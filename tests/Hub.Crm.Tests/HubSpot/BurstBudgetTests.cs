using Hub.Crm.HubSpot;

namespace Hub.Crm.Tests.HubSpot;

/// <summary>
/// Two hub hosts with one token stand for two pods: whatever HubSpot answers, together they never send more than
/// the budget in any window, and what a 429 refused is sent again until it lands.
/// </summary>
public sealed class BurstBudgetTests : HubSpotTest
{
    private const int Budget = 8;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

    // The budget is granted on the database's clock, the sandbox stamps arrival a local hop later; a request can
    // reach the sandbox that much later than its grant, never earlier.
    private static readonly TimeSpan HopTolerance = TimeSpan.FromMilliseconds(100);

    // HubSpot's own limit is below the hub's budget here, so HubSpot answers 429s the budget alone would not avoid.
    protected override IDictionary<string, string?> SandboxSettings => new Dictionary<string, string?>
    {
        ["Sandbox:HubSpot:BurstLimit"] = "5",
        ["Sandbox:HubSpot:BurstWindowSeconds"] = "2",
    };

    [Fact]
    public async Task A_429_storm_slows_two_hosts_sharing_a_token_but_loses_nothing_and_never_exceeds_their_budget()
    {
        var settings = new Dictionary<string, string?> { ["BurstLimit"] = Number(Budget), ["BurstWindowSeconds"] = "2" };
        var hosts = new[] { StartHub(settings), StartHub(settings) };

        var results = await Task.WhenAll(hosts.Select((client, h) => UpsertOneByOneAsync(client, $"host{h}", 15)));

        Assert.All(results.SelectMany(r => r), r => Assert.True(r.Succeeded, r.Error?.Message));
        Assert.Contains(Sandbox.Requests, r => r.Status == 429);
        Assert.Equal(30, (await AllAsync(hosts[0], "contacts")).Count);
        AssertNoWindowOverBudget();
    }

    private static async Task<List<HubSpotRecordResult>> UpsertOneByOneAsync(HubSpotClient client, string prefix, int calls)
    {
        var results = new List<HubSpotRecordResult>();
        for (var i = 0; i < calls; i++)
            results.AddRange((await client.UpsertAsync("contacts", "propstreet_id", [new($"{prefix}-{i}", Properties(("firstname", prefix)))])).Records);
        return results;
    }

    private void AssertNoWindowOverBudget()
    {
        var arrivals = Sandbox.Requests.Where(r => r.Path.StartsWith("/crm/v3/objects/contacts/batch", StringComparison.Ordinal)).Select(r => r.At).Order().ToList();
        Assert.True(arrivals.Count > 2 * Budget, $"too few requests ({arrivals.Count}) to exercise the budget");
        for (var i = 0; i + Budget < arrivals.Count; i++)
        {
            var span = arrivals[i + Budget] - arrivals[i];
            Assert.True(span >= Window - HopTolerance, $"{Budget + 1} requests within {span.TotalMilliseconds:0} ms (budget: {Budget} per {Window.TotalMilliseconds} ms)");
        }
    }
}
