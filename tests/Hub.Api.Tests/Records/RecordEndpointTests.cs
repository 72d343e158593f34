extern alias api;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using api::Hub.Api.Records;

namespace Hub.Api.Tests.Records;

public sealed class RecordEndpointTests(ApiHost api) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task A_record_shows_its_current_state_and_the_events_that_made_it_oldest_first()
    {
        var key = await RecordEvents.StartAsync(api.Store, "why-1",
            RecordEvents.Created("why-1", new { email = "ada@example.com", city = "Stockholm" }),
            RecordEvents.Updated("why-1", new { city = "Malmö" }));
        using var client = api.Client(api.ReadToken);

        var record = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/records/{key}", UriKind.Relative));

        Assert.Equal(key, record.GetProperty("streamKey").GetString());
        var state = record.GetProperty("state");
        Assert.Equal("Malmö", state.GetProperty("fields").GetProperty("city").GetString());
        Assert.Equal(2, state.GetProperty("version").GetInt64());
        var events = record.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["record.created.v1", "record.updated.v1"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal([1L, 2L], events.Select(e => e.GetProperty("version").GetInt64()));
        Assert.Equal("Stockholm", events[0].GetProperty("data").GetProperty("fields").GetProperty("city").GetString());
        Assert.Equal("Malmö", events[1].GetProperty("data").GetProperty("changed").GetProperty("city").GetString());
        Assert.Equal(JsonValueKind.Null, record.GetProperty("nextFromVersion").ValueKind);
    }

    [Fact]
    public async Task A_long_history_comes_in_pages_that_continue_where_the_last_ended()
    {
        var updates = Enumerable.Range(1, RecordEndpoints.PageSize + 10).Select(i => (object)RecordEvents.Updated("long-1", new { n = i }));
        var key = await RecordEvents.StartAsync(api.Store, "long-1", [RecordEvents.Created("long-1", new { n = 0 }), .. updates]);
        using var client = api.Client(api.ReadToken);

        var first = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/records/{key}", UriKind.Relative));
        var next = first.GetProperty("nextFromVersion").GetInt64();
        var second = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/records/{key}?fromVersion={next}", UriKind.Relative));

        Assert.Equal(RecordEndpoints.PageSize, first.GetProperty("events").GetArrayLength());
        Assert.Equal(RecordEndpoints.PageSize + 1, next);
        var rest = second.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("version").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(RecordEndpoints.PageSize + 1, 11).Select(v => (long)v), rest);
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextFromVersion").ValueKind);
    }

    [Fact]
    public async Task An_unknown_record_is_a_404_problem()
    {
        using var client = api.Client(api.ReadToken);

        using var response = await client.GetAsync(new Uri("/api/records/propstreet-contact-never-seen", UriKind.Relative));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains("propstreet-contact-never-seen", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fromVersion=0")]
    [InlineData("fromVersion=first")]
    public async Task A_bad_fromVersion_is_a_400_problem(string query)
    {
        using var client = api.Client(api.ReadToken);

        using var response = await client.GetAsync(new Uri($"/api/records/propstreet-contact-1?{query}", UriKind.Relative));

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, query);
    }

    [Fact]
    public async Task An_unknown_path_is_a_404_problem_for_an_authenticated_caller()
    {
        using var client = api.Client(api.ReadToken);

        using var response = await client.GetAsync(new Uri("/api/no-such-thing", UriKind.Relative));

        await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound);
    }
}
