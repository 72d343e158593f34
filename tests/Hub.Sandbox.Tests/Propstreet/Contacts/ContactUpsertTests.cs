using System.Net;
using System.Text.Json.Nodes;
using Hub.Sandbox.Tests.Hosting;

namespace Hub.Sandbox.Tests.Propstreet.Contacts;

public sealed class ContactUpsertTests(PropstreetSandbox sandbox) : IClassFixture<PropstreetSandbox>
{
    private static string Ref() => "ext-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Upsert_returns_created_then_updated_then_revived_after_a_delete()
    {
        var client = sandbox.ClientFor();
        var externalId = Ref();
        var url = $"/api/v1/network/contacts/external/hubspot/{externalId}";

        var created = await client.PatchAsync(url, Json.Body(new { firstName = "Jane", lastName = "Doe", email = $"{externalId}@example.com" }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("created", created.Headers.GetValues("X-Propstreet-Upsert-Action").Single());
        var contact = await created.ReadObjectAsync();
        var id = contact.Str("id");
        Assert.Equal($"/api/v1/network/contacts/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal(contact.Str("etag"), created.Headers.ETag?.ToString());

        var updated = await client.PatchAsync(url.Replace("hubspot", "HubSpot", StringComparison.Ordinal), Json.Body(new { lastName = "Smith" }));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("updated", updated.Headers.GetValues("X-Propstreet-Upsert-Action").Single());
        Assert.Equal(id, (await updated.ReadObjectAsync()).Str("id"));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/network/contacts/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/network/contacts/{id}")).StatusCode);

        var revived = await client.PatchAsync(url, Json.Body(new { firstName = "Janet" }));
        Assert.Equal(HttpStatusCode.OK, revived.StatusCode);
        Assert.Equal("revived", revived.Headers.GetValues("X-Propstreet-Upsert-Action").Single());
        var body = await revived.ReadObjectAsync();
        Assert.Equal(id, body.Str("id"));
        Assert.Null(body["deletedUtc"]);
        Assert.Equal("Smith", body.Str("lastName"));
        Assert.Equal("Janet", body.Str("firstName"));
    }

    [Fact]
    public async Task Upsert_with_revive_false_creates_a_new_contact_instead_of_reviving()
    {
        var client = sandbox.ClientFor();
        var url = $"/api/v1/network/contacts/external/salesforce/{Ref()}";
        var id = (await (await client.PatchAsync(url, Json.Body(new { firstName = "A" }))).ReadObjectAsync()).Str("id");
        await client.DeleteAsync($"/api/v1/network/contacts/{id}");

        var response = await client.PatchAsync(url + "?revive=false", Json.Body(new { firstName = "B" }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.NotEqual(id, (await response.ReadObjectAsync()).Str("id"));
    }

    [Fact]
    public async Task Upsert_normalises_phones_to_E164_and_fills_primary_email_and_phone_from_the_arrays()
    {
        var client = sandbox.ClientFor();
        var response = await client.PatchAsync($"/api/v1/network/contacts/external/pipedrive/{Ref()}", Json.Body(new
        {
            firstName = "John",
            emails = new[] { new { address = "john@work.com", type = "work" }, new { address = "john@personal.com", type = "personal" } },
            phones = new[] { new { number = "070-123 45 67", type = "mobile" }, new { number = "(08) 765 43 21", type = "work" }, new { number = "ask reception", type = "work" } },
        }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var contact = await response.ReadObjectAsync();
        Assert.Equal("john@work.com", contact.Str("email"));
        Assert.Equal("+46701234567", contact.Str("phone"));
        var phones = contact["phones"]!.AsArray().Select(p => p!.Str("number")).ToList();
        Assert.Equal(["+46701234567", "+4687654321", "ask reception"], phones);
        Assert.True(contact["emails"]![0]!["isPrimary"]!.GetValue<bool>());
        Assert.False(contact["emails"]![1]!["isPrimary"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Upsert_with_null_email_and_phone_beside_the_arrays_makes_the_first_entries_primary_as_in_the_docs_example()
    {
        var response = await sandbox.ClientFor().PatchAsync($"/api/v1/network/contacts/external/hubspot/{Ref()}", Json.Raw("""
            {"firstName":null,"lastName":"Null","email":null,"phone":null,
             "emails":[{"address":"first@example.com","type":null},{"address":"second@example.com","type":"work"}],
             "phones":[{"number":"+46701234567","type":null}]}
            """));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var contact = await response.ReadObjectAsync();
        Assert.Equal("first@example.com", contact.Str("email"));
        Assert.Equal("+46701234567", contact.Str("phone"));
        Assert.Equal([true, false], contact["emails"]!.AsArray().Select(e => e!["isPrimary"]!.GetValue<bool>()));
        Assert.True(contact["phones"]![0]!["isPrimary"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Upsert_with_match_email_adds_the_reference_to_the_contact_that_has_the_email()
    {
        var client = sandbox.ClientFor();
        var email = $"{Ref()}@example.com";
        var existing = await (await client.PostAsync("/api/v1/network/contacts", Json.Body(new { firstName = "Eva", email }))).ReadObjectAsync();
        var externalId = Ref();

        var response = await client.PatchAsync($"/api/v1/network/contacts/external/hubspot/{externalId}?match=email", Json.Body(new { email, lastName = "Ek" }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("updated", response.Headers.GetValues("X-Propstreet-Upsert-Action").Single());
        var contact = await response.ReadObjectAsync();
        Assert.Equal(existing.Str("id"), contact.Str("id"));
        Assert.Contains(contact["externalRefs"]!.AsArray(), r => r!.Str("namespace") == "hubspot" && r!.Str("id") == externalId);
    }

    [Fact]
    public async Task Upsert_with_match_email_replaces_a_ref_the_matched_contact_holds_in_that_namespace_by_default()
    {
        var client = sandbox.ClientFor();
        var email = $"{Ref()}@example.com";
        var (held, incoming) = (Ref(), Ref());
        var existing = await (await client.PatchAsync($"/api/v1/network/contacts/external/hubspot/{held}", Json.Body(new { email }))).ReadObjectAsync();

        var response = await client.PatchAsync($"/api/v1/network/contacts/external/hubspot/{incoming}?match=email", Json.Body(new { email }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var contact = await response.ReadObjectAsync();
        Assert.Equal(existing.Str("id"), contact.Str("id"));
        Assert.Equal([incoming], contact["externalRefs"]!.AsArray().Where(r => r!.Str("namespace") == "hubspot").Select(r => r!.Str("id")));
    }

    [Fact]
    public async Task With_MatchEmailReplacesRef_off_match_email_onto_a_contact_linked_in_that_namespace_is_a_409_that_changes_nothing()
    {
        await using var strict = PropstreetSandbox.With(new Dictionary<string, string?> { ["Sandbox:Sizes:Contacts"] = "10", ["Sandbox:Propstreet:MatchEmailReplacesRef"] = "false" });
        var client = strict.ClientFor();
        var email = $"{Ref()}@example.com";
        var existing = await (await client.PatchAsync($"/api/v1/network/contacts/external/hubspot/{Ref()}", Json.Body(new { email }))).ReadObjectAsync();

        var response = await client.PatchAsync($"/api/v1/network/contacts/external/hubspot/{Ref()}?match=email", Json.Body(new { email }));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("urn:propstreet:error:external-ref-conflict", (await response.ReadObjectAsync()).Str("type"));
        Assert.Equal(existing.ToJsonString(), (await (await client.GetAsync($"/api/v1/network/contacts/{existing.Str("id")}")).ReadObjectAsync()).ToJsonString());
    }

    [Fact]
    public async Task An_upsert_that_changes_nothing_still_bumps_updatedUtc_and_the_etag_by_default()
    {
        var client = sandbox.ClientFor();
        var url = $"/api/v1/network/contacts/external/hubspot/{Ref()}";
        var first = await (await client.PatchAsync(url, Json.Raw("""{"firstName":"Same","tags":["a"]}"""))).ReadObjectAsync();
        var second = await (await client.PatchAsync(url, Json.Raw("""{"firstName":"Same","tags":["a"]}"""))).ReadObjectAsync();
        Assert.NotEqual(first.Str("etag"), second.Str("etag"));
        Assert.NotEqual(first.Str("updatedUtc"), second.Str("updatedUtc"));
    }

    [Fact]
    public async Task With_NoOpUpsertTouches_off_an_upsert_that_changes_nothing_leaves_the_contact_and_sends_no_webhook()
    {
        await using var quiet = PropstreetSandbox.With(new Dictionary<string, string?> { ["Sandbox:Sizes:Contacts"] = "10", ["Sandbox:Propstreet:NoOpUpsertTouches"] = "false" });
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = quiet.ClientFor();
        var url = $"/api/v1/network/contacts/external/hubspot/{Ref()}";
        var first = await (await client.PatchAsync(url, Json.Raw("""{"firstName":"Same","tags":["a"]}"""))).ReadObjectAsync();
        await client.PostAsync("/api/v1/webhooks", Json.Raw($$"""{"url":"{{receiver.Url}}","events":["contact.updated"]}"""));

        var unchanged = await client.PatchAsync(url, Json.Raw("""{"firstName":"Same","tags":["a"]}"""));
        var changed = await (await client.PatchAsync(url, Json.Body(new { firstName = "Different" }))).ReadObjectAsync();

        Assert.Equal("updated", unchanged.Headers.GetValues("X-Propstreet-Upsert-Action").Single());
        var same = await unchanged.ReadObjectAsync();
        Assert.Equal(first.Str("etag"), same.Str("etag"));
        Assert.Equal(first.Str("updatedUtc"), same.Str("updatedUtc"));
        // The first webhook to arrive is the real change's: the no-op sent none before it.
        Assert.Equal(changed.Str("etag"), JsonNode.Parse((await receiver.NextAsync()).Body)!["data"]!.Str("etag"));
        var history = await (await client.GetAsync("/api/v1/webhooks")).ReadObjectAsync();
        var deliveries = await (await client.GetAsync($"/api/v1/webhooks/{history["data"]![0]!.Str("id")}/deliveries")).ReadObjectAsync();
        Assert.Single(deliveries["data"]!.AsArray());
    }

    [Fact]
    public async Task Upsert_with_create_only_answers_404_when_no_contact_has_the_reference()
    {
        var response = await sandbox.ClientFor().PatchAsync($"/api/v1/network/contacts/external/hubspot/{Ref()}?create_only=true", Json.Body(new { firstName = "X" }));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Upsert_with_validate_only_persists_nothing()
    {
        var client = sandbox.ClientFor();
        var url = $"/api/v1/network/contacts/external/hubspot/{Ref()}";
        var response = await client.PatchAsync(url + "?validate_only=true", Json.Body(new { firstName = "Ghost" }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("created", response.Headers.GetValues("X-Propstreet-Upsert-Action").Single());
        Assert.Equal(HttpStatusCode.NotFound, (await client.PatchAsync(url + "?create_only=true", Json.Body(new { firstName = "Ghost" }))).StatusCode);
    }

    [Theory]
    [InlineData("firstName", 101)]
    [InlineData("lastName", 101)]
    [InlineData("phone", 21)]
    [InlineData("primaryLanguage", 11)]
    [InlineData("strategy", 4001)]
    public async Task Upsert_refuses_fields_over_the_documented_length_limits_with_400(string field, int length)
    {
        var body = Json.Raw($$"""{"{{field}}": "{{new string('1', length)}}"}""");
        var response = await sandbox.ClientFor().PatchAsync($"/api/v1/network/contacts/external/hubspot/{Ref()}", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Upsert_refuses_an_email_over_254_characters_with_400()
    {
        var email = new string('a', 250) + "@x.se";
        var response = await sandbox.ClientFor().PatchAsync($"/api/v1/network/contacts/external/hubspot/{Ref()}", Json.Body(new { email }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
