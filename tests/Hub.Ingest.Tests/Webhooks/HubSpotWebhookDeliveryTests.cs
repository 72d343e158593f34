using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hub.Ingest.HubSpot;
using Hub.Ingest.Tests.Hosting;

namespace Hub.Ingest.Tests.Webhooks;

/// <summary>
/// Changes made in the HubSpot sandbox's CRM reach Ingest as the sandbox's signed deliveries over real HTTP; what
/// arrives on <c>hub-observations</c> is what the change became.
/// </summary>
public sealed class HubSpotWebhookDeliveryTests(HubSpotWebhookHostFixture fixture) : IClassFixture<HubSpotWebhookHostFixture>
{
    private HubSpotWebhookHost Host => fixture.Host;

    private static string Email(string name) => $"{name}.{Guid.NewGuid():N}@example.com";

    private static string? Text(SentRecord record, string property) =>
        record.Data.TryGetProperty(property, out var value) ? value.GetString() : null;

    private async Task ControlAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await Host.Sandbox.Control.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task A_user_edit_in_HubSpot_becomes_an_observation_of_the_record_with_its_new_values_versioned_by_its_last_change()
    {
        var id = await Host.CreateContactAsync(new { firstname = "Ann", lastname = "Lee", email = Email("ann") });

        await Host.EditContactAsync(id, new { firstname = "Anna" });
        var record = await Host.ObservedContactAsync(r => r.Id == id && Text(r, "firstname") == "Anna");

        var held = (await Host.ContactAsync(id)).GetProperty("properties");
        var observation = Host.Observations.Received.First(o => o.Records.Contains(record));
        Assert.Equal(("contact", "webhook"), (observation.Resource, observation.Channel));
        Assert.StartsWith($"webhook:{Host.Connection}:contact:", observation.ObservationId, StringComparison.Ordinal);
        Assert.Equal("Lee", Text(record, "lastname"));
        Assert.Equal(HubSpotObservations.Instant(held.GetProperty("lastmodifieddate").GetString()), record.UpdatedUtc);
        Assert.Null(record.DeletedUtc);
        // Who made the change is the echo detector's business, not a field of the record: a poll of this version reads the same.
        Assert.DoesNotContain(record.Data.EnumerateObject(), p => p.Name.StartsWith("hub_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_contact_deleted_in_HubSpot_is_observed_as_deleted_at_its_archive_instant()
    {
        var id = await Host.CreateContactAsync(new { firstname = "Dora", email = Email("dora") });

        await ControlAsync(HttpMethod.Delete, $"/_sandbox/hubspot/objects/contacts/{id}");
        var record = await Host.ObservedContactAsync(r => r.Id == id && r.DeletedUtc is not null);

        var archivedAt = HubSpotObservations.Instant((await Host.ContactAsync(id)).GetProperty("archivedAt").GetString());
        Assert.Equal(archivedAt, record.DeletedUtc);
        Assert.Equal(archivedAt, record.UpdatedUtc);
    }

    [Fact]
    public async Task A_contact_deleted_for_privacy_is_observed_as_gone_with_the_privacy_marker_and_nothing_of_it_kept()
    {
        var id = await Host.CreateContactAsync(new { firstname = "Gina", email = Email("gina") });

        await ControlAsync(HttpMethod.Post, $"/_sandbox/hubspot/objects/contacts/{id}/gdpr-delete");
        var record = await Host.ObservedContactAsync(r => r.Id == id && Text(r, HubSpotObservations.PrivacyDeleted) is not null);

        Assert.Equal("true", Text(record, HubSpotObservations.PrivacyDeleted));
        Assert.NotNull(record.DeletedUtc);
        Assert.Equal(["hs_object_id", HubSpotObservations.PrivacyDeleted], record.Data.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_merge_is_observed_as_the_primary_with_its_merged_state_and_the_merged_id_pointing_to_the_primary()
    {
        var primary = await Host.CreateContactAsync(new { firstname = "Mia", email = Email("mia") });
        var merged = await Host.CreateContactAsync(new { firstname = "Mia", lastname = "Moss", email = Email("mia.moss") });

        await ControlAsync(HttpMethod.Post, "/_sandbox/hubspot/objects/contacts/merge", new { primaryObjectId = primary, objectIdToMerge = merged });
        var gone = await Host.ObservedContactAsync(r => r.Id == merged && Text(r, HubSpotObservations.MergedInto) is not null);
        var survivor = await Host.ObservedContactAsync(r => r.Id == primary && Text(r, "hs_merged_object_ids") is not null);

        Assert.Equal(primary, Text(gone, HubSpotObservations.MergedInto));
        Assert.NotNull(gone.DeletedUtc);
        Assert.Contains(merged, Text(survivor, "hs_merged_object_ids")!.Split(';'));
        Assert.Equal("Moss", Text(survivor, "lastname"));
        Assert.Null(survivor.DeletedUtc);
    }

    [Fact]
    public async Task Every_delivery_of_the_sandbox_is_answered_2xx_so_HubSpot_retries_none()
    {
        var id = await Host.CreateContactAsync(new { firstname = "Ray", email = Email("ray") });
        await Host.EditContactAsync(id, new { lastname = "Ross" });
        await Host.ObservedContactAsync(r => r.Id == id && Text(r, "lastname") == "Ross");

        var attempts = await Host.Sandbox.Control.GetFromJsonAsync<JsonElement>(new Uri("/_sandbox/hubspot/webhooks/deliveries", UriKind.Relative));

        Assert.NotEmpty(attempts.EnumerateArray());
        Assert.All(attempts.EnumerateArray(), a =>
        {
            Assert.Equal(0, a.GetProperty("attemptNumber").GetInt32());
            Assert.Equal((int)HttpStatusCode.OK, a.GetProperty("status").GetInt32());
        });
    }
}
