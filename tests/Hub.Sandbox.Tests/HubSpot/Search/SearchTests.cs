using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hub.Sandbox.Tests.Hosting;

namespace Hub.Sandbox.Tests.HubSpot.Search;

public sealed class SearchTests
{
    private static readonly string[] KeyOnly = ["propstreet_id"];
    private static readonly string[] AnnAndBo = ["ann", "bo"];
    private static readonly string[] FirstName = ["firstname"];

    private static async Task<JsonNode> SearchAsync(HttpClient client, object body, string type = "contacts")
    {
        using var response = await client.PostAsync($"/crm/v3/objects/{type}/search", HubSpotSandbox.Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await HubSpotSandbox.ReadAsync(response);
    }

    /// <summary>Search sees writes made from now on at once; the cap is left out of the settings (HubSpot's).</summary>
    private static Task ImmediateSearchAsync(HttpClient control) =>
        HubSpotSandbox.PutAsync(control, "/_sandbox/hubspot/settings", new { rateLimitsEnabled = true, burstLimit = 100, burstWindowSeconds = 10, dailyLimit = 1000, searchLimitPerSecond = 5, searchVisibilityDelayMs = 0 });

    private static List<string> Keys(JsonNode page) =>
        [.. page["results"]!.AsArray().Select(r => r!["properties"]!["propstreet_id"]!.GetValue<string>())];

    private static object Filter(string propertyName, string op, object? value = null, object? highValue = null, object? values = null) =>
        new { propertyName, @operator = op, value, highValue, values };

    private static async Task<HttpClient> SeededAsync(HubSpotSandbox sandbox)
    {
        var client = sandbox.Api();
        (await HubSpotSandbox.UpsertContactsAsync(client,
            ("a", new { firstname = "Ann", email = "ann@alpha.com", city = "Dubai", lead_channel = "email" }),
            ("b", new { firstname = "Bo", email = "bo@beta.com", city = "Stockholm" }),
            ("c", new { firstname = "Cy", email = "cy@alpha.com", city = "dubai", lead_channel = "call" }))).EnsureSuccessStatusCode();
        return client;
    }

    [Fact]
    public async Task Filter_groups_are_ORed_and_the_filters_within_a_group_ANDed()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = await SeededAsync(sandbox);

        var page = await SearchAsync(client, new
        {
            filterGroups = new object[]
            {
                new { filters = new[] { Filter("city", "EQ", "DUBAI"), Filter("lead_channel", "EQ", "call") } },
                new { filters = new[] { Filter("firstname", "EQ", "Bo") } },
            },
            properties = KeyOnly,
        });

        Assert.Equal(2, page["total"]!.GetValue<int>());
        Assert.Equal(["b", "c"], Keys(page));
    }

    [Theory]
    [InlineData("NEQ", "city", "dubai", null, "b")]
    [InlineData("IN", "firstname", null, null, "a,b")]
    [InlineData("NOT_IN", "firstname", null, null, "c")]
    [InlineData("HAS_PROPERTY", "lead_channel", null, null, "a,c")]
    [InlineData("NOT_HAS_PROPERTY", "lead_channel", null, null, "b")]
    [InlineData("CONTAINS_TOKEN", "email", "alpha", null, "a,c")]
    [InlineData("CONTAINS_TOKEN", "email", "*@beta.com", null, "b")]
    [InlineData("NOT_CONTAINS_TOKEN", "email", "alpha", null, "b")]
    [InlineData("BETWEEN", "firstname", "Ann", "Bo", "a,b")]
    [InlineData("GT", "firstname", "Bo", null, "c")]
    [InlineData("LTE", "firstname", "Bo", null, "a,b")]
    public async Task Each_documented_operator_selects_what_HubSpot_documents(string op, string property, string? value, string? high, string expected)
    {
        await using var sandbox = new HubSpotSandbox();
        var client = await SeededAsync(sandbox);
        var values = op is "IN" or "NOT_IN" ? AnnAndBo : null;

        var page = await SearchAsync(client, new { filterGroups = new[] { new { filters = new[] { Filter(property, op, value, high, values) } } }, properties = KeyOnly });

        Assert.Equal(expected.Split(','), Keys(page));
    }

    [Fact]
    public async Task Numbers_and_datetimes_compare_as_values_not_as_text()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        foreach (var (name, amount, close) in new[] { ("d9", "9", "2026-01-05T00:00:00Z"), ("d10", "10", "2026-02-01T00:00:00Z"), ("d100", "100", "2026-03-01T00:00:00Z") })
            await client.PostAsync("/crm/v3/objects/deals/batch/upsert", HubSpotSandbox.Json(new { inputs = new[] { new { id = name, idProperty = "propstreet_id", properties = new { amount, closedate = close } } } }));
        var janFirstMs = new DateTimeOffset(2026, 1, 31, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var big = await SearchAsync(client, new { filterGroups = new[] { new { filters = new[] { Filter("amount", "GTE", "10") } } }, properties = KeyOnly }, "deals");
        var late = await SearchAsync(client, new { filterGroups = new[] { new { filters = new[] { Filter("closedate", "GT", janFirstMs) } } }, properties = KeyOnly }, "deals");
        var sorted = await SearchAsync(client, new { sorts = new[] { new { propertyName = "amount", direction = "DESCENDING" } }, properties = KeyOnly }, "deals");

        Assert.Equal(["d10", "d100"], Keys(big));
        Assert.Equal(["d10", "d100"], Keys(late));
        Assert.Equal(["d100", "d10", "d9"], Keys(sorted));
    }

    [Fact]
    public async Task Pages_follow_after_while_total_counts_every_match()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        await HubSpotSandbox.UpsertContactsAsync(client, [.. Enumerable.Range(0, 25).Select(i => ($"p{i:00}", (object)new { city = "Dubai" }))]);

        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await SearchAsync(client, new { limit = 10, after, sorts = KeyOnly, properties = KeyOnly });
            Assert.Equal(25, page["total"]!.GetValue<int>());
            seen.AddRange(Keys(page));
            after = page["paging"]?["next"]?["after"]?.GetValue<string>();
            pages++;
        }
        while (after is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"p{i:00}"), seen);
    }

    [Fact]
    public async Task Paging_at_or_past_the_10000th_result_is_a_400_and_a_limit_over_200_too()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();

        using var deep = await client.PostAsync("/crm/v3/objects/contacts/search", HubSpotSandbox.Json(new { after = "10000", limit = 10 }));
        using var shallower = await client.PostAsync("/crm/v3/objects/contacts/search", HubSpotSandbox.Json(new { after = "9999", limit = 10 }));
        using var wide = await client.PostAsync("/crm/v3/objects/contacts/search", HubSpotSandbox.Json(new { limit = 201 }));

        Assert.Equal(HttpStatusCode.BadRequest, deep.StatusCode);
        Assert.Equal("VALIDATION_ERROR", (await HubSpotSandbox.ReadAsync(deep))["category"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, shallower.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wide.StatusCode);
    }

    [Fact]
    public async Task A_query_matching_more_than_10000_pages_to_the_cap_and_the_next_page_is_refused()
    {
        await using var sandbox = HubSpotSandbox.With(new Dictionary<string, string?> { ["Sandbox:HubSpot:RateLimitsEnabled"] = "false" });
        var client = sandbox.Api();
        for (var batch = 0; batch < 101; batch++)
            (await HubSpotSandbox.UpsertContactsAsync(client, [.. Enumerable.Range(batch * 100, 100).Select(i => ($"k{i}", (object)new { city = "Dubai" }))])).EnsureSuccessStatusCode();

        var last = await SearchAsync(client, new { after = "9800", limit = 200, properties = KeyOnly });
        using var beyond = await client.PostAsync("/crm/v3/objects/contacts/search",
            HubSpotSandbox.Json(new { after = last["paging"]!["next"]!["after"]!.GetValue<string>(), limit = 200 }));

        Assert.Equal(10_100, last["total"]!.GetValue<int>());
        Assert.Equal("10000", last["paging"]!["next"]!["after"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, beyond.StatusCode);
    }

    [Fact]
    public async Task A_write_shows_up_in_search_only_after_the_visibility_delay_and_an_archive_leaves_the_same_way()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var sandbox = HubSpotSandbox.With(new Dictionary<string, string?> { ["Sandbox:HubSpot:SearchVisibilityDelayMs"] = "3000" }, clock);
        var client = sandbox.Api();
        var byKey = new { filterGroups = new[] { new { filters = new[] { Filter("propstreet_id", "EQ", "late") } } } };
        var id = (await HubSpotSandbox.ReadAsync(await HubSpotSandbox.UpsertContactsAsync(client, ("late", new { firstname = "L" }))))["results"]![0]!["id"]!.GetValue<string>();

        var before = await SearchAsync(client, byKey);
        clock.Advance(TimeSpan.FromSeconds(3));
        var after = await SearchAsync(client, byKey);
        await client.DeleteAsync($"/crm/v3/objects/contacts/{id}");
        var archivedJustNow = await SearchAsync(client, byKey);
        clock.Advance(TimeSpan.FromSeconds(3));
        var archivedLater = await SearchAsync(client, byKey);

        Assert.Equal(0, before["total"]!.GetValue<int>());
        Assert.Equal(1, after["total"]!.GetValue<int>());
        Assert.Equal(1, archivedJustNow["total"]!.GetValue<int>());
        Assert.Equal(0, archivedLater["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_configured_search_result_cap_ends_paging_there_and_refuses_the_next_page()
    {
        await using var sandbox = HubSpotSandbox.With(new Dictionary<string, string?> { ["Sandbox:HubSpot:SearchResultCap"] = "30" });
        var client = sandbox.Api();
        await HubSpotSandbox.UpsertContactsAsync(client, [.. Enumerable.Range(0, 45).Select(i => ($"c{i:00}", (object)new { city = "Dubai" }))]);

        var first = await SearchAsync(client, new { limit = 20, sorts = KeyOnly, properties = KeyOnly });
        var second = await SearchAsync(client, new { limit = 20, after = first["paging"]!["next"]!["after"]!.GetValue<string>(), sorts = KeyOnly, properties = KeyOnly });
        using var beyond = await client.PostAsync("/crm/v3/objects/contacts/search",
            HubSpotSandbox.Json(new { limit = 20, after = second["paging"]!["next"]!["after"]!.GetValue<string>() }));

        Assert.Equal(45, second["total"]!.GetValue<int>());
        Assert.Equal(Enumerable.Range(20, 10).Select(i => $"c{i:00}"), Keys(second));
        Assert.Equal("30", second["paging"]!["next"]!["after"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, beyond.StatusCode);
    }

    [Fact]
    public async Task The_search_result_cap_changes_at_runtime_and_defaults_to_10000_when_left_out()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        var control = sandbox.Control();
        await HubSpotSandbox.UpsertContactsAsync(client, [.. Enumerable.Range(0, 5).Select(i => ($"c{i}", (object)new { city = "Dubai" }))]);
        var defaults = (await control.GetFromJsonAsync<JsonNode>("/_sandbox/hubspot/settings"))!;

        await HubSpotSandbox.PutAsync(control, "/_sandbox/hubspot/settings", new { rateLimitsEnabled = true, burstLimit = 100, burstWindowSeconds = 10, dailyLimit = 1000, searchLimitPerSecond = 5, searchVisibilityDelayMs = 0, searchResultCap = 3 });
        var capped = await SearchAsync(client, new { limit = 10, properties = KeyOnly });
        await ImmediateSearchAsync(control);
        var uncapped = (await control.GetFromJsonAsync<JsonNode>("/_sandbox/hubspot/settings"))!;

        Assert.Equal(10_000, defaults["searchResultCap"]!.GetValue<int>());
        Assert.Equal(3, Keys(capped).Count);
        Assert.Equal("3", capped["paging"]!["next"]!["after"]!.GetValue<string>());
        Assert.Equal(10_000, uncapped["searchResultCap"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_write_made_under_a_longer_delay_is_overtaken_by_later_writes_until_search_catches_up()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var sandbox = HubSpotSandbox.With(new Dictionary<string, string?> { ["Sandbox:HubSpot:SearchVisibilityDelayMs"] = "600000" }, clock);
        var client = sandbox.Api();
        var control = sandbox.Control();
        await HubSpotSandbox.UpsertContactsAsync(client, ("slow", new { firstname = "S" }));
        await ImmediateSearchAsync(control);
        clock.Advance(TimeSpan.FromMilliseconds(5));
        await HubSpotSandbox.UpsertContactsAsync(client, ("fast", new { firstname = "F" }));

        var before = await SearchAsync(client, new { properties = KeyOnly });
        using (var caughtUp = await control.PostAsync("/_sandbox/hubspot/search/catch-up", null))
            caughtUp.EnsureSuccessStatusCode();
        var after = await SearchAsync(client, new { sorts = KeyOnly, properties = KeyOnly });

        Assert.Equal(["fast"], Keys(before));
        Assert.Equal(["fast", "slow"], Keys(after));
    }

    [Fact]
    public async Task An_older_write_falling_due_after_a_newer_one_never_hides_the_newer_version()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var sandbox = HubSpotSandbox.With(new Dictionary<string, string?> { ["Sandbox:HubSpot:SearchVisibilityDelayMs"] = "60000" }, clock);
        var client = sandbox.Api();
        var control = sandbox.Control();
        await HubSpotSandbox.UpsertContactsAsync(client, ("k", new { firstname = "Old" }));
        await ImmediateSearchAsync(control);
        clock.Advance(TimeSpan.FromMilliseconds(5));
        await HubSpotSandbox.UpsertContactsAsync(client, ("k", new { firstname = "New" }));

        clock.Advance(TimeSpan.FromMinutes(2));
        var page = await SearchAsync(client, new { properties = FirstName });

        Assert.Equal("New", page["results"]![0]!["properties"]!["firstname"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_free_text_query_matches_a_word_of_any_text_property()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = await SeededAsync(sandbox);

        var page = await SearchAsync(client, new { query = "stockholm", properties = KeyOnly });

        Assert.Equal(["b"], Keys(page));
    }

    [Fact]
    public async Task An_unknown_filter_property_or_operator_is_a_400()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();

        using var property = await client.PostAsync("/crm/v3/objects/contacts/search", HubSpotSandbox.Json(new { filterGroups = new[] { new { filters = new[] { Filter("shoe_size", "EQ", "44") } } } }));
        using var op = await client.PostAsync("/crm/v3/objects/contacts/search", HubSpotSandbox.Json(new { filterGroups = new[] { new { filters = new[] { Filter("city", "LIKE", "D%") } } } }));

        Assert.Equal(HttpStatusCode.BadRequest, property.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, op.StatusCode);
    }
}
