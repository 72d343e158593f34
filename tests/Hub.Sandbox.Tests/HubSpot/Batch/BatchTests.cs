using System.Net;
using System.Text.Json.Nodes;

namespace Hub.Sandbox.Tests.HubSpot.Batch;

public sealed class BatchTests
{
    private static readonly string[] FirstName = ["firstname"];

    private static string Prop(JsonNode record, string name) => record["properties"]![name]!.GetValue<string>();

    private static JsonArray Results(JsonNode body) => body["results"]!.AsArray();

    [Fact]
    public async Task An_upsert_creates_then_updates_by_idProperty_and_says_which_results_are_new()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();

        using var first = await HubSpotSandbox.UpsertContactsAsync(client, ("ps-1", new { firstname = "Ann" }), ("ps-2", new { firstname = "Bo" }));
        var created = await HubSpotSandbox.ReadAsync(first);
        using var second = await HubSpotSandbox.UpsertContactsAsync(client, ("ps-1", new { firstname = "Anna" }), ("ps-3", new { firstname = "Cy" }));
        var mixed = await HubSpotSandbox.ReadAsync(second);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("COMPLETE", created["status"]!.GetValue<string>());
        Assert.All(Results(created), r => Assert.True(r!["new"]!.GetValue<bool>()));
        var byKey = Results(mixed).ToDictionary(r => Prop(r!, "propstreet_id"));
        Assert.False(byKey["ps-1"]!["new"]!.GetValue<bool>());
        Assert.Equal("Anna", Prop(byKey["ps-1"]!, "firstname"));
        Assert.Equal(Results(created).Single(r => Prop(r!, "propstreet_id") == "ps-1")!["id"]!.GetValue<string>(), byKey["ps-1"]!["id"]!.GetValue<string>());
        Assert.True(byKey["ps-3"]!["new"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Repeating_an_upsert_creates_no_duplicate()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();

        for (var attempt = 0; attempt < 3; attempt++)
            (await HubSpotSandbox.UpsertContactsAsync(client, ("ps-1", new { email = "one@example.com" }), ("ps-2", new { email = "two@example.com" }))).EnsureSuccessStatusCode();
        var list = await HubSpotSandbox.ReadAsync(await client.GetAsync("/crm/v3/objects/contacts"));
        var stats = await HubSpotSandbox.StatsAsync(sandbox.Control());

        Assert.Equal(2, Results(list).Count);
        Assert.Equal(2, stats["objects"]!["contacts"]!["created"]!.GetValue<long>());
    }

    [Fact]
    public async Task Concurrent_upserts_of_the_same_ids_create_each_record_once()
    {
        await using var sandbox = HubSpotSandbox.With(new Dictionary<string, string?> { ["Sandbox:HubSpot:RateLimitsEnabled"] = "false" });
        var client = sandbox.Api();
        var inputs = Enumerable.Range(0, 10).Select(i => ($"ps-{i}", (object)new { firstname = $"n{i}" })).ToArray();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => HubSpotSandbox.UpsertContactsAsync(client, inputs)));
        var bodies = await Task.WhenAll(responses.Select(HubSpotSandbox.ReadAsync));
        var created = bodies.Sum(b => Results(b).Count(r => r!["new"]!.GetValue<bool>()));
        var stats = await HubSpotSandbox.StatsAsync(sandbox.Control());

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(10, created);
        Assert.Equal(10, stats["objects"]!["contacts"]!["live"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_input_that_takes_another_records_unique_value_fails_alone_with_207_and_the_rest_is_written()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        var holder = Results(await HubSpotSandbox.ReadAsync(await HubSpotSandbox.UpsertContactsAsync(client, ("ps-1", new { email = "taken@example.com" }))))[0]!;

        using var response = await HubSpotSandbox.UpsertContactsAsync(client, ("ps-2", new { email = "taken@example.com" }), ("ps-3", new { email = "free@example.com" }));
        var body = await HubSpotSandbox.ReadAsync(response);

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        Assert.Equal(1, body["numErrors"]!.GetValue<int>());
        var error = body["errors"]![0]!;
        Assert.Equal("CONFLICT", error["category"]!.GetValue<string>());
        Assert.EndsWith($"Existing ID: {holder["id"]}", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["ps-2"], error["context"]!["ids"]!.AsArray().Select(i => i!.GetValue<string>()));
        Assert.Equal(["ps-3"], Results(body).Select(r => Prop(r!, "propstreet_id")));
    }

    [Fact]
    public async Task More_than_100_inputs_are_a_400_and_nothing_is_written()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();

        using var response = await HubSpotSandbox.UpsertContactsAsync(client, [.. Enumerable.Range(0, 101).Select(i => ($"ps-{i}", (object)new { firstname = "x" }))]);
        var list = await HubSpotSandbox.ReadAsync(await client.GetAsync("/crm/v3/objects/contacts"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("VALIDATION_ERROR", (await HubSpotSandbox.ReadAsync(response))["category"]!.GetValue<string>());
        Assert.Empty(Results(list));
    }

    [Fact]
    public async Task An_upsert_by_a_property_that_is_not_unique_is_a_400()
    {
        await using var sandbox = new HubSpotSandbox();

        using var response = await sandbox.Api().PostAsync("/crm/v3/objects/contacts/batch/upsert",
            HubSpotSandbox.Json(new { inputs = new[] { new { id = "Ann", idProperty = "firstname", properties = new { } } } }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("non-unique", (await HubSpotSandbox.ReadAsync(response))["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_id_twice_in_one_batch_is_a_400()
    {
        await using var sandbox = new HubSpotSandbox();

        using var response = await HubSpotSandbox.UpsertContactsAsync(sandbox.Api(), ("ps-1", new { firstname = "a" }), ("ps-1", new { firstname = "b" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Duplicate IDs found in batch input", (await HubSpotSandbox.ReadAsync(response))["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_create_is_all_or_nothing_when_a_unique_value_is_taken()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        await HubSpotSandbox.UpsertContactsAsync(client, ("ps-1", new { }));

        using var response = await client.PostAsync("/crm/v3/objects/contacts/batch/create", HubSpotSandbox.Json(new
        {
            inputs = new[] { new { properties = new { propstreet_id = "ps-2" } }, new { properties = new { propstreet_id = "ps-1" } } },
        }));
        var list = await HubSpotSandbox.ReadAsync(await client.GetAsync("/crm/v3/objects/contacts?properties=propstreet_id"));
        using var created = await client.PostAsync("/crm/v3/objects/contacts/batch/create", HubSpotSandbox.Json(new
        {
            inputs = new[] { new { properties = new { propstreet_id = "ps-2" } } },
        }));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(["ps-1"], Results(list).Select(r => Prop(r!, "propstreet_id")));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task A_batch_read_by_idProperty_answers_the_found_records_and_207_for_the_missing()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        await HubSpotSandbox.UpsertContactsAsync(client, ("ps-1", new { firstname = "Ann" }));

        using var response = await client.PostAsync("/crm/v3/objects/contacts/batch/read", HubSpotSandbox.Json(new
        {
            idProperty = "propstreet_id",
            properties = FirstName,
            inputs = new[] { new { id = "ps-1" }, new { id = "ps-404" } },
        }));
        var body = await HubSpotSandbox.ReadAsync(response);

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        Assert.Equal("Ann", Prop(Results(body).Single()!, "firstname"));
        Assert.Equal("OBJECT_NOT_FOUND", body["errors"]![0]!["category"]!.GetValue<string>());
        Assert.Equal(["ps-404"], body["errors"]![0]!["context"]!["ids"]!.AsArray().Select(i => i!.GetValue<string>()));
    }

    [Fact]
    public async Task A_batch_update_of_an_unknown_id_fails_that_input_with_207_OBJECT_NOT_FOUND()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        var id = Results(await HubSpotSandbox.ReadAsync(await HubSpotSandbox.UpsertContactsAsync(client, ("ps-1", new { }))))[0]!["id"]!.GetValue<string>();

        using var response = await client.PostAsync("/crm/v3/objects/contacts/batch/update", HubSpotSandbox.Json(new
        {
            inputs = new[] { new { id, properties = new { firstname = "Ann" } }, new { id = "999999", properties = new { firstname = "Nobody" } } },
        }));
        var body = await HubSpotSandbox.ReadAsync(response);

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        Assert.Equal("Ann", Prop(Results(body).Single()!, "firstname"));
        Assert.Equal(["999999"], body["errors"]![0]!["context"]!["ids"]!.AsArray().Select(i => i!.GetValue<string>()));
    }

    [Fact]
    public async Task A_batch_archive_answers_204_and_the_records_leave_the_list()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        var ids = Results(await HubSpotSandbox.ReadAsync(await HubSpotSandbox.UpsertContactsAsync(client, ("ps-1", new { }), ("ps-2", new { }), ("ps-3", new { }))))
            .Select(r => r!["id"]!.GetValue<string>()).ToList();

        using var response = await client.PostAsync("/crm/v3/objects/contacts/batch/archive", HubSpotSandbox.Json(new
        {
            inputs = new[] { new { id = ids[0] }, new { id = ids[1] }, new { id = "424242" } },
        }));
        var live = await HubSpotSandbox.ReadAsync(await client.GetAsync("/crm/v3/objects/contacts"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal([ids[2]], Results(live).Select(r => r!["id"]!.GetValue<string>()));
    }
}
