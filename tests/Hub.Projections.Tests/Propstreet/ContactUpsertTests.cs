using System.Text.Json.Nodes;
using Hub.Projections.Propstreet;

namespace Hub.Projections.Tests.Propstreet;

/// <summary>Contacts written back by HubSpot id: upsert by external reference, If-Match, revive, limits, E.164.</summary>
public sealed class ContactUpsertTests : PropstreetWriterTest
{
    private const string Upserts = "/api/v1/network/contacts/external/hubspot/";

    [Fact]
    public async Task An_upsert_by_hubspot_id_creates_the_contact_once_and_then_updates_that_same_contact()
    {
        var writer = StartWriter();

        var created = Written(await writer.UpsertContactByExternalRefAsync("hubspot", "512", new ContactChanges { FirstName = "Ada", LastName = "Lovelace", Email = "ada@example.com" }));
        var updated = Written(await writer.UpsertContactByExternalRefAsync("hubspot", "512", new ContactChanges { LastName = "King" }));

        Assert.Equal(("created", "updated"), (created.Action, updated.Action));
        Assert.Equal(created.Id, updated.Id);
        Assert.Equal(("Ada", "King", "ada@example.com"), (Text(updated.Record, "firstName"), Text(updated.Record, "lastName"), Text(updated.Record, "email")));
        Assert.True(updated.UpdatedUtc > created.UpdatedUtc);
        Assert.NotEqual(created.ETag, updated.ETag);
        var list = await Sandbox.ApiGetAsync("/api/v1/network/contacts?page_size=500");
        Assert.Single(list.GetProperty("data").EnumerateArray(), c => Refs(c, "hubspot").Contains("512"));
    }

    [Fact]
    public async Task A_written_contact_is_the_record_the_poller_reads_in_a_list_page()
    {
        var writer = StartWriter();

        var written = Written(await writer.UpsertContactByExternalRefAsync("hubspot", "7", new ContactChanges { FirstName = "Grace", Tags = ["vip"] }));

        var page = await Sandbox.ApiGetAsync("/api/v1/network/contacts?page_size=500&include_deleted=true");
        var listed = Assert.Single(page.GetProperty("data").EnumerateArray(), c => Text(c, "id") == written.Id);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(listed.GetRawText()), JsonNode.Parse(written.Record.GetRawText())), $"list: {listed}\nwrite: {written.Record}");
        var observed = written.ToObservedRecord();
        Assert.Equal((written.Id, written.UpdatedUtc, written.ETag), (observed.Id, observed.UpdatedUtc, observed.ETag));
    }

    [Fact]
    public async Task Match_by_email_gives_the_existing_contact_the_hubspot_id_instead_of_creating_another()
    {
        var existing = await Sandbox.UiAsync(HttpMethod.Post, "contacts", new { firstName = "Ada", email = "ada@example.com" });
        var writer = StartWriter();

        var written = Written(await writer.UpsertContactByExternalRefAsync("hubspot", "901", new ContactChanges { Email = "  ADA@Example.com ", LastName = "Lovelace" }, matchEmail: true));

        Assert.Equal((Text(existing, "id"), "updated"), (written.Id, written.Action));
        Assert.Equal(["901"], Refs(written.Record, "hubspot"));
        Assert.Equal(("Ada", "Lovelace", "ada@example.com"), (Text(written.Record, "firstName"), Text(written.Record, "lastName"), Text(written.Record, "email")));
    }

    [Fact]
    public async Task A_stale_if_match_is_refused_as_a_failed_precondition_and_changes_nothing()
    {
        var writer = StartWriter();
        var first = Written(await writer.UpsertContactByExternalRefAsync("hubspot", "3", new ContactChanges { FirstName = "Ada" }));
        var second = Written(await writer.UpsertContactByExternalRefAsync("hubspot", "3", new ContactChanges { FirstName = "Augusta" }, ifMatch: first.ETag));

        var stale = await writer.UpsertContactByExternalRefAsync("hubspot", "3", new ContactChanges { FirstName = "Stale" }, ifMatch: first.ETag);

        Assert.IsType<PropstreetWriteResult.PreconditionFailed>(stale);
        var now = Written(await writer.GetContactAsync(first.Id));
        Assert.Equal(("Augusta", second.ETag), (Text(now.Record, "firstName"), now.ETag));
    }

    [Fact]
    public async Task A_deleted_contact_is_revived_with_its_id_rather_than_created_again()
    {
        var writer = StartWriter();
        var created = Written(await writer.UpsertContactByExternalRefAsync("hubspot", "44", new ContactChanges { FirstName = "Ada" }));
        var deleted = Written(await writer.DeleteContactAsync(created.Id, created.ETag));

        var revived = Written(await writer.UpsertContactByExternalRefAsync("hubspot", "44", new ContactChanges { LastName = "Lovelace" }, revive: true));

        Assert.NotNull(deleted.DeletedUtc);
        Assert.Equal((created.Id, "revived", (DateTimeOffset?)null), (revived.Id, revived.Action, revived.DeletedUtc));
        Assert.Equal(("Ada", "Lovelace"), (Text(revived.Record, "firstName"), Text(revived.Record, "lastName")));
    }

    [Fact]
    public async Task Update_only_finds_no_contact_for_an_unknown_hubspot_id_and_creates_none()
    {
        var writer = StartWriter();

        var result = await writer.UpsertContactByExternalRefAsync("hubspot", "unknown", new ContactChanges { FirstName = "Nobody" }, createOnly: true);

        Assert.IsType<PropstreetWriteResult.NotFound>(result);
        var list = await Sandbox.ApiGetAsync("/api/v1/network/contacts?page_size=500&include_deleted=true");
        Assert.DoesNotContain(list.GetProperty("data").EnumerateArray(), c => Text(c, "firstName") == "Nobody");
    }

    [Fact]
    public async Task A_national_phone_number_is_written_in_E164()
    {
        var writer = StartWriter();

        // Without its trunk zero: Propstreet would keep this one as given, so only the writer can make it E.164.
        var written = Written(await writer.UpsertContactByExternalRefAsync("hubspot", "46", new ContactChanges { Phone = "70-123 45 67" }));

        Assert.Equal("+46701234567", Text(written.Record, "phone"));
    }

    [Fact]
    public async Task An_empty_value_clears_the_field_and_fields_left_unset_keep_their_value()
    {
        var writer = StartWriter();
        Written(await writer.UpsertContactByExternalRefAsync("hubspot", "8", new ContactChanges { FirstName = "Ada", Strategy = "Offices in Malmö", Tags = ["vip", "nordic"] }));

        var written = Written(await writer.UpsertContactByExternalRefAsync("hubspot", "8", new ContactChanges { Strategy = "", Tags = [] }));

        Assert.Equal("Ada", Text(written.Record, "firstName"));
        Assert.Null(Text(written.Record, "strategy"));
        Assert.Empty(written.Record.GetProperty("tags").EnumerateArray());
    }

    [Fact]
    public async Task An_over_long_name_is_refused_naming_the_field_before_anything_is_sent()
    {
        var writer = StartWriter();
        var created = Written(await writer.UpsertContactByExternalRefAsync("hubspot", "9", new ContactChanges { FirstName = "Ada" }));
        var sent = Sandbox.RequestsTo("PATCH", Upserts).Count;

        var result = await writer.UpsertContactByExternalRefAsync("hubspot", "9", new ContactChanges { FirstName = new string('a', 101), LastName = "Lovelace" });

        var invalid = Assert.IsType<PropstreetWriteResult.Invalid>(result);
        Assert.Equal("firstName", invalid.Field);
        Assert.Equal(sent, Sandbox.RequestsTo("PATCH", Upserts).Count);
        var now = Written(await writer.GetContactAsync(created.Id));
        Assert.Equal((created.ETag, (string?)null), (now.ETag, Text(now.Record, "lastName")));
    }

    [Fact]
    public async Task The_writer_learns_its_own_change_origin_from_its_writes_and_tells_it_apart_from_the_ui()
    {
        var writer = StartWriter();
        Assert.Null(writer.ChangeOrigin);
        var ui = await Sandbox.UiAsync(HttpMethod.Post, "contacts", new { firstName = "Edited in the UI" });

        var written = Written(await writer.UpsertContactByExternalRefAsync("hubspot", "10", new ContactChanges { FirstName = "Ada" }));

        Assert.NotNull(writer.ChangeOrigin);
        Assert.Equal(writer.ChangeOrigin, written.ChangeOrigin);
        Assert.NotEqual(writer.ChangeOrigin, Text(ui, "changeOrigin"));
        Assert.DoesNotContain(Token, writer.ChangeOrigin, StringComparison.Ordinal);
    }
}
