extern alias projections;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using projections::Hub.Projections.HubSpot;

namespace Hub.Api.Tests.HubSpot;

/// <summary>
/// A rebuild through the API, run by the real Projections host with a HubSpot connection (the read model is projected
/// only there), on a database of its own: no request left open by other tests.
/// </summary>
public sealed class ReadModelRebuildProgressTests(HubSpotApiHost hubSpot) : IClassFixture<HubSpotApiHost>
{
    private readonly ApiHost _api = hubSpot.Api;

    private static readonly Uri Rebuilds = new("/api/rebuilds", UriKind.Relative);

    [Fact]
    public async Task A_requested_rebuild_is_run_by_Projections_and_its_progress_ends_done_with_every_event_folded()
    {
        await RecordEvents.StartAsync(_api.Store, "rebuild-1", RecordEvents.Created("rebuild-1", new { firstName = "Ada" }), RecordEvents.Updated("rebuild-1", new { firstName = "Ada L." }));
        await RecordEvents.StartAsync(_api.Store, "rebuild-2", RecordEvents.Created("rebuild-2", new { firstName = "Grace" }));
        using var client = _api.Client(_api.OperateToken);
        await using var projections = new WebApplicationFactory<projections::Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("ConnectionStrings:Postgres", _api.Database.ConnectionString);
            host.UseSetting("ConnectionStrings:RabbitMq", _api.Broker.Amqp.ToString());
            host.UseSetting($"HubSpot:Connections:{HubSpotApiHost.Connection}:BaseUrl", hubSpot.Sandbox.BaseUrl.ToString());
            host.UseSetting($"HubSpot:Connections:{HubSpotApiHost.Connection}:AccessToken", "sandbox-hubspot-token");
        });
        _ = projections.Server;
        // As in production, the daemon has seen the log (its high-water mark) before the operator asks: the three record
        // events and the push's outcome for each of the two records, which the read model folds too.
        await WaitAsync(async () => (await client.GetFromJsonAsync<JsonElement>(new Uri("/api/status", UriKind.Relative)))
            .GetProperty("shards").EnumerateArray().Any(s => s.GetProperty("name").GetString()!.StartsWith(HubSpotRecordProjection.ProjectionName, StringComparison.Ordinal)
                && s.GetProperty("behind").GetInt64() == 0 && s.GetProperty("sequence").GetInt64() >= 5));

        using var requested = await client.PostAsJsonAsync(Rebuilds, new { readModel = "hubspot" });
        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        var progress = default(JsonElement);
        await WaitAsync(async () =>
            (progress = await client.GetFromJsonAsync<JsonElement>(requested.Headers.Location)).GetProperty("status").GetString() is not ("requested" or "running"));

        Assert.Equal("succeeded", progress.GetProperty("status").GetString());
        Assert.Equal("done", progress.GetProperty("phase").GetString());
        Assert.Equal((5L, 2), (progress.GetProperty("eventsFolded").GetInt64(), progress.GetProperty("documents").GetInt32()));
    }

    /// <summary>Polls until <paramref name="done"/> (generously bounded); the test asserts afterwards.</summary>
    private static async Task WaitAsync(Func<Task<bool>> done)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (!await done() && DateTime.UtcNow < until)
            await Task.Delay(250);
    }
}
