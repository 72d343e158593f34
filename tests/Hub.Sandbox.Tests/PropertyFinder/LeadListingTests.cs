using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hub.Sandbox.PropertyFinder;
using Hub.Sandbox.Tests.Hosting;

namespace Hub.Sandbox.Tests.PropertyFinder;

/// <summary>Contract tests of <c>GET /v1/leads</c> against propertyfinder-leads.txt.</summary>
public sealed class LeadListingTests
{
    private const int SeededLeads = 230;

    [Fact]
    public async Task Paging_walk_returns_every_lead_exactly_once_in_createdAt_order()
    {
        await using var sandbox = new SandboxFactory();
        var client = await sandbox.CreatePropertyFinderClientAsync();

        var ids = new List<string>();
        var times = new List<DateTime>();
        var first = await GetAsync(client, "perPage=50&page=1");
        var totalPages = first["pagination"]!["totalPages"]!.GetValue<int>();
        for (var page = 1; page <= totalPages; page++)
        {
            var body = page == 1 ? first : await GetAsync(client, $"perPage=50&page={page}");
            Assert.Equal(page, body["pagination"]!["currentPage"]!.GetValue<int>());
            foreach (var lead in body["data"]!.AsArray())
            {
                ids.Add(lead!["id"]!.GetValue<string>());
                times.Add(CreatedAt(lead));
            }
        }

        Assert.Equal(5, totalPages);
        Assert.Equal(SeededLeads, first["pagination"]!["total"]!.GetValue<int>());
        Assert.Equal(SeededLeads, ids.Distinct().Count());
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(times.Order(), times);
        var beyond = await GetAsync(client, "perPage=50&page=6");
        Assert.Empty(beyond["data"]!.AsArray());
    }

    [Fact]
    public async Task Leads_page_size_above_50_is_capped_to_50()
    {
        await using var sandbox = new SandboxFactory();
        var client = await sandbox.CreatePropertyFinderClientAsync();

        var body = await GetAsync(client, "perPage=500");

        Assert.Equal(50, body["data"]!.AsArray().Count);
        var pagination = body["pagination"]!;
        Assert.Equal(50, pagination["perPage"]!.GetValue<int>());
        Assert.Equal(50, pagination["count"]!.GetValue<int>());
        Assert.Equal(SeededLeads, pagination["total"]!.GetValue<int>());
        Assert.Equal(5, pagination["totalPages"]!.GetValue<int>());
    }

    [Fact]
    public async Task Since_returns_only_leads_created_strictly_after_it()
    {
        await using var sandbox = new SandboxFactory();
        var client = await sandbox.CreatePropertyFinderClientAsync();
        var all = (await GetAsync(client, "perPage=50&page=2"))["data"]!.AsArray();
        var pivot = all[10]!;
        var since = CreatedAt(pivot).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

        var body = await GetAsync(client, $"since={since}&perPage=50");

        var leads = body["data"]!.AsArray();
        Assert.All(leads, l => Assert.True(CreatedAt(l) > CreatedAt(pivot)));
        Assert.DoesNotContain(leads, l => l!["id"]!.GetValue<string>() == pivot["id"]!.GetValue<string>());
        Assert.Equal(all[11]!["id"]!.GetValue<string>(), leads[0]!["id"]!.GetValue<string>());
        Assert.Equal(SeededLeads - 61, body["pagination"]!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Since_with_an_offset_is_compared_in_utc()
    {
        await using var sandbox = new SandboxFactory();
        var client = await sandbox.CreatePropertyFinderClientAsync();

        var utc = await GetAsync(client, "since=2025-03-01T08:00:00Z");
        var dubai = await GetAsync(client, $"since={Uri.EscapeDataString("2025-03-01T12:00:00+04:00")}");

        Assert.Equal(utc.ToJsonString(), dubai.ToJsonString());
        Assert.InRange(utc["pagination"]!["total"]!.GetValue<int>(), 1, SeededLeads - 1);
    }

    [Theory]
    [InlineData("email")]
    [InlineData("whatsapp")]
    [InlineData("call")]
    [InlineData("chat")]
    public async Task Channel_filter_returns_only_leads_of_that_channel(string channel)
    {
        await using var sandbox = new SandboxFactory();
        var client = await sandbox.CreatePropertyFinderClientAsync();

        var body = await GetAsync(client, $"channel={channel}&perPage=50");

        var leads = body["data"]!.AsArray();
        Assert.NotEmpty(leads);
        Assert.All(leads, l => Assert.Equal(channel, l!["channel"]!.GetValue<string>()));
        Assert.True(body["pagination"]!["total"]!.GetValue<int>() < SeededLeads);
    }

    [Theory]
    [InlineData("since=yesterday", "since")]
    [InlineData("page=0", "page")]
    [InlineData("perPage=0", "perPage")]
    [InlineData("perPage=ten", "perPage")]
    [InlineData("channel=fax", "channel")]
    public async Task Invalid_query_parameters_are_400_problem_details(string query, string parameter)
    {
        await using var sandbox = new SandboxFactory();
        var client = await sandbox.CreatePropertyFinderClientAsync();

        using var response = await client.GetAsync(new Uri($"/v1/leads?{query}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.NotNull(problem["errors"]![parameter]);
    }

    [Fact]
    public async Task Call_leads_carry_the_recording_url_and_other_channels_do_not()
    {
        await using var sandbox = new SandboxFactory();
        var client = await sandbox.CreatePropertyFinderClientAsync();

        var calls = (await GetAsync(client, "channel=call&perPage=50"))["data"]!.AsArray();
        var others = (await GetAsync(client, "channel=email&perPage=50"))["data"]!.AsArray();

        var recordings = calls.Select(l => l!["callRecordingUrl"]?.GetValue<string>()).OfType<string>().ToList();
        Assert.NotEmpty(recordings);
        Assert.All(recordings, url => Assert.True(Uri.TryCreate(url, UriKind.Absolute, out _)));
        Assert.All(others, l => Assert.Null(l!["callRecordingUrl"]));
    }

    [Fact]
    public async Task Leads_have_the_documented_shape_with_null_fields_left_out()
    {
        await using var sandbox = new SandboxFactory();
        var client = await sandbox.CreatePropertyFinderClientAsync();

        var leads = (await GetAsync(client, "perPage=50"))["data"]!.AsArray();

        Assert.All(leads, lead =>
        {
            var o = lead!.AsObject();
            Assert.Matches("^lead_[0-9]+$", o["id"]!.GetValue<string>());
            Assert.False(string.IsNullOrWhiteSpace(o["name"]!.GetValue<string>()));
            Assert.EndsWith("Z", o["createdAt"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Matches("^[A-Z]+-[A-Z]+-[0-9]+$", o["listing"]!["reference"]!.GetValue<string>());
            Assert.True(o["listing"]!["id"]!.GetValue<long>() > 0);
            Assert.False(string.IsNullOrWhiteSpace(o["listing"]!["title"]!.GetValue<string>()));
            Assert.True(o["assignedTo"]!["id"]!.GetValue<long>() > 0);
            Assert.All(o, p => Assert.NotNull(p.Value));
            switch (o["channel"]!.GetValue<string>())
            {
                case "email":
                    Assert.Contains("@", o["email"]!.GetValue<string>(), StringComparison.Ordinal);
                    break;
                case "whatsapp" or "call":
                    Assert.NotNull(o["phone"]);
                    break;
            }
        });
    }

    [Fact]
    public async Task Phones_come_in_the_mixed_formats_people_type()
    {
        await using var sandbox = new SandboxFactory();
        var client = await sandbox.CreatePropertyFinderClientAsync();

        var phones = new List<string>();
        for (var page = 1; page <= 5; page++)
        {
            phones.AddRange((await GetAsync(client, $"perPage=50&page={page}"))["data"]!.AsArray()
                .Select(l => l!["phone"]?.GetValue<string>()).OfType<string>());
        }

        Assert.Contains(phones, p => p.StartsWith("+971 ", StringComparison.Ordinal));
        Assert.Contains(phones, p => p.StartsWith('0') && p.Contains('-', StringComparison.Ordinal));
        Assert.Contains(phones, p => p.StartsWith("+971", StringComparison.Ordinal) && !p.Contains(' ', StringComparison.Ordinal));
    }

    [Fact]
    public void Same_seed_and_size_generate_the_same_leads()
    {
        var recordings = new Uri("https://recordings.example/");

        var first = new LeadGenerator(11).Generate(300, recordings);
        var second = new LeadGenerator(11).Generate(300, recordings);
        var other = new LeadGenerator(12).Generate(300, recordings);

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        Assert.All(first, l => Assert.True(l.CreatedAt < LeadGenerator.Epoch));
    }

    [Fact]
    public async Task Concurrent_lead_creation_loses_no_lead_and_reuses_no_id()
    {
        await using var sandbox = new SandboxFactory();
        var client = await sandbox.CreatePropertyFinderClientAsync();

        var created = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            using var response = await client.PostAsJsonAsync(new Uri("/_sandbox/propertyfinder/leads", UriKind.Relative), new { });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        }));

        Assert.Equal(40, created.Distinct().Count());
        var body = await GetAsync(client, "perPage=50");
        Assert.Equal(SeededLeads + 40, body["pagination"]!["total"]!.GetValue<int>());
    }

    internal static async Task<JsonNode> GetAsync(HttpClient client, string query)
    {
        using var response = await client.GetAsync(new Uri($"/v1/leads?{query}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    internal static DateTime CreatedAt(JsonNode? lead) =>
        DateTime.Parse(lead!["createdAt"]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
