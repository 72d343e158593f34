using Hub.Ingest.Tests.Hosting;

namespace Hub.Ingest.Tests.Budget;

public sealed class RequestBudgetTests : IngestTest
{
    private const int Limit = 10;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

    // A request reaches the sandbox after its grant and before its release, and its slot counts a window from the
    // release, so no window of arrivals holds more than the limit; the database stamps in whole microseconds.
    private static readonly TimeSpan StampTolerance = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task A_429_storm_never_pushes_the_request_rate_over_the_budget_and_the_sync_still_completes()
    {
        var all = await SandboxContactIdsAsync();
        Sandbox.Requests.Clear();
        await Sandbox.SetFaultsAsync(new { tooManyRequestsShare = 0.3, retryAfter = "00:00:01" });

        StartIngest(Budgeted(IngestHost.Propstreet(Sandbox.BaseUrl, pageSize: 10, schedule: "01:00:00")));
        await Observations.WaitUntilAsync(q => q.Records.Select(r => r.Id).ToHashSet().IsSupersetOf(all), seconds: 120);

        Assert.Equal(all.Order(), Observations.Records.Select(r => r.Id).Distinct().Order());
        AssertNoWindowOverBudget();

        // Runs the budget stopped resumed at their cursor: the walk started from the beginning once.
        Assert.Single(Sandbox.RequestsTo("/api/v1/network/contacts").Distinct(), r => !r.Contains("cursor=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_hosts_polling_with_one_token_share_one_budget()
    {
        var contacts = await SandboxContactIdsAsync();
        Sandbox.Requests.Clear();

        // Different resources, so both poll at once (leadership is per resource); one token, so one budget.
        StartIngest(Budgeted(IngestHost.Propstreet(Sandbox.BaseUrl, pageSize: 10, schedule: "01:00:00", "contacts")));
        StartIngest(Budgeted(IngestHost.Propstreet(Sandbox.BaseUrl, pageSize: 2, schedule: "01:00:00", "companies")));
        await Observations.WaitUntilAsync(q => q.Records.Select(r => r.Id).ToHashSet().IsSupersetOf(contacts)
            && q.Received.Count(o => o.Resource == "company") >= 5, seconds: 120);

        AssertNoWindowOverBudget();
    }

    private static Dictionary<string, string?> Budgeted(Dictionary<string, string?> settings)
    {
        settings["Ingest:Connections:main:RequestsPerMinute"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Ingest:Connections:main:BudgetWindow"] = "00:00:02";
        return settings;
    }

    private void AssertNoWindowOverBudget()
    {
        var arrivals = Sandbox.Requests.Select(r => r.At).Order().ToList();
        Assert.True(arrivals.Count > 2 * Limit, $"too few requests ({arrivals.Count}) to exercise the budget");
        for (var i = 0; i + Limit < arrivals.Count; i++)
        {
            var span = arrivals[i + Limit] - arrivals[i];
            Assert.True(span >= Window - StampTolerance, $"{Limit + 1} requests within {span.TotalMilliseconds:0} ms (budget: {Limit} per {Window.TotalMilliseconds} ms)");
        }
    }

    protected override IDictionary<string, string?> SandboxSettings => new Dictionary<string, string?> { ["Sandbox:Sizes:Contacts"] = "300" };
}
