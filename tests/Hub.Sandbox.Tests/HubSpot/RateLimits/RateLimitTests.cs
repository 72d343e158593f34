using System.Net;
using Hub.Sandbox.Tests.Hosting;

namespace Hub.Sandbox.Tests.HubSpot.RateLimits;

public sealed class RateLimitTests
{
    private static readonly object EmptySearch = new { limit = 1 };

    [Fact]
    public async Task The_burst_limit_answers_429_TEN_SECONDLY_ROLLING_once_the_window_is_full_and_admits_again_when_it_rolls_on()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var sandbox = HubSpotSandbox.With(new Dictionary<string, string?> { ["Sandbox:HubSpot:BurstLimit"] = "5" }, clock);
        var client = sandbox.Api();

        for (var i = 0; i < 5; i++)
            (await client.GetAsync("/crm/v3/owners")).EnsureSuccessStatusCode();
        using var refused = await client.GetAsync("/crm/v3/owners");
        var body = await HubSpotSandbox.ReadAsync(refused);
        clock.Advance(TimeSpan.FromSeconds(10));
        using var admitted = await client.GetAsync("/crm/v3/owners");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("RATE_LIMIT", body["errorType"]!.GetValue<string>());
        Assert.Equal("TEN_SECONDLY_ROLLING", body["policyName"]!.GetValue<string>());
        Assert.Equal("You have reached your ten_secondly_rolling limit.", body["message"]!.GetValue<string>());
        Assert.Equal("0", refused.Headers.GetValues("X-HubSpot-RateLimit-Remaining").Single());
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
    }

    [Fact]
    public async Task Every_response_but_search_carries_the_rate_limit_headers()
    {
        await using var sandbox = HubSpotSandbox.With(new Dictionary<string, string?>(), new ManualClock(DateTimeOffset.UtcNow));
        var client = sandbox.Api();

        using var first = await client.GetAsync("/crm/v3/objects/contacts");
        using var second = await client.PostAsync("/crm/v3/objects/contacts", HubSpotSandbox.Json(new { properties = new { nope = "x" } }));
        using var search = await client.PostAsync("/crm/v3/objects/contacts/search", HubSpotSandbox.Json(EmptySearch));

        Assert.Equal("100", first.Headers.GetValues("X-HubSpot-RateLimit-Max").Single());
        Assert.Equal("10000", first.Headers.GetValues("X-HubSpot-RateLimit-Interval-Milliseconds").Single());
        Assert.Equal("99", first.Headers.GetValues("X-HubSpot-RateLimit-Remaining").Single());
        Assert.Equal("250000", first.Headers.GetValues("X-HubSpot-RateLimit-Daily").Single());
        Assert.Equal("249999", first.Headers.GetValues("X-HubSpot-RateLimit-Daily-Remaining").Single());
        Assert.Equal("98", second.Headers.GetValues("X-HubSpot-RateLimit-Remaining").Single());
        Assert.False(search.Headers.Contains("X-HubSpot-RateLimit-Remaining"));
    }

    [Fact]
    public async Task The_daily_limit_answers_429_DAILY()
    {
        await using var sandbox = HubSpotSandbox.With(new Dictionary<string, string?> { ["Sandbox:HubSpot:DailyLimit"] = "2" });
        var client = sandbox.Api();

        await client.GetAsync("/crm/v3/owners");
        await client.GetAsync("/crm/v3/owners");
        using var refused = await client.GetAsync("/crm/v3/owners");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("DAILY", (await HubSpotSandbox.ReadAsync(refused))["policyName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Search_has_its_own_limit_per_second_answered_with_SECONDLY()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var sandbox = HubSpotSandbox.With(new Dictionary<string, string?>(), clock);
        var client = sandbox.Api();

        for (var i = 0; i < 5; i++)
            (await client.PostAsync("/crm/v3/objects/contacts/search", HubSpotSandbox.Json(EmptySearch))).EnsureSuccessStatusCode();
        using var refused = await client.PostAsync("/crm/v3/objects/contacts/search", HubSpotSandbox.Json(EmptySearch));
        using var list = await client.GetAsync("/crm/v3/objects/contacts");
        clock.Advance(TimeSpan.FromSeconds(1));
        using var again = await client.PostAsync("/crm/v3/objects/contacts/search", HubSpotSandbox.Json(EmptySearch));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("SECONDLY", (await HubSpotSandbox.ReadAsync(refused))["policyName"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task With_rate_limits_off_nothing_is_refused_and_no_rate_limit_headers_are_sent()
    {
        await using var sandbox = HubSpotSandbox.With(new Dictionary<string, string?>
        {
            ["Sandbox:HubSpot:RateLimitsEnabled"] = "false",
            ["Sandbox:HubSpot:BurstLimit"] = "3",
        });
        var client = sandbox.Api();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync("/crm/v3/owners");
            statuses.Add(response.StatusCode);
            Assert.False(response.Headers.Contains("X-HubSpot-RateLimit-Max"));
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }
}
