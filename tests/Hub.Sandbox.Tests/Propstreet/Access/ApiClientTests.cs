using System.Net;
using Hub.Sandbox.Tests.Hosting;

namespace Hub.Sandbox.Tests.Propstreet.Access;

public sealed class ApiClientTests(PropstreetSandbox sandbox) : IClassFixture<PropstreetSandbox>
{
    [Fact]
    public async Task Requests_without_a_bearer_token_are_refused_with_401()
    {
        var response = await sandbox.CreateClient().GetAsync("/api/v1/network/contacts");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Each_write_carries_the_changeOrigin_of_its_token_and_UI_writes_carry_none_of_them()
    {
        var a = sandbox.ClientFor("integration-a");
        var b = sandbox.ClientFor("integration-b");
        var byA = await (await a.PostAsync("/api/v1/network/contacts", Json.Body(new { firstName = "A" }))).ReadObjectAsync();
        var byB = await (await b.PatchAsync($"/api/v1/network/contacts/{byA.Str("id")}", Json.Body(new { firstName = "B" }))).ReadObjectAsync();
        var againByA = await (await a.PostAsync("/api/v1/network/contacts", Json.Body(new { firstName = "A2" }))).ReadObjectAsync();
        var byUi = await (await sandbox.Control().PatchAsync($"/_sandbox/propstreet/contacts/{byA.Str("id")}", Json.Body(new { firstName = "UI" }))).ReadObjectAsync();

        Assert.Equal(byA.Str("changeOrigin"), againByA.Str("changeOrigin"));
        Assert.NotEqual(byA.Str("changeOrigin"), byB.Str("changeOrigin"));
        Assert.DoesNotContain(byUi.Str("changeOrigin"), new[] { byA.Str("changeOrigin"), byB.Str("changeOrigin") });
        Assert.DoesNotContain("integration-a", byA.Str("changeOrigin"), StringComparison.Ordinal); // opaque, not the token
    }

    [Fact]
    public async Task The_601st_request_in_a_minute_gets_429_with_Retry_After_and_other_tokens_are_unaffected()
    {
        var client = sandbox.ClientFor();
        for (var i = 0; i < 600; i++)
        {
            var ok = await client.GetAsync("/api/v1/projects?page_size=1");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var limited = await client.GetAsync("/api/v1/projects?page_size=1");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);

        Assert.Equal(HttpStatusCode.OK, (await sandbox.ClientFor().GetAsync("/api/v1/projects?page_size=1")).StatusCode);
    }

    [Fact]
    public async Task On_a_frozen_clock_the_601st_request_is_refused_until_the_minute_has_passed()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var frozen = PropstreetSandbox.With(new Dictionary<string, string?> { ["Sandbox:Sizes:Contacts"] = "10" }, clock);
        var client = frozen.ClientFor();
        for (var i = 0; i < 600; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/network/contacts?page_size=1")).StatusCode);

        var limited = await client.GetAsync("/api/v1/network/contacts?page_size=1");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), limited.Headers.RetryAfter?.Delta);

        clock.Advance(TimeSpan.FromSeconds(59));
        var stillLimited = await client.GetAsync("/api/v1/network/contacts?page_size=1");
        Assert.Equal(HttpStatusCode.TooManyRequests, stillLimited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), stillLimited.Headers.RetryAfter?.Delta);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/network/contacts?page_size=1")).StatusCode);
    }

    [Theory]
    [InlineData(null, 300)]
    [InlineData("Fixed", 600)]
    public async Task The_limit_holds_over_any_sixty_seconds_by_default_and_per_fixed_window_when_configured(string? window, int admittedAfterBoundary)
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var settings = new Dictionary<string, string?> { ["Sandbox:Sizes:Contacts"] = "10" };
        if (window is not null)
            settings["Sandbox:Propstreet:RateLimitWindow"] = window;
        await using var sandbox = PropstreetSandbox.With(settings, clock);
        var client = sandbox.ClientFor();
        async Task<int> BurstAsync(int requests)
        {
            var admitted = 0;
            for (var i = 0; i < requests; i++)
                admitted += (await client.GetAsync("/api/v1/network/contacts?page_size=1")).StatusCode == HttpStatusCode.OK ? 1 : 0;
            return admitted;
        }

        Assert.Equal(300, await BurstAsync(300));
        clock.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(300, await BurstAsync(300));
        // 61 s after the first burst: it has left the last minute, the second (11 s old) has not.
        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(admittedAfterBoundary, await BurstAsync(700));
    }

    [Fact]
    public async Task A_configured_token_list_refuses_other_tokens()
    {
        await using var restricted = PropstreetSandbox.With(new Dictionary<string, string?>
        {
            ["Sandbox:Propstreet:Tokens:0"] = "only-this-one",
            ["Sandbox:Sizes:Contacts"] = "10",
        });
        Assert.Equal(HttpStatusCode.OK, (await restricted.ClientFor("only-this-one").GetAsync("/api/v1/network/contacts")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await restricted.ClientFor("another").GetAsync("/api/v1/network/contacts")).StatusCode);
    }
}
