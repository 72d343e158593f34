using System.Net.Http.Json;
using System.Text.Json;
using Hub.Ingest.Tests.Hosting;

namespace Hub.Ingest.Tests.Reconciliation;

public sealed class LeadPollingTests : IngestTest
{
    private static Dictionary<string, string?> PropertyFinder(Uri baseUrl) => new()
    {
        ["Ingest:Connections:pf:Source"] = "propertyfinder",
        ["Ingest:Connections:pf:BaseUrl"] = baseUrl.ToString(),
        ["Ingest:Connections:pf:ClientId"] = "hub",
        ["Ingest:Connections:pf:ClientSecret"] = "hub-test-secret",
        ["Ingest:Connections:pf:Schedule"] = "00:00:00.300",
        ["Ingest:Connections:pf:LookBack"] = "00:00:05",
        ["Ingest:Connections:pf:ReconcileEvery"] = "00:00:01",
    };

    [Fact]
    public async Task A_lead_created_in_the_same_second_as_the_last_one_seen_is_not_missed()
    {
        StartIngest(PropertyFinder(Sandbox.BaseUrl));
        await Observations.WaitUntilAsync(q => q.Records.Select(r => r.Id).Distinct().Count() == 120);
        var newest = Observations.Records.Max(r => r.Data.GetProperty("createdAt").GetDateTimeOffset());

        // since is exclusive and createdAt has whole seconds: a poller passing the last createdAt it saw misses this.
        using var created = await Sandbox.Control.PostAsJsonAsync(new Uri("/_sandbox/propertyfinder/leads", UriKind.Relative), new { createdAt = newest });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        await Observations.WaitUntilAsync(q => q.Received.Any(o => o.Type.EndsWith("RecordsObserved", StringComparison.Ordinal) && o.Records.Any(r => r.Id == id)));
        Assert.All(Observations.Records, r => Assert.StartsWith("lead_", r.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_completed_reconciliation_pass_reports_every_lead_still_there_and_not_a_deleted_one()
    {
        StartIngest(PropertyFinder(Sandbox.BaseUrl));
        await Observations.WaitUntilAsync(q => q.Received.Any(o => o.Type.EndsWith("ReconciliationCompleted", StringComparison.Ordinal)));
        var first = Observations.Received.First(o => o.Type.EndsWith("ReconciliationCompleted", StringComparison.Ordinal));
        Assert.Equal(120, first.SeenIds.Count);

        var gone = first.SeenIds[0];
        using (var deleted = await Sandbox.Control.DeleteAsync(new Uri($"/_sandbox/propertyfinder/leads/{gone}", UriKind.Relative)))
            deleted.EnsureSuccessStatusCode();

        await Observations.WaitUntilAsync(q => q.Received.Any(o => o.Type.EndsWith("ReconciliationCompleted", StringComparison.Ordinal) && !o.SeenIds.Contains(gone)));
        var later = Observations.Received.Last(o => o.Type.EndsWith("ReconciliationCompleted", StringComparison.Ordinal));
        Assert.Equal(first.SeenIds.Where(i => i != gone).Order(), later.SeenIds.Order());
    }
}
