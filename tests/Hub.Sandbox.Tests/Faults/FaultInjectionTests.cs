using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hub.Sandbox.Tests.Hosting;
using Hub.Sandbox.Tests.PropertyFinder;

namespace Hub.Sandbox.Tests.Faults;

/// <summary>Faults switched on through <c>/_sandbox/faults</c>; shares of 0 and 1 keep the outcomes certain.</summary>
public sealed class FaultInjectionTests
{
    private static readonly Uri Leads = new("/v1/leads", UriKind.Relative);

    [Fact]
    public async Task Server_error_share_of_one_answers_every_api_request_with_a_5xx_problem()
    {
        await using var sandbox = new SandboxFactory();
        var client = await sandbox.CreatePropertyFinderClientAsync();
        await SandboxFactory.SetFaultsAsync(client, new { serverErrorShare = 1.0 });

        for (var i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync(Leads);
            Assert.InRange((int)response.StatusCode, 500, 503);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Too_many_requests_storm_answers_429_with_Retry_After()
    {
        await using var sandbox = new SandboxFactory();
        var client = await sandbox.CreatePropertyFinderClientAsync();
        await SandboxFactory.SetFaultsAsync(client, new { tooManyRequestsShare = 1.0, retryAfter = "00:00:07" });

        using var response = await client.GetAsync(Leads);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Dropped_connection_surfaces_as_an_exception_in_a_real_HttpClient()
    {
        await using var sandbox = SandboxFactory.StartOnKestrel();
        var client = await sandbox.CreatePropertyFinderClientAsync();
        Assert.Equal("127.0.0.1", client.BaseAddress?.Host);
        await SandboxFactory.SetFaultsAsync(client, new { dropConnectionShare = 1.0 });

        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var response = await client.GetAsync(Leads);
            await response.Content.ReadAsStringAsync();
        });

        Assert.True(error is HttpRequestException or IOException, error.ToString());
    }

    [Fact]
    public async Task Clock_skew_shifts_createdAt_of_a_new_lead()
    {
        await using var sandbox = new SandboxFactory();
        var client = sandbox.CreateClient();
        await SandboxFactory.SetFaultsAsync(client, new { clockSkew = "3.00:00:00" });

        using var response = await client.PostAsJsonAsync(new Uri("/_sandbox/propertyfinder/leads", UriKind.Relative), new { });
        var createdAt = LeadListingTests.CreatedAt(JsonNode.Parse(await response.Content.ReadAsStringAsync()));

        // Three days ahead of the real clock; a day of margin either way keeps this free of timing.
        Assert.InRange(createdAt, DateTime.UtcNow.AddDays(2), DateTime.UtcNow.AddDays(4));
    }

    [Fact]
    public async Task Faults_never_touch_the_admin_surface_or_health_probes()
    {
        await using var sandbox = new SandboxFactory();
        var client = sandbox.CreateClient();
        await SandboxFactory.SetFaultsAsync(client, new { serverErrorShare = 1.0 });

        using var health = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
        using var faults = await client.GetAsync(new Uri("/_sandbox/faults", UriKind.Relative));
        using var api = await client.GetAsync(Leads);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, faults.StatusCode);
        Assert.InRange((int)api.StatusCode, 500, 503);
    }

    [Fact]
    public async Task Deleting_the_faults_turns_them_all_off()
    {
        await using var sandbox = new SandboxFactory();
        var client = await sandbox.CreatePropertyFinderClientAsync();
        await SandboxFactory.SetFaultsAsync(client, new { serverErrorShare = 1.0, clockSkew = "01:00:00" });

        using var delete = await client.DeleteAsync(new Uri("/_sandbox/faults", UriKind.Relative));
        using var api = await client.GetAsync(Leads);
        var current = JsonNode.Parse(await client.GetStringAsync(new Uri("/_sandbox/faults", UriKind.Relative)))!;

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        Assert.Equal(0, current["serverErrorShare"]!.GetValue<double>());
        Assert.Equal("00:00:00", current["clockSkew"]!.GetValue<string>());
    }

    [Fact]
    public async Task Shares_outside_zero_to_one_are_refused_with_400()
    {
        await using var sandbox = new SandboxFactory();
        var client = sandbox.CreateClient();

        using var response = await client.PutAsJsonAsync(new Uri("/_sandbox/faults", UriKind.Relative), new { serverErrorShare = 1.5 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Seeded_dice_give_a_share_of_failures_near_the_configured_share()
    {
        await using var sandbox = new SandboxFactory();
        var client = await sandbox.CreatePropertyFinderClientAsync();
        await SandboxFactory.SetFaultsAsync(client, new { serverErrorShare = 0.5 });

        var failures = 0;
        for (var i = 0; i < 100; i++)
        {
            using var response = await client.GetAsync(new Uri("/v1/leads?perPage=1", UriKind.Relative));
            failures += (int)response.StatusCode >= 500 ? 1 : 0;
        }

        Assert.InRange(failures, 25, 75);
    }
}
