using System.Net;
using System.Net.Http.Json;
using Hub.Sandbox.Tests.Hosting;

namespace Hub.Sandbox.Tests.HubSpot.Control;

public sealed class ControlTests
{
    [Fact]
    public async Task Stats_count_requests_per_operation_and_records_created_so_a_test_can_prove_no_duplicate()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();

        await HubSpotSandbox.UpsertContactsAsync(client, ("ps-1", new { firstname = "a" }), ("ps-2", new { firstname = "b" }));
        await HubSpotSandbox.UpsertContactsAsync(client, ("ps-1", new { firstname = "c" }), ("ps-2", new { firstname = "b" }));
        await client.GetAsync("/crm/v3/objects/contacts");
        var stats = await HubSpotSandbox.StatsAsync(sandbox.Control());
        var contacts = stats["objects"]!["contacts"]!;

        Assert.Equal(2, contacts["requests"]!["batch/upsert"]!.GetValue<long>());
        Assert.Equal(1, contacts["requests"]!["list"]!.GetValue<long>());
        Assert.Equal(2, contacts["created"]!.GetValue<long>());
        Assert.Equal(1, contacts["updated"]!.GetValue<long>());
        Assert.Equal(2, contacts["live"]!.GetValue<int>());
        Assert.Equal(3, stats["requests"]!.GetValue<long>());
    }

    [Fact]
    public async Task An_upsert_that_changes_nothing_counts_as_write_inputs_but_updates_and_creates_nothing()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        await HubSpotSandbox.UpsertContactsAsync(client, ("ps-1", new { firstname = "a" }));
        var before = (await HubSpotSandbox.StatsAsync(sandbox.Control()))["objects"]!["contacts"]!;

        await HubSpotSandbox.UpsertContactsAsync(client, ("ps-1", new { firstname = "a" }));
        var after = (await HubSpotSandbox.StatsAsync(sandbox.Control()))["objects"]!["contacts"]!;

        Assert.Equal(1, before["writeInputs"]!.GetValue<long>());
        Assert.Equal(2, after["writeInputs"]!.GetValue<long>());
        Assert.Equal(0, after["updated"]!.GetValue<long>());
        Assert.Equal(1, after["created"]!.GetValue<long>());
    }

    [Fact]
    public async Task The_request_log_lists_each_crm_request_with_its_status()
    {
        await using var sandbox = new HubSpotSandbox();
        await sandbox.Api().GetAsync("/crm/v3/objects/contacts?limit=2");
        await sandbox.Api("wrong").GetAsync("/crm/v3/owners");

        var log = (await sandbox.Control().GetFromJsonAsync<System.Text.Json.Nodes.JsonArray>("/_sandbox/hubspot/requests"))!;

        Assert.Equal(["GET /crm/v3/objects/contacts?limit=2 200", "GET /crm/v3/owners 401"],
            log.Select(e => $"{e!["method"]} {e["path"]} {e["status"]}"));
    }

    [Fact]
    public async Task Stats_show_the_most_requests_in_any_burst_window_and_the_429s_sent()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var sandbox = HubSpotSandbox.With(new Dictionary<string, string?> { ["Sandbox:HubSpot:BurstLimit"] = "4" }, clock);
        var client = sandbox.Api();

        for (var i = 0; i < 3; i++)
            await client.GetAsync("/crm/v3/owners");
        clock.Advance(TimeSpan.FromSeconds(11));
        for (var i = 0; i < 6; i++)
            await client.GetAsync("/crm/v3/owners");
        var stats = await HubSpotSandbox.StatsAsync(sandbox.Control());

        Assert.Equal(6, stats["maxRequestsInBurstWindow"]!.GetValue<int>());
        Assert.Equal(2, stats["rateLimited"]!["TEN_SECONDLY_ROLLING"]!.GetValue<long>());
        Assert.Equal(9, stats["requests"]!.GetValue<long>());
    }

    [Fact]
    public async Task Settings_turn_rate_limits_off_at_runtime_for_a_benchmark()
    {
        await using var sandbox = HubSpotSandbox.With(new Dictionary<string, string?> { ["Sandbox:HubSpot:BurstLimit"] = "1" });
        var client = sandbox.Api();
        var control = sandbox.Control();
        var settings = (await control.GetFromJsonAsync<Dictionary<string, object>>("/_sandbox/hubspot/settings"))!;
        settings["rateLimitsEnabled"] = false;

        await HubSpotSandbox.PutAsync(control, "/_sandbox/hubspot/settings", settings);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
            statuses.Add((await client.GetAsync("/crm/v3/owners")).StatusCode);
        using var invalid = await control.PutAsync("/_sandbox/hubspot/settings", HubSpotSandbox.Json(new { rateLimitsEnabled = true, burstLimit = 0, burstWindowSeconds = 10, dailyLimit = 1, searchLimitPerSecond = 5, searchVisibilityDelayMs = 0 }));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    [Fact]
    public async Task A_user_edit_archive_and_merge_in_the_CRM_change_the_records_the_API_serves()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        var control = sandbox.Control();
        var ids = (await HubSpotSandbox.ReadAsync(await HubSpotSandbox.UpsertContactsAsync(client,
            ("ps-1", new { email = "keep@example.com" }), ("ps-2", new { email = "merged@example.com", phone = "+46 70 123" }), ("ps-3", new { }))))
            ["results"]!.AsArray().ToDictionary(r => r!["properties"]!["propstreet_id"]!.GetValue<string>(), r => r!["id"]!.GetValue<string>());

        using var edit = await control.PatchAsync($"/_sandbox/hubspot/objects/contacts/{ids["ps-1"]}", HubSpotSandbox.Json(new { properties = new { firstname = "Edited" } }));
        using var archive = await control.DeleteAsync($"/_sandbox/hubspot/objects/contacts/{ids["ps-3"]}");
        using var merge = await control.PostAsync("/_sandbox/hubspot/objects/contacts/merge", HubSpotSandbox.Json(new { primaryObjectId = ids["ps-1"], objectIdToMerge = ids["ps-2"] }));
        var primary = await HubSpotSandbox.ReadAsync(await client.GetAsync($"/crm/v3/objects/contacts/{ids["ps-1"]}?properties=firstname,phone,email,hs_merged_object_ids"));
        var mergedRead = await HubSpotSandbox.ReadAsync(await client.GetAsync($"/crm/v3/objects/contacts/{ids["ps-2"]}"));
        var live = await HubSpotSandbox.ReadAsync(await client.GetAsync("/crm/v3/objects/contacts"));

        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, archive.StatusCode);
        Assert.Equal(HttpStatusCode.OK, merge.StatusCode);
        Assert.Equal("Edited", primary["properties"]!["firstname"]!.GetValue<string>());
        Assert.Equal("keep@example.com", primary["properties"]!["email"]!.GetValue<string>());
        Assert.Equal("+46 70 123", primary["properties"]!["phone"]!.GetValue<string>());
        Assert.Equal(ids["ps-2"], primary["properties"]!["hs_merged_object_ids"]!.GetValue<string>());
        Assert.Equal(ids["ps-1"], mergedRead["id"]!.GetValue<string>());
        Assert.Equal([ids["ps-1"]], live["results"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Reset_brings_back_an_empty_portal_with_the_seeded_owners_and_listings()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        var listingsBefore = (await HubSpotSandbox.StatsAsync(sandbox.Control()))["objects"]!["listings"]!["live"]!.GetValue<int>();
        await HubSpotSandbox.UpsertContactsAsync(client, ("ps-1", new { }));

        using var reset = await sandbox.Control().PostAsync("/_sandbox/hubspot/reset", null);
        var stats = await HubSpotSandbox.StatsAsync(sandbox.Control());

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(0, stats["objects"]!["contacts"]!["live"]!.GetValue<int>());
        Assert.Equal(listingsBefore, stats["objects"]!["listings"]!["live"]!.GetValue<int>());
        Assert.Equal(0, stats["requests"]!.GetValue<long>());
    }

    [Fact]
    public async Task Without_the_admin_surface_the_control_paths_are_404()
    {
        await using var sandbox = HubSpotSandbox.With(new Dictionary<string, string?> { ["Sandbox:AdminEnabled"] = "false" });

        using var response = await sandbox.Control().GetAsync("/_sandbox/hubspot/stats");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_pair_edited_in_the_CRM_holds_exactly_the_labels_given_and_an_unknown_label_or_record_is_refused_with_a_problem()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        var deal = (await HubSpotSandbox.ReadAsync(await client.PostAsync("/crm/v3/objects/deals", HubSpotSandbox.Json(new { properties = new { dealname = "Tower" } }))))["id"]!.GetValue<string>();
        var company = (await HubSpotSandbox.ReadAsync(await client.PostAsync("/crm/v3/objects/companies", HubSpotSandbox.Json(new { properties = new { name = "Acme" } }))))["id"]!.GetValue<string>();
        var control = sandbox.Control();
        var path = $"/_sandbox/hubspot/associations/deals/{deal}/companies/{company}";
        string[] both = ["Interested", "Bidder"], bidder = ["Bidder"], landlord = ["Landlord"];

        (await control.PostAsync(path, HubSpotSandbox.Json(new { labels = both }))).EnsureSuccessStatusCode();
        var set = await HubSpotSandbox.ReadAsync(await control.PostAsync(path, HubSpotSandbox.Json(new { labels = bidder })));
        using var unknownLabel = await control.PostAsync(path, HubSpotSandbox.Json(new { labels = landlord }));
        using var unknownRecord = await control.PostAsync($"/_sandbox/hubspot/associations/deals/{deal}/companies/999999999", HubSpotSandbox.Json(new { labels = Array.Empty<string>() }));
        using var removed = await control.DeleteAsync(path);
        using var read = await client.PostAsync("/crm/v4/associations/deals/companies/batch/read", HubSpotSandbox.Json(new { inputs = new[] { new { id = deal } } }));

        Assert.Equal([115, 341], set["associationTypes"]!.AsArray().Select(t => t!["typeId"]!.GetValue<int>()).Order());
        Assert.Equal(HttpStatusCode.BadRequest, unknownLabel.StatusCode);
        Assert.Equal("application/problem+json", unknownLabel.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, unknownRecord.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.MultiStatus, read.StatusCode);
    }
}
