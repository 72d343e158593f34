extern alias projections;

using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Hub.Sync.HubSpot;
using projections::Hub.Projections.Publishing;

namespace Hub.Api.Tests.Status;

public sealed class StatusEndpointTests(ApiHost api) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task Status_shows_each_shard_caught_up_with_the_high_water_mark_then_how_far_behind_it_falls_while_Projections_is_down()
    {
        await RecordEvents.StartAsync(api.Store, "status-1", RecordEvents.Created("status-1", new { n = 1 }), RecordEvents.Updated("status-1", new { n = 2 }));
        await RecordEvents.StartAsync(api.Store, "status-2", RecordEvents.Created("status-2", new { n = 1 }));
        using var client = api.Client(api.ReadToken);

        // The real Projections host runs the daemon: its shards and the high-water mark catch up with the 3 events.
        var projections = new WebApplicationFactory<projections::Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("ConnectionStrings:Postgres", api.Database.ConnectionString);
            host.UseSetting("ConnectionStrings:RabbitMq", api.Broker.Amqp.ToString());
        });
        JsonElement caughtUp;
        await using (projections)
        {
            _ = projections.Server;
            // Every shard the host runs (the HubSpot read model and the change publisher among them), not just the first to report.
            caughtUp = await WaitForStatusAsync(client, s => s.GetProperty("highWaterMark").GetInt64() == 3
                && Shards(s).Any(shard => shard.GetProperty("name").GetString()!.StartsWith(ChangePublisher.SubscriptionName, StringComparison.Ordinal))
                && Shards(s).Any(shard => shard.GetProperty("name").GetString()!.StartsWith(HubSpotReadModel.ProjectionName, StringComparison.Ordinal))
                && Shards(s).All(shard => shard.GetProperty("sequence").GetInt64() == 3));
        }

        Assert.Equal(3, caughtUp.GetProperty("lastEventSequence").GetInt64());
        Assert.Contains(Shards(caughtUp), s => s.GetProperty("name").GetString()!.StartsWith(ChangePublisher.SubscriptionName, StringComparison.Ordinal));
        Assert.All(Shards(caughtUp), s => Assert.Equal(0, s.GetProperty("lag").GetInt64()));
        Assert.All(Shards(caughtUp), s => Assert.Equal(0, s.GetProperty("behind").GetInt64()));

        // Projections stopped: new events are committed, nobody moves the mark, and status says so.
        await RecordEvents.StartAsync(api.Store, "status-3", RecordEvents.Created("status-3", new { n = 1 }), RecordEvents.Updated("status-3", new { n = 2 }));
        var stalled = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/status", UriKind.Relative));

        Assert.Equal(5, stalled.GetProperty("lastEventSequence").GetInt64());
        Assert.Equal(3, stalled.GetProperty("highWaterMark").GetInt64());
        Assert.All(Shards(stalled), s => Assert.Equal(2, s.GetProperty("behind").GetInt64()));
    }

    private static IEnumerable<JsonElement> Shards(JsonElement status) => status.GetProperty("shards").EnumerateArray();

    private static async Task<JsonElement> WaitForStatusAsync(HttpClient client, Func<JsonElement, bool> done)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        JsonElement status;
        do
        {
            status = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/status", UriKind.Relative));
            if (done(status))
                return status;
            await Task.Delay(250);
        }
        while (DateTime.UtcNow < until);
        return status;
    }
}
