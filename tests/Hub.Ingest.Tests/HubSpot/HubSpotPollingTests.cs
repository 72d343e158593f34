using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hub.Ingest.Tests.Hosting;

namespace Hub.Ingest.Tests.HubSpot;

/// <summary>
/// Search polling of a two-way HubSpot portal (the sandbox's HubSpot) into <c>hub-observations</c>: edits, archives,
/// late search visibility, the search result cap, and a restart.
/// </summary>
public sealed class HubSpotPollingTests : IngestTest
{
    private const string Connection = "portal";
    private const string Token = "sandbox-hubspot-token";

    protected override IDictionary<string, string?> SandboxSettings => new Dictionary<string, string?>
    {
        ["Sandbox:HubSpot:RateLimitsEnabled"] = "false",
        ["Sandbox:HubSpot:SearchVisibilityDelayMs"] = "0",
        ["Sandbox:HubSpot:SearchResultCap"] = "50",
    };

    [Fact]
    public async Task An_edit_made_in_HubSpot_is_observed_with_its_new_values()
    {
        var contact = await CreateAsync("contacts", new { firstname = "Ada", email = "ada@example.com" });
        var company = await CreateAsync("companies", new { name = "Analytical Engines" });
        var deal = await CreateAsync("deals", new { dealname = "Difference engine" });
        StartIngest(HubSpotSettings());
        await Observations.WaitUntilAsync(q => Seen(q, "contact", contact) && Seen(q, "company", company) && Seen(q, "deal", deal));

        await EditAsync("contacts", contact, new { firstname = "Augusta" });
        await EditAsync("companies", company, new { name = "Babbage & Co" });

        await Observations.WaitUntilAsync(q => Holds(q, contact, "firstname", "Augusta") && Holds(q, company, "name", "Babbage & Co"));
        var before = Records(Observations, "contact").First(r => r.Id == contact);
        var after = Records(Observations, "contact").First(r => r.Id == contact && Text(r, "firstname") == "Augusta");
        Assert.True(after.UpdatedUtc > before.UpdatedUtc, "the edit is a newer version of the contact");
        Assert.Equal("ada@example.com", Text(after, "email"));
        Assert.Null(after.DeletedUtc);
        Assert.All(Observations.Received, o => Assert.Equal("poll", o.Channel));
    }

    [Fact]
    public async Task A_walk_past_the_search_result_cap_misses_no_record()
    {
        // 70 contacts edited one by one, and 120 written by one batch at one instant: more than the cap of 50 at once.
        var ids = new HashSet<string>();
        for (var i = 0; i < 70; i++)
            ids.Add(await CreateAsync("contacts", new { firstname = $"One {i}" }));
        ids.UnionWith(await BatchCreateAsync("contacts", 120));

        StartIngest(HubSpotSettings());

        await Observations.WaitUntilAsync(q => ContactIds(q).IsSupersetOf(ids));
        Assert.Equal(190, ids.Count);
        Assert.Equal(ids.Order(), ContactIds(Observations).Order());
    }

    [Fact]
    public async Task Failing_cycles_are_repeated_from_their_checkpoint_and_lose_no_record()
    {
        var ids = new HashSet<string>();
        for (var i = 0; i < 70; i++)
            ids.Add(await CreateAsync("contacts", new { firstname = $"One {i}" }));
        ids.UnionWith(await BatchCreateAsync("contacts", 120));

        // Half of HubSpot's answers are 5xx and the client tries each request once: most cycles fail part-way.
        await Sandbox.SetFaultsAsync(new { serverErrorShare = 0.5 });
        var settings = HubSpotSettings();
        settings[$"HubSpot:Connections:{Connection}:MaxAttempts"] = "1";
        StartIngest(settings);

        await Observations.WaitUntilAsync(q => ContactIds(q).IsSupersetOf(ids));
        var failed = (await Sandbox.Control.GetFromJsonAsync<List<JsonElement>>(new Uri("/_sandbox/hubspot/requests", UriKind.Relative)))!
            .Count(r => r.GetProperty("path").GetString()!.StartsWith("/crm/v3/objects/contacts/search", StringComparison.Ordinal) && r.GetProperty("status").GetInt32() >= 500);
        Assert.True(failed > 0, "some searches failed");
        Assert.Equal(ids.Order(), ContactIds(Observations).Order());
    }

    [Fact]
    public async Task A_change_that_becomes_searchable_late_is_still_observed_thanks_to_the_look_back()
    {
        var late = await CreateAsync("contacts", new { firstname = "Lena" });
        var early = await CreateAsync("contacts", new { firstname = "Erik" });
        StartIngest(HubSpotSettings(lookBack: "00:01:00"));
        await Observations.WaitUntilAsync(q => Seen(q, "contact", late) && Seen(q, "contact", early));

        // HubSpot indexes the first edit late: the second, made after it, is searchable first and moves the checkpoint past it.
        await SetSearchDelayAsync(600_000);
        await EditAsync("contacts", late, new { firstname = "Lena (late)" });
        await SetSearchDelayAsync(0);
        // HubSpot stamps milliseconds: on a quiet machine both edits could share one, and then no look-back is needed.
        await Task.Delay(TimeSpan.FromMilliseconds(20));
        await EditAsync("contacts", early, new { firstname = "Erik (prompt)" });
        await Observations.WaitUntilAsync(q => Holds(q, early, "firstname", "Erik (prompt)"));
        var prompt = Observations.Records.First(r => r.Id == early && Text(r, "firstname") == "Erik (prompt)").UpdatedUtc!.Value;
        await WaitForCheckpointAsync("hubspot:contacts", prompt);
        Assert.DoesNotContain(Observations.Records, r => Holds(r, late, "firstname", "Lena (late)"));

        using (var catchUp = await Sandbox.Control.PostAsync(new Uri("/_sandbox/hubspot/search/catch-up", UriKind.Relative), null))
            catchUp.EnsureSuccessStatusCode();

        await Observations.WaitUntilAsync(q => Holds(q, late, "firstname", "Lena (late)"));
        var lateAt = Observations.Records.First(r => Holds(r, late, "firstname", "Lena (late)")).UpdatedUtc;
        Assert.True(lateAt < prompt, $"the late edit ({lateAt:O}) was made before the checkpoint it is found behind ({prompt:O})");
    }

    [Fact]
    public async Task An_archived_record_is_observed_as_a_deletion()
    {
        var archivedBefore = await CreateAsync("contacts", new { firstname = "Gone before" });
        await ArchiveAsync("contacts", archivedBefore);
        var archivedLater = await CreateAsync("deals", new { dealname = "Gone later" });
        StartIngest(HubSpotSettings());
        await Observations.WaitUntilAsync(q => Seen(q, "deal", archivedLater) && Records(q, "contact").Any(r => r.Id == archivedBefore && r.DeletedUtc is not null));

        await ArchiveAsync("deals", archivedLater);

        // Ids are per object type (a contact and a deal may share one), so records are told apart by resource too.
        await Observations.WaitUntilAsync(q => Records(q, "deal").Any(r => r.Id == archivedLater && r.DeletedUtc is not null));
        var live = Records(Observations, "deal").First(r => r.Id == archivedLater);
        var deletion = Records(Observations, "deal").First(r => r.Id == archivedLater && r.DeletedUtc is not null);
        Assert.True(deletion.UpdatedUtc >= live.UpdatedUtc, "the deletion is the newest version of the deal");
        Assert.Equal(deletion.DeletedUtc, deletion.UpdatedUtc);
        Assert.Equal("Gone later", Text(deletion, "dealname"));
    }

    [Fact]
    public async Task A_restart_resumes_from_the_checkpoint_instead_of_walking_everything_again()
    {
        var ids = new List<string>();
        for (var i = 0; i < 30; i++)
            ids.Add(await CreateAsync("contacts", new { firstname = $"Contact {i}" }));
        var first = StartIngest(HubSpotSettings(lookBack: "00:00:00"));
        await Observations.WaitUntilAsync(q => ContactIds(q).IsSupersetOf(ids));
        var newest = Observations.Records.Max(r => r.UpdatedUtc)!.Value;
        await WaitForCheckpointAsync("hubspot:contacts", newest);
        await StopAsync(first);
        while (await Observations.DrainAsync())
        {
        }

        var seenBefore = Observations.Received.Count;
        await EditAsync("contacts", ids[3], new { firstname = "Edited while away" });
        StartIngest(HubSpotSettings(lookBack: "00:00:00"));

        await Observations.WaitUntilAsync(q => Holds(q, ids[3], "firstname", "Edited while away"));
        var afterRestart = Observations.Received.Skip(seenBefore).SelectMany(o => o.Records).ToList();
        var atCheckpoint = Observations.Received.Take(seenBefore).SelectMany(o => o.Records).Where(r => r.UpdatedUtc == newest).Select(r => r.Id).ToHashSet();
        Assert.All(afterRestart, r => Assert.True(r.Id == ids[3] || atCheckpoint.Contains(r.Id), $"contact {r.Id} was sent again although it was behind the checkpoint"));
    }

    [Fact]
    public async Task A_quiet_portal_is_not_sent_again_every_cycle()
    {
        var ids = new HashSet<string>();
        for (var i = 0; i < 3; i++)
            ids.Add(await CreateAsync("contacts", new { firstname = $"Quiet {i}" }));
        StartIngest(HubSpotSettings());
        await Observations.WaitUntilAsync(q => ContactIds(q).IsSupersetOf(ids));
        var sent = Observations.Received.Count;

        await Task.Delay(TimeSpan.FromSeconds(2)); // ten cycles, each re-reading the same look-back
        while (await Observations.DrainAsync())
        {
        }

        Assert.Equal(sent, Observations.Received.Count);
    }

    [Fact]
    public async Task Two_ingest_hosts_on_one_portal_search_it_once_per_cycle()
    {
        var ids = new HashSet<string>();
        for (var i = 0; i < 3; i++)
            ids.Add(await CreateAsync("contacts", new { firstname = $"Once {i}" }));
        var settings = HubSpotSettings();
        settings[$"HubSpot:Connections:{Connection}:InboundPollInterval"] = "01:00:00";
        StartIngest(settings);
        StartIngest(settings);

        await Observations.WaitUntilAsync(q => ContactIds(q).IsSupersetOf(ids));
        await Task.Delay(TimeSpan.FromSeconds(2)); // room for a second poller to show itself, were there one

        var requests = (await Sandbox.Control.GetFromJsonAsync<List<JsonElement>>(new Uri("/_sandbox/hubspot/requests", UriKind.Relative)))!
            .Select(r => r.GetProperty("path").GetString()!).ToList();
        Assert.Single(requests, p => p.StartsWith("/crm/v3/objects/contacts/search", StringComparison.Ordinal));
        Assert.Single(requests, p => p.StartsWith("/crm/v3/objects/contacts?", StringComparison.Ordinal) && p.Contains("archived=true", StringComparison.Ordinal));
        Assert.Equal(3, Records(Observations, "contact").Count());
    }

    [Fact]
    public async Task A_deal_observed_by_the_poll_brings_its_contact_and_company_associations_with_their_labels()
    {
        var deal = await CreateAsync("deals", new { dealname = "Canal house" });
        var contact = await CreateAsync("contacts", new { firstname = "Cleo" });
        var company = await CreateAsync("companies", new { name = "Canal Capital" });
        await LabelAsync(deal, "contacts", contact, "Interested", "Bidder");
        await LabelAsync(deal, "companies", company);
        var settings = HubSpotSettings();
        settings[$"HubSpot:Connections:{Connection}:InboundAssociationSweep"] = "00:00:00";
        StartIngest(settings);

        await Observations.WaitUntilAsync(q => Seen(q, "association", $"deal-{deal}-contact-{contact}") && Seen(q, "association", $"deal-{deal}-company-{company}"));

        var withContact = Records(Observations, "association").First(r => r.Id == $"deal-{deal}-contact-{contact}");
        var withCompany = Records(Observations, "association").First(r => r.Id == $"deal-{deal}-company-{company}");
        Assert.Equal(("Bidder;Interested", deal, "contacts", contact), (Text(withContact, "labels"), Text(withContact, "dealId"), Text(withContact, "toObjectType"), Text(withContact, "toObjectId")));
        Assert.Equal(("", "companies"), (Text(withCompany, "labels"), Text(withCompany, "toObjectType")));
        Assert.Null(withContact.DeletedUtc);
    }

    [Fact]
    public async Task A_label_changed_in_HubSpot_without_webhooks_is_observed_by_the_association_sweep()
    {
        var deal = await CreateAsync("deals", new { dealname = "Mill" });
        var contact = await CreateAsync("contacts", new { firstname = "Milo" });
        await LabelAsync(deal, "contacts", contact, "Contacted");
        var settings = HubSpotSettings();
        settings[$"HubSpot:Connections:{Connection}:InboundAssociationSweep"] = "00:00:00.500";
        StartIngest(settings);
        var pair = $"deal-{deal}-contact-{contact}";
        await Observations.WaitUntilAsync(q => Seen(q, "deal", deal) && Records(q, "association").Any(r => r.Id == pair && Text(r, "labels") == "Contacted"));
        var dealsBefore = Records(Observations, "deal").Count(r => r.Id == deal);

        // A label does not touch the deal's last-modified date: the deal search has nothing new to find.
        await LabelAsync(deal, "contacts", contact, "Not interested");

        await Observations.WaitUntilAsync(q => Records(q, "association").Any(r => r.Id == pair && Text(r, "labels") == "Not interested"));
        Assert.Equal(dealsBefore, Records(Observations, "deal").Count(r => r.Id == deal));
    }

    private Dictionary<string, string?> HubSpotSettings(string lookBack = "00:00:30") => new()
    {
        [$"HubSpot:Connections:{Connection}:BaseUrl"] = Sandbox.BaseUrl.ToString(),
        [$"HubSpot:Connections:{Connection}:AccessToken"] = Token,
        [$"HubSpot:Connections:{Connection}:TwoWay"] = "true",
        [$"HubSpot:Connections:{Connection}:InboundPollInterval"] = "00:00:00.200",
        [$"HubSpot:Connections:{Connection}:InboundLookBack"] = lookBack,
        [$"HubSpot:Connections:{Connection}:BurstLimit"] = "10000",
        [$"HubSpot:Connections:{Connection}:SearchLimitPerSecond"] = "1000",
    };

    private static bool Seen(SentObservations q, string resource, string id) => Records(q, resource).Any(r => r.Id == id);

    private static bool Holds(SentObservations q, string id, string property, string value) => q.Records.Any(r => Holds(r, id, property, value));

    private static bool Holds(SentRecord r, string id, string property, string value) => r.Id == id && Text(r, property) == value;

    private static string? Text(SentRecord r, string property) =>
        r.Data.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static IEnumerable<SentRecord> Records(SentObservations q, string resource) =>
        q.Received.Where(o => o.Resource == resource).SelectMany(o => o.Records);

    private static HashSet<string> ContactIds(SentObservations q) => [.. Records(q, "contact").Select(r => r.Id)];

    /// <summary>A record created in HubSpot's UI (the control surface); its id.</summary>
    private async Task<string> CreateAsync(string objectType, object properties)
    {
        using var response = await Sandbox.Control.PostAsJsonAsync(new Uri($"/_sandbox/hubspot/objects/{objectType}", UriKind.Relative), new { properties });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>A user sets a deal's association labels with a contact or company in HubSpot's UI (none = unlabelled).</summary>
    private async Task LabelAsync(string deal, string toType, string toId, params string[] labels)
    {
        using var response = await Sandbox.Control.PostAsJsonAsync(new Uri($"/_sandbox/hubspot/associations/deals/{deal}/{toType}/{toId}", UriKind.Relative), new { labels });
        response.EnsureSuccessStatusCode();
    }

    private async Task EditAsync(string objectType, string id, object properties)
    {
        using var response = await Sandbox.Control.PatchAsJsonAsync(new Uri($"/_sandbox/hubspot/objects/{objectType}/{id}", UriKind.Relative), new { properties });
        response.EnsureSuccessStatusCode();
    }

    private async Task ArchiveAsync(string objectType, string id)
    {
        using var response = await Sandbox.Control.DeleteAsync(new Uri($"/_sandbox/hubspot/objects/{objectType}/{id}", UriKind.Relative));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Records created by one API batch: they share one last-modified instant.</summary>
    private async Task<List<string>> BatchCreateAsync(string objectType, int count)
    {
        var ids = new List<string>();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(100))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/crm/v3/objects/{objectType}/batch/create", UriKind.Relative))
            {
                Content = JsonContent.Create(new { inputs = chunk.Select(i => new { properties = new { firstname = $"Batch {i}" } }) }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var response = await Sandbox.Control.SendAsync(request);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            ids.AddRange(body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()!));
        }

        return ids;
    }

    private async Task SetSearchDelayAsync(int milliseconds)
    {
        using var response = await Sandbox.Control.PutAsJsonAsync(new Uri("/_sandbox/hubspot/settings", UriKind.Relative), new
        {
            rateLimitsEnabled = false, burstLimit = 100, burstWindowSeconds = 10, dailyLimit = 250_000, searchLimitPerSecond = 5,
            searchVisibilityDelayMs = milliseconds, searchResultCap = 50,
        });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Waits until the poller's checkpoint of <paramref name="scope"/> reached <paramref name="instant"/> (bounded, so a broken poller fails).</summary>
    private async Task WaitForCheckpointAsync(string scope, DateTimeOffset instant)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var watermark = await ScalarAsync<object>($"SELECT max(watermark) FROM hub_ingest.checkpoints WHERE connection = '{Connection}' AND scope = '{scope}'");
            if (watermark is DateTime at && new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) >= instant)
                return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The checkpoint of {scope} never reached {instant:O}.");
            await Task.Delay(100);
        }
    }
}
