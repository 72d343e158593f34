using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Hub.Sandbox.Tests.Hosting;

namespace Hub.Sandbox.Tests.HubSpot.Webhooks;

public sealed class WebhookTests
{
    private const string AppSecret = "sandbox-hubspot-app-secret";

    private static readonly string[] Bidder = ["Bidder"];

    private static async Task SubscribeAsync(HubSpotSandbox sandbox, WebhookReceiver receiver, params object[] subscriptions) =>
        await HubSpotSandbox.PutAsync(sandbox.Control(), "/_sandbox/hubspot/webhooks", new { targetUrl = receiver.Url, subscriptions });

    private static object Sub(string subscriptionType, string? propertyName = null) => new { subscriptionType, propertyName };

    /// <summary>Verifies signature v3 independently of the sandbox: base64 HMAC-SHA256(secret, method + URI + body + timestamp).</summary>
    private static bool SignedV3(ReceivedWebhook webhook, Uri url)
    {
        var timestamp = webhook.Headers["X-HubSpot-Request-Timestamp"];
        var source = Encoding.UTF8.GetBytes("POST" + url.AbsoluteUri).Concat(webhook.Body).Concat(Encoding.UTF8.GetBytes(timestamp)).ToArray();
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(AppSecret), source));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(webhook.Headers["X-HubSpot-Signature-v3"]));
    }

    private static JsonArray Events(ReceivedWebhook webhook) => JsonNode.Parse(webhook.Body)!.AsArray();

    /// <summary>Receives deliveries until this many events arrived.</summary>
    private static async Task<List<(ReceivedWebhook Webhook, JsonNode Event)>> EventsAsync(WebhookReceiver receiver, int count)
    {
        var all = new List<(ReceivedWebhook, JsonNode)>();
        while (all.Count < count)
        {
            var webhook = await receiver.NextAsync();
            all.AddRange(Events(webhook).Select(e => (webhook, e!)));
        }

        return all;
    }

    [Fact]
    public async Task An_API_write_is_delivered_as_a_signed_JSON_array_of_creation_and_property_change_events_from_the_integration()
    {
        await using var sandbox = new HubSpotSandbox();
        await using var receiver = await WebhookReceiver.StartAsync();
        await SubscribeAsync(sandbox, receiver, Sub("contact.creation"), Sub("contact.propertyChange", "firstname"));

        var id = (await HubSpotSandbox.ReadAsync(await HubSpotSandbox.UpsertContactsAsync(sandbox.Api(), ("ps-1", new { firstname = "Ann", lastname = "Lee" }))))["results"]![0]!["id"]!.GetValue<string>();
        var received = await EventsAsync(receiver, 2);

        Assert.All(received, r => Assert.True(SignedV3(r.Webhook, receiver.Url)));
        Assert.All(received, r => Assert.InRange(
            long.Parse(r.Webhook.Headers["X-HubSpot-Request-Timestamp"], CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds()));
        var creation = received.Single(r => r.Event["subscriptionType"]!.GetValue<string>() == "contact.creation").Event;
        var change = received.Single(r => r.Event["subscriptionType"]!.GetValue<string>() == "contact.propertyChange").Event;
        Assert.Equal(long.Parse(id, CultureInfo.InvariantCulture), creation["objectId"]!.GetValue<long>());
        Assert.Equal("INTEGRATION", creation["changeSource"]!.GetValue<string>());
        Assert.Equal(0, creation["attemptNumber"]!.GetValue<int>());
        Assert.Equal(62515, creation["portalId"]!.GetValue<long>());
        Assert.Equal("firstname", change["propertyName"]!.GetValue<string>());
        Assert.Equal("Ann", change["propertyValue"]!.GetValue<string>());
        Assert.NotEqual(creation["eventId"]!.GetValue<long>(), change["eventId"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_user_edit_in_the_CRM_is_delivered_as_a_property_change_from_CRM_UI()
    {
        await using var sandbox = new HubSpotSandbox();
        await using var receiver = await WebhookReceiver.StartAsync();
        var id = (await HubSpotSandbox.ReadAsync(await HubSpotSandbox.UpsertContactsAsync(sandbox.Api(), ("ps-1", new { firstname = "Ann" }))))["results"]![0]!["id"]!.GetValue<string>();
        await SubscribeAsync(sandbox, receiver, Sub("contact.propertyChange"));

        await sandbox.Control().PatchAsync($"/_sandbox/hubspot/objects/contacts/{id}", HubSpotSandbox.Json(new { properties = new { firstname = "Anna", lastname = "Lee" } }));
        var received = await EventsAsync(receiver, 2);

        Assert.All(received, r => Assert.Equal("CRM_UI", r.Event["changeSource"]!.GetValue<string>()));
        Assert.Equal(["firstname", "lastname"], received.Select(r => r.Event["propertyName"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task A_failed_delivery_is_sent_again_with_the_same_events_and_attemptNumber_counting_up()
    {
        await using var sandbox = new HubSpotSandbox();
        await using var receiver = await WebhookReceiver.StartAsync(500, 404);
        await SubscribeAsync(sandbox, receiver, Sub("company.creation"));

        await sandbox.Api().PostAsync("/crm/v3/objects/companies", HubSpotSandbox.Json(new { properties = new { name = "Acme" } }));
        var attempts = new[] { await receiver.NextAsync(), await receiver.NextAsync(), await receiver.NextAsync() };

        Assert.Equal([0, 1, 2], attempts.Select(a => Events(a)[0]!["attemptNumber"]!.GetValue<int>()));
        Assert.Single(attempts.Select(a => Events(a)[0]!["eventId"]!.GetValue<long>()).Distinct());
        Assert.Equal([500, 404, 200], attempts.Select(a => a.AnsweredWith));
        Assert.All(attempts, a => Assert.True(SignedV3(a, receiver.Url)));
    }

    [Fact]
    public async Task Archive_merge_and_GDPR_delete_are_delivered_as_deletion_merge_and_privacyDeletion()
    {
        await using var sandbox = new HubSpotSandbox();
        await using var receiver = await WebhookReceiver.StartAsync();
        var ids = (await HubSpotSandbox.ReadAsync(await HubSpotSandbox.UpsertContactsAsync(sandbox.Api(), ("a", new { }), ("b", new { }), ("c", new { }), ("d", new { }))))
            ["results"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToList();
        await SubscribeAsync(sandbox, receiver, Sub("contact.deletion"), Sub("contact.merge"), Sub("contact.privacyDeletion"));

        await sandbox.Api().DeleteAsync($"/crm/v3/objects/contacts/{ids[0]}");
        await sandbox.Control().PostAsync("/_sandbox/hubspot/objects/contacts/merge", HubSpotSandbox.Json(new { primaryObjectId = ids[1], objectIdToMerge = ids[2] }));
        await sandbox.Control().PostAsync($"/_sandbox/hubspot/objects/contacts/{ids[3]}/gdpr-delete", null);
        var received = (await EventsAsync(receiver, 3)).Select(r => r.Event).ToDictionary(e => e["subscriptionType"]!.GetValue<string>());

        Assert.Equal(ids[0], received["contact.deletion"]["objectId"]!.GetValue<long>().ToString(CultureInfo.InvariantCulture));
        Assert.Equal("INTEGRATION", received["contact.deletion"]["changeSource"]!.GetValue<string>());
        var merge = received["contact.merge"];
        Assert.Equal(ids[1], merge["primaryObjectId"]!.GetValue<long>().ToString(CultureInfo.InvariantCulture));
        Assert.Equal([ids[2]], merge["mergedObjectIds"]!.AsArray().Select(i => i!.GetValue<long>().ToString(CultureInfo.InvariantCulture)));
        Assert.Equal("CRM_UI", merge["changeSource"]!.GetValue<string>());
        Assert.Equal(ids[3], received["contact.privacyDeletion"]["objectId"]!.GetValue<long>().ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Many_events_arrive_batched_at_most_100_to_a_POST()
    {
        await using var sandbox = HubSpotSandbox.With(new Dictionary<string, string?> { ["Sandbox:HubSpot:Webhooks:BatchWindowMs"] = "200" });
        await using var receiver = await WebhookReceiver.StartAsync();
        await SubscribeAsync(sandbox, receiver, Sub("contact.creation"));
        var client = sandbox.Api();

        await HubSpotSandbox.UpsertContactsAsync(client, [.. Enumerable.Range(0, 100).Select(i => ($"a{i}", (object)new { }))]);
        await HubSpotSandbox.UpsertContactsAsync(client, [.. Enumerable.Range(0, 50).Select(i => ($"b{i}", (object)new { }))]);
        var posts = new List<int>();
        while (posts.Sum() < 150)
            posts.Add(Events(await receiver.NextAsync()).Count);

        Assert.Equal(150, posts.Sum());
        Assert.All(posts, n => Assert.InRange(n, 1, 100));
        Assert.Contains(posts, n => n > 1);
    }

    private static async Task<(string Deal, string Contact)> DealAndContactAsync(HubSpotSandbox sandbox)
    {
        var client = sandbox.Api();
        var deal = (await HubSpotSandbox.ReadAsync(await client.PostAsync("/crm/v3/objects/deals", HubSpotSandbox.Json(new { properties = new { dealname = "Tower" } }))))["id"]!.GetValue<string>();
        var contact = (await HubSpotSandbox.ReadAsync(await client.PostAsync("/crm/v3/objects/contacts", HubSpotSandbox.Json(new { properties = new { firstname = "Ann" } }))))["id"]!.GetValue<string>();
        return (deal, contact);
    }

    /// <summary>A deal and a contact the integration associated with the "Interested" label (103).</summary>
    private static async Task<(string Deal, string Contact)> InterestedPairAsync(HubSpotSandbox sandbox)
    {
        var (deal, contact) = await DealAndContactAsync(sandbox);
        (await sandbox.Api().PostAsync("/crm/v4/associations/deals/contacts/batch/create", HubSpotSandbox.Json(Labelled(deal, contact, 103)))).EnsureSuccessStatusCode();
        return (deal, contact);
    }

    private static object Labelled(string deal, string contact, int typeId) => new
    {
        inputs = new[] { new { from = new { id = deal }, to = new { id = contact }, types = new[] { new { associationCategory = "USER_DEFINED", associationTypeId = typeId } } } },
    };

    private static long Id(string id) => long.Parse(id, CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_API_label_on_a_deal_and_contact_is_delivered_as_association_changes_from_both_ends_from_the_integration()
    {
        await using var sandbox = new HubSpotSandbox();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (deal, contact) = await DealAndContactAsync(sandbox);
        await SubscribeAsync(sandbox, receiver, Sub("deal.associationChange"), Sub("contact.associationChange"));

        // "Interested" (103) on a pair not yet associated: the label and the unlabeled type it brings, seen from both ends.
        using var created = await sandbox.Api().PostAsync("/crm/v4/associations/deals/contacts/batch/create", HubSpotSandbox.Json(Labelled(deal, contact, 103)));
        created.EnsureSuccessStatusCode();
        var received = (await EventsAsync(receiver, 4)).Select(r => r.Event).ToList();

        var fromDeal = received.Where(e => e["subscriptionType"]!.GetValue<string>() == "deal.associationChange").ToList();
        var fromContact = received.Where(e => e["subscriptionType"]!.GetValue<string>() == "contact.associationChange").ToList();
        Assert.Equal([3, 103], fromDeal.Select(e => e["associationTypeId"]!.GetValue<int>()).Order());
        Assert.Equal([4, 203], fromContact.Select(e => e["associationTypeId"]!.GetValue<int>()).Order());
        Assert.All(fromDeal, e => Assert.Equal((Id(deal), Id(contact), "DEAL_TO_CONTACT"), (e["fromObjectId"]!.GetValue<long>(), e["toObjectId"]!.GetValue<long>(), e["associationType"]!.GetValue<string>())));
        Assert.All(fromContact, e => Assert.Equal((Id(contact), Id(deal), "CONTACT_TO_DEAL"), (e["fromObjectId"]!.GetValue<long>(), e["toObjectId"]!.GetValue<long>(), e["associationType"]!.GetValue<string>())));
        Assert.Equal("USER_DEFINED", fromDeal.Single(e => e["associationTypeId"]!.GetValue<int>() == 103)["associationCategory"]!.GetValue<string>());
        Assert.All(received, e =>
        {
            Assert.False(e["associationRemoved"]!.GetValue<bool>());
            Assert.Equal("INTEGRATION", e["changeSource"]!.GetValue<string>());
            Assert.Null(e["objectId"]);
        });
    }

    [Fact]
    public async Task Relabelling_a_pair_in_the_CRM_is_delivered_as_the_old_label_removed_and_the_new_one_added_from_CRM_UI()
    {
        await using var sandbox = new HubSpotSandbox();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (deal, contact) = await InterestedPairAsync(sandbox);
        await SubscribeAsync(sandbox, receiver, Sub("deal.associationChange"));

        using var relabelled = await sandbox.Control().PostAsync($"/_sandbox/hubspot/associations/deals/{deal}/contacts/{contact}", HubSpotSandbox.Json(new { labels = Bidder }));
        relabelled.EnsureSuccessStatusCode();
        var received = (await EventsAsync(receiver, 2)).Select(r => r.Event).ToList();

        Assert.Equal([(103, true), (105, false)], received.Select(e => (e["associationTypeId"]!.GetValue<int>(), e["associationRemoved"]!.GetValue<bool>())).Order());
        Assert.All(received, e => Assert.Equal("CRM_UI", e["changeSource"]!.GetValue<string>()));
        var read = await HubSpotSandbox.ReadAsync(await sandbox.Api().PostAsync("/crm/v4/associations/deals/contacts/batch/read", HubSpotSandbox.Json(new { inputs = new[] { new { id = deal } } })));
        Assert.Equal(["Bidder"], read["results"]![0]!["to"]![0]!["associationTypes"]!.AsArray().Select(t => t!["label"]?.GetValue<string>()).OfType<string>());
    }

    [Fact]
    public async Task Archiving_a_pair_is_delivered_as_every_type_removed()
    {
        await using var sandbox = new HubSpotSandbox();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (deal, contact) = await InterestedPairAsync(sandbox);
        await SubscribeAsync(sandbox, receiver, Sub("deal.associationChange"));

        using var archived = await sandbox.Api().PostAsync("/crm/v4/associations/deals/contacts/batch/archive",
            HubSpotSandbox.Json(new { inputs = new[] { new { from = new { id = deal }, to = new[] { new { id = contact } } } } }));
        archived.EnsureSuccessStatusCode();
        var received = (await EventsAsync(receiver, 2)).Select(r => r.Event).ToList();

        Assert.Equal([3, 103], received.Select(e => e["associationTypeId"]!.GetValue<int>()).Order());
        Assert.All(received, e => Assert.True(e["associationRemoved"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Associating_a_pair_that_already_holds_the_type_fires_nothing()
    {
        await using var sandbox = new HubSpotSandbox();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (deal, contact) = await InterestedPairAsync(sandbox);
        await SubscribeAsync(sandbox, receiver, Sub("deal.associationChange"), Sub("deal.propertyChange"));

        (await sandbox.Api().PostAsync("/crm/v4/associations/deals/contacts/batch/create", HubSpotSandbox.Json(Labelled(deal, contact, 103)))).EnsureSuccessStatusCode();
        await sandbox.Control().PatchAsync($"/_sandbox/hubspot/objects/deals/{deal}", HubSpotSandbox.Json(new { properties = new { dealname = "Marker" } }));
        var first = Assert.Single(await EventsAsync(receiver, 1));

        // Deliveries keep the order of the changes here: had the repeat fired, its events would have come before the marker.
        Assert.Equal("deal.propertyChange", first.Event["subscriptionType"]!.GetValue<string>());
    }
}
