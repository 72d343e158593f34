extern alias api;
extern alias projections;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hub.EventStore.Projections;
using Marten;
using api::Hub.Api.HubSpot;
using projections::Hub.Projections.HubSpot;

namespace Hub.Api.Tests.HubSpot;

public sealed class ReadModelRebuildEndpointTests(ApiHost api) : IClassFixture<ApiHost>
{
    private static readonly Uri Rebuilds = new("/api/rebuilds", UriKind.Relative);

    [Fact]
    public async Task An_anonymous_or_read_only_caller_cannot_start_a_rebuild_and_nothing_is_requested()
    {
        var before = await RebuildsAsync();
        using var anonymous = api.Client();
        using var reader = api.Client(api.ReadToken);

        using var refused = await anonymous.PostAsJsonAsync(Rebuilds, new { readModel = "hubspot" });
        using var forbidden = await reader.PostAsJsonAsync(Rebuilds, new { readModel = "hubspot" });

        await Problems.AssertProblemAsync(refused, HttpStatusCode.Unauthorized, "anonymous");
        await Problems.AssertProblemAsync(forbidden, HttpStatusCode.Forbidden, "read token");
        Assert.Equal(before.Count, (await RebuildsAsync()).Count);
    }

    [Fact]
    public async Task An_operator_gets_202_with_the_progress_location_and_a_second_request_joins_the_open_rebuild()
    {
        using var client = api.Client(api.OperateToken);

        using var first = await client.PostAsJsonAsync(Rebuilds, new { readModel = "hubspot" });
        using var second = await client.PostAsJsonAsync(Rebuilds, new { readModel = "hubspot" });

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var started = await first.Content.ReadFromJsonAsync<JsonElement>();
        var joined = await second.Content.ReadFromJsonAsync<JsonElement>();
        var id = started.GetProperty("id").GetString()!;
        Assert.Equal($"/api/rebuilds/{id}", first.Headers.Location!.OriginalString);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(id, joined.GetProperty("id").GetString());
        Assert.True(joined.GetProperty("joined").GetBoolean());
        var stored = Assert.Single(await RebuildsAsync(), r => r.IsOpen);
        Assert.Equal((id, "hubspot"), (stored.Id, stored.ReadModel));

        var progress = await client.GetFromJsonAsync<JsonElement>(first.Headers.Location);
        Assert.Equal("requested", progress.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("""{"readModel":"salesforce"}""")]
    [InlineData("""{}""")]
    [InlineData("""not json""")]
    public async Task A_request_for_an_unknown_read_model_is_refused_with_400_naming_the_rebuildable_ones(string body)
    {
        var before = await RebuildsAsync();
        using var client = api.Client(api.OperateToken);

        using var response = await client.PostAsync(Rebuilds, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("hubspot", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before.Count, (await RebuildsAsync()).Count);
    }

    [Fact]
    public async Task An_unknown_rebuild_id_is_404()
    {
        using var client = api.Client(api.ReadToken);

        using var response = await client.GetAsync(new Uri("/api/rebuilds/no-such-rebuild", UriKind.Relative));

        await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public void The_rebuildable_read_models_are_the_ones_Projections_rebuilds() =>
        Assert.Equal([HubSpotReadModelSetup.Rebuildable.Name], ReadModelRebuildEndpoints.ReadModels);

    private async Task<IReadOnlyList<ProjectionRebuild>> RebuildsAsync()
    {
        await using var session = api.Store.QuerySession();
        return await session.Query<ProjectionRebuild>().ToListAsync();
    }
}
