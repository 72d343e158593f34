using Hub.Crm.HubSpot;

namespace Hub.Crm.Tests.HubSpot;

/// <summary>
/// Tests that look at when requests arrived run alone, after the others: the budget is granted one hop before a
/// request arrives, and a hop stretched by a CPU-starved test run would blur what they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ArrivalTimes
{
    public const string Name = "Arrival times";
}

/// <summary>
/// Two hub hosts with one token stand for two pods: whatever HubSpot answers, together they never send more than
/// the budget in any window, and what a 429 refused is sent again until it lands.
/// </summary>
[Collection(ArrivalTimes.Name)]
public abstract class BurstBudgetTest : HubSpotTest
{
    protected const int Budget = 8;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

    // A request reaches the sandbox after its grant and before its release, and its slot counts a window from the
    // release, so no window of arrivals holds more than the limit; the database stamps in whole microseconds.
    private static readonly TimeSpan StampTolerance = TimeSpan.FromMilliseconds(1);

    /// <summary>Two hosts with one token each upsert 15 contacts one call at a time, at once.</summary>
    protected async Task<(HubSpotClient Client, List<HubSpotRecordResult> Results)> UpsertFromTwoHostsAsync()
    {
        var settings = new Dictionary<string, string?> { ["BurstLimit"] = Number(Budget), ["BurstWindowSeconds"] = "2" };
        var hosts = new[] { StartHub(settings), StartHub(settings) };
        var results = await Task.WhenAll(hosts.Select(async (client, h) =>
        {
            var written = new List<HubSpotRecordResult>();
            for (var i = 0; i < 15; i++)
                written.AddRange((await client.UpsertAsync("contacts", "propstreet_id", [new($"host{h}-{i}", Properties(("firstname", $"host{h}")))])).Records);
            return written;
        }));
        return (hosts[0], [.. results.SelectMany(r => r)]);
    }

    protected void AssertNoWindowOverBudget()
    {
        var arrivals = Sandbox.Requests.Where(r => r.Path.StartsWith("/crm/v3/objects/contacts/batch", StringComparison.Ordinal)).Select(r => r.At).Order().ToList();
        Assert.True(arrivals.Count > 2 * Budget, $"too few requests ({arrivals.Count}) to exercise the budget");
        for (var i = 0; i + Budget < arrivals.Count; i++)
        {
            var span = arrivals[i + Budget] - arrivals[i];
            Assert.True(span >= Window - StampTolerance, $"{Budget + 1} requests within {span.TotalMilliseconds:0} ms (budget: {Budget} per {Window.TotalMilliseconds} ms)");
        }
    }
}

[Collection(ArrivalTimes.Name)]
public sealed class BurstBudgetTests : BurstBudgetTest
{
    // HubSpot's own limit is far above the budget, so the budget alone decides the pace; its window is the budget's,
    // so the 429s (whose X-HubSpot-RateLimit-Interval-Milliseconds the client waits out) pause for 2 s.
    protected override IDictionary<string, string?> SandboxSettings => new Dictionary<string, string?>
    {
        ["Sandbox:HubSpot:BurstLimit"] = "100",
        ["Sandbox:HubSpot:BurstWindowSeconds"] = "2",
    };

    [Fact]
    public async Task A_429_storm_slows_two_hosts_sharing_a_token_but_loses_nothing_and_never_exceeds_their_shared_budget()
    {
        await Sandbox.SetFaultsAsync(new { tooManyRequestsShare = 0.3 });

        var (client, results) = await UpsertFromTwoHostsAsync();

        await Sandbox.ClearFaultsAsync();
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.Message));
        Assert.Contains(Sandbox.Requests, r => r.Status == 429);
        Assert.Equal(30, (await AllAsync(client, "contacts")).Count);
        AssertNoWindowOverBudget();
    }
}

[Collection(ArrivalTimes.Name)]
public sealed class HubSpotBurstLimitTests : BurstBudgetTest
{
    // HubSpot's own limit is below the hub's budget here (another integration on the token, a smaller plan), so
    // HubSpot answers 429s the budget alone would not avoid.
    protected override IDictionary<string, string?> SandboxSettings => new Dictionary<string, string?>
    {
        ["Sandbox:HubSpot:BurstLimit"] = "5",
        ["Sandbox:HubSpot:BurstWindowSeconds"] = "2",
    };

    [Fact]
    public async Task HubSpots_own_429s_slow_two_hosts_but_lose_nothing()
    {
        var (client, results) = await UpsertFromTwoHostsAsync();

        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.Message));
        Assert.Contains(Sandbox.Requests, r => r.Status == 429);
        Assert.Equal(30, (await AllAsync(client, "contacts")).Count);
        AssertNoWindowOverBudget();
    }
}

[Collection(ArrivalTimes.Name)]
public sealed class SearchBudgetTests : HubSpotTest
{
    [Fact]
    public async Task Searches_from_two_hosts_sharing_a_token_stay_within_the_search_limit_and_all_answer()
    {
        var settings = new Dictionary<string, string?> { ["SearchLimitPerSecond"] = "4" };
        var hosts = new[] { StartHub(settings), StartHub(settings) };
        await hosts[0].UpsertAsync("contacts", "propstreet_id", [new("ps-1", Properties())]);
        var search = new HubSpotSearch([new HubSpotFilterGroup([new HubSpotFilter("propstreet_id", "HAS_PROPERTY")])], ["propstreet_id"]);

        var pages = await Task.WhenAll(hosts.Select(async client =>
        {
            var answered = new List<HubSpotSearchPage>();
            for (var i = 0; i < 10; i++)
                answered.Add(await client.SearchAsync("contacts", search));
            return answered;
        }));

        Assert.Equal(20, pages.Sum(p => p.Count));
        var arrivals = Sandbox.RequestsTo("POST", "/crm/v3/objects/contacts/search").Select(r => r.At).Order().ToList();
        for (var i = 0; i + 4 < arrivals.Count; i++)
            Assert.True(arrivals[i + 4] - arrivals[i] >= TimeSpan.FromMilliseconds(900), $"5 searches within {(arrivals[i + 4] - arrivals[i]).TotalMilliseconds:0} ms (limit: 4 per s)");
    }
}
