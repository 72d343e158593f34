using System.Net;
using System.Text.Json.Nodes;
using Hub.Sandbox.Tests.Hosting;

namespace Hub.Sandbox.Tests.HubSpot.Objects;

public sealed class ObjectTests
{
    private static string Prop(JsonNode record, string name) => record["properties"]![name]!.GetValue<string>();

    [Fact]
    public async Task A_created_contact_holds_every_value_as_a_string_with_createdate_lastmodifieddate_and_hs_object_id()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();

        using var response = await client.PostAsync("/crm/v3/objects/contacts",
            HubSpotSandbox.Json(new { properties = new { email = "Ann@Example.com", firstname = "Ann", propstreet_tags = 42, lead_message = true } }));
        var created = await HubSpotSandbox.ReadAsync(response);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = created["id"]!.GetValue<string>();
        Assert.Equal(id, Prop(created, "hs_object_id"));
        Assert.Equal("42", Prop(created, "propstreet_tags"));
        Assert.Equal("true", Prop(created, "lead_message"));
        Assert.Equal("ann@example.com", Prop(created, "email"));
        Assert.Equal(created["createdAt"]!.GetValue<string>(), Prop(created, "createdate"));
        Assert.Equal(created["updatedAt"]!.GetValue<string>(), Prop(created, "lastmodifieddate"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", created["createdAt"]!.GetValue<string>());

        var read = await HubSpotSandbox.ReadAsync(await client.GetAsync($"/crm/v3/objects/contacts/{id}?properties=propstreet_tags,phone,no_such_property"));
        Assert.Equal("42", Prop(read, "propstreet_tags"));
        Assert.Null(read["properties"]!["phone"]);
        Assert.True(read["properties"]!.AsObject().ContainsKey("phone"));
        Assert.False(read["properties"]!.AsObject().ContainsKey("no_such_property"));
    }

    [Fact]
    public async Task Companies_and_deals_keep_hs_lastmodifieddate_and_an_update_moves_it()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var sandbox = HubSpotSandbox.With(new Dictionary<string, string?>(), clock);
        var client = sandbox.Api();

        var deal = await HubSpotSandbox.ReadAsync(await client.PostAsync("/crm/v3/objects/deals",
            HubSpotSandbox.Json(new { properties = new { dealname = "Tower", amount = 1500000.5, dealstage = "qualifiedtobuy", pipeline = "default" } })));
        clock.Advance(TimeSpan.FromSeconds(1));
        using var patch = await client.PatchAsync($"/crm/v3/objects/deals/{deal["id"]}", HubSpotSandbox.Json(new { properties = new { dealstage = "closedwon" } }));
        var updated = await HubSpotSandbox.ReadAsync(patch);
        var company = await HubSpotSandbox.ReadAsync(await client.PostAsync("/crm/v3/objects/companies", HubSpotSandbox.Json(new { properties = new { name = "Acme" } })));

        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal("1500000.5", Prop(updated, "amount"));
        Assert.False(updated["properties"]!.AsObject().ContainsKey("lastmodifieddate"));
        Assert.True(DateTimeOffset.Parse(Prop(updated, "hs_lastmodifieddate"), System.Globalization.CultureInfo.InvariantCulture)
            > DateTimeOffset.Parse(Prop(deal, "hs_lastmodifieddate"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.NotNull(company["properties"]!["hs_lastmodifieddate"]);
    }

    [Fact]
    public async Task An_unknown_property_is_a_400_VALIDATION_ERROR_naming_PROPERTY_DOESNT_EXIST_and_creates_nothing()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();

        using var response = await client.PostAsync("/crm/v3/objects/contacts", HubSpotSandbox.Json(new { properties = new { email = "x@y.com", favourite_colour = "red" } }));
        var error = await HubSpotSandbox.ReadAsync(response);
        var list = await HubSpotSandbox.ReadAsync(await client.GetAsync("/crm/v3/objects/contacts"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("error", error["status"]!.GetValue<string>());
        Assert.Equal("VALIDATION_ERROR", error["category"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(error["correlationId"]!.GetValue<string>()));
        Assert.Contains("PROPERTY_DOESNT_EXIST", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("PROPERTY_DOESNT_EXIST", error["errors"]![0]!["code"]!.GetValue<string>());
        Assert.Empty(list["results"]!.AsArray());
    }

    [Fact]
    public async Task Read_only_properties_and_values_outside_a_property_type_are_refused()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();

        async Task<string> ErrorOf(object properties) =>
            (await HubSpotSandbox.ReadAsync(await client.PostAsync("/crm/v3/objects/deals", HubSpotSandbox.Json(new { properties }))))["message"]!.GetValue<string>();

        Assert.Contains("READ_ONLY_VALUE", await ErrorOf(new { hs_lastmodifieddate = "1700000000000" }), StringComparison.Ordinal);
        Assert.Contains("INVALID_FLOAT", await ErrorOf(new { amount = "a lot" }), StringComparison.Ordinal);
        Assert.Contains("INVALID_OPTION", await ErrorOf(new { dealstage = "nearly-done" }), StringComparison.Ordinal);
        Assert.Contains("INVALID_OPTION", await ErrorOf(new { hubspot_owner_id = "12345" }), StringComparison.Ordinal);
        Assert.Contains("INVALID_DATE", await ErrorOf(new { closedate = "next week" }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_taken_email_is_a_409_CONFLICT_naming_the_existing_id()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        var first = await HubSpotSandbox.ReadAsync(await client.PostAsync("/crm/v3/objects/contacts", HubSpotSandbox.Json(new { properties = new { email = "dup@example.com" } })));

        using var response = await client.PostAsync("/crm/v3/objects/contacts", HubSpotSandbox.Json(new { properties = new { email = "DUP@example.com" } }));
        var error = await HubSpotSandbox.ReadAsync(response);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("CONFLICT", error["category"]!.GetValue<string>());
        Assert.Equal($"Contact already exists. Existing ID: {first["id"]}", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_record_reads_and_updates_by_a_unique_property_with_idProperty()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        var created = await HubSpotSandbox.ReadAsync(await client.PostAsync("/crm/v3/objects/contacts", HubSpotSandbox.Json(new { properties = new { propstreet_id = "ps-7" } })));

        using var patch = await client.PatchAsync("/crm/v3/objects/contacts/ps-7?idProperty=propstreet_id", HubSpotSandbox.Json(new { properties = new { firstname = "Ola" } }));
        var read = await HubSpotSandbox.ReadAsync(await client.GetAsync("/crm/v3/objects/contacts/ps-7?idProperty=propstreet_id&properties=firstname"));
        using var byFirstname = await client.GetAsync("/crm/v3/objects/contacts/Ola?idProperty=firstname");

        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal(created["id"]!.GetValue<string>(), read["id"]!.GetValue<string>());
        Assert.Equal("Ola", Prop(read, "firstname"));
        Assert.Equal(HttpStatusCode.NotFound, byFirstname.StatusCode);
    }

    [Fact]
    public async Task An_archived_record_reads_404_and_is_listed_only_with_archived_true_carrying_archivedAt()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        var created = await HubSpotSandbox.ReadAsync(await client.PostAsync("/crm/v3/objects/companies", HubSpotSandbox.Json(new { properties = new { name = "Gone Ltd" } })));
        await client.PostAsync("/crm/v3/objects/companies", HubSpotSandbox.Json(new { properties = new { name = "Stays Ltd" } }));
        var id = created["id"]!.GetValue<string>();

        using var delete = await client.DeleteAsync($"/crm/v3/objects/companies/{id}");
        using var read = await client.GetAsync($"/crm/v3/objects/companies/{id}");
        var live = await HubSpotSandbox.ReadAsync(await client.GetAsync("/crm/v3/objects/companies"));
        var archived = await HubSpotSandbox.ReadAsync(await client.GetAsync("/crm/v3/objects/companies?archived=true"));

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal("OBJECT_NOT_FOUND", (await HubSpotSandbox.ReadAsync(read))["category"]!.GetValue<string>());
        Assert.Equal(["Stays Ltd"], live["results"]!.AsArray().Select(r => Prop(r!, "name")));
        var gone = Assert.Single(archived["results"]!.AsArray())!;
        Assert.Equal(id, gone["id"]!.GetValue<string>());
        Assert.True(gone["archived"]!.GetValue<bool>());
        Assert.NotNull(gone["archivedAt"]);
    }

    [Fact]
    public async Task A_list_pages_ten_by_default_with_an_after_cursor_until_every_record_was_seen_once()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        for (var batch = 0; batch < 3; batch++)
            await HubSpotSandbox.UpsertContactsAsync(client, [.. Enumerable.Range(batch * 9, 9).Select(i => ($"ps-{i}", (object)new { firstname = $"n{i}" }))]);

        var first = await HubSpotSandbox.ReadAsync(await client.GetAsync("/crm/v3/objects/contacts"));
        var seen = new List<string>();
        string? after = null;
        do
        {
            var page = await HubSpotSandbox.ReadAsync(await client.GetAsync("/crm/v3/objects/contacts?limit=4&properties=propstreet_id" + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}")));
            seen.AddRange(page["results"]!.AsArray().Select(r => Prop(r!, "propstreet_id")));
            after = page["paging"]?["next"]?["after"]?.GetValue<string>();
        }
        while (after is not null);
        using var tooMany = await client.GetAsync("/crm/v3/objects/contacts?limit=101");

        Assert.Equal(10, first["results"]!.AsArray().Count);
        Assert.NotNull(first["paging"]!["next"]!["link"]);
        Assert.Equal(27, seen.Count);
        Assert.Equal(27, seen.Distinct().Count());
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    [Fact]
    public async Task A_request_without_the_private_app_token_is_a_401_INVALID_AUTHENTICATION()
    {
        await using var sandbox = new HubSpotSandbox();

        using var none = await sandbox.CreateClient().GetAsync("/crm/v3/objects/contacts");
        using var wrong = await sandbox.Api("not-the-token").GetAsync("/crm/v3/objects/contacts");

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("INVALID_AUTHENTICATION", (await HubSpotSandbox.ReadAsync(wrong))["category"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_listings_custom_object_answers_under_its_name_its_fully_qualified_name_and_its_objectTypeId()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();

        var names = new[] { "listings", "p62515_listings", "2-9001" };
        var firsts = new List<string>();
        foreach (var name in names)
            firsts.Add((await HubSpotSandbox.ReadAsync(await client.GetAsync($"/crm/v3/objects/{name}?limit=1")))["results"]![0]!["id"]!.GetValue<string>());
        using var unknown = await client.GetAsync("/crm/v3/objects/spaceships");

        Assert.Single(firsts.Distinct());
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public async Task A_path_HubSpot_does_not_serve_is_a_404_in_HubSpots_error_shape()
    {
        await using var sandbox = new HubSpotSandbox();

        using var response = await sandbox.Api().GetAsync("/crm/v3/nothing/here");
        var body = await HubSpotSandbox.ReadAsync(response);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("error", body["status"]!.GetValue<string>());
        Assert.Equal("OBJECT_NOT_FOUND", body["category"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_API_merge_folds_one_contact_into_another_and_a_GDPR_delete_removes_a_contact_for_good()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        var ids = (await HubSpotSandbox.ReadAsync(await HubSpotSandbox.UpsertContactsAsync(client, ("a", new { }), ("b", new { city = "Dubai" }), ("c", new { email = "gone@example.com" }))))
            ["results"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToList();

        using var merge = await client.PostAsync("/crm/v3/objects/contacts/merge", HubSpotSandbox.Json(new { primaryObjectId = ids[0], objectIdToMerge = ids[1] }));
        using var gdpr = await client.PostAsync("/crm/v3/objects/contacts/gdpr-delete", HubSpotSandbox.Json(new { objectId = "gone@example.com", idProperty = "email" }));
        var merged = await HubSpotSandbox.ReadAsync(merge);
        var archived = await HubSpotSandbox.ReadAsync(await client.GetAsync("/crm/v3/objects/contacts?archived=true"));
        var live = await HubSpotSandbox.ReadAsync(await client.GetAsync("/crm/v3/objects/contacts"));

        Assert.Equal(HttpStatusCode.OK, merge.StatusCode);
        Assert.Equal(ids[0], merged["id"]!.GetValue<string>());
        Assert.Equal("Dubai", Prop(merged, "city"));
        Assert.Equal(HttpStatusCode.NoContent, gdpr.StatusCode);
        Assert.Empty(archived["results"]!.AsArray());
        Assert.Equal([ids[0]], live["results"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()));
    }
}
