using System.Net;
using System.Text.Json.Nodes;

namespace Hub.Sandbox.Tests.HubSpot.Associations;

public sealed class AssociationTests
{
    private static async Task<string> CreateAsync(HttpClient client, string type, object properties) =>
        (await HubSpotSandbox.ReadAsync(await client.PostAsync($"/crm/v3/objects/{type}", HubSpotSandbox.Json(new { properties }))))["id"]!.GetValue<string>();

    private static object Pair(string from, string to, params int[] typeIds) => new
    {
        from = new { id = from },
        to = new { id = to },
        types = typeIds.Select(t => new { associationCategory = "HUBSPOT_DEFINED", associationTypeId = t }),
    };

    private static async Task<JsonNode> ReadAsync(HttpClient client, string from, string to, params string[] ids)
    {
        using var response = await client.PostAsync($"/crm/v4/associations/{from}/{to}/batch/read", HubSpotSandbox.Json(new { inputs = ids.Select(id => new { id }) }));
        return await HubSpotSandbox.ReadAsync(response);
    }

    private static List<int> TypeIds(JsonNode read, string toId) =>
        [.. read["results"]![0]!["to"]!.AsArray().Single(t => t!["toObjectId"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture) == toId)!
            ["associationTypes"]!.AsArray().Select(t => t!["typeId"]!.GetValue<int>()).Order()];

    [Fact]
    public async Task A_contact_to_company_association_279_reads_back_from_both_sides_with_the_documented_type_ids()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        var contact = await CreateAsync(client, "contacts", new { firstname = "Ann" });
        var company = await CreateAsync(client, "companies", new { name = "Acme" });

        using var create = await client.PostAsync("/crm/v4/associations/contacts/companies/batch/create", HubSpotSandbox.Json(new { inputs = new[] { Pair(contact, company, 279) } }));
        var created = await HubSpotSandbox.ReadAsync(create);
        var fromContact = await ReadAsync(client, "contacts", "companies", contact);
        var fromCompany = await ReadAsync(client, "company", "contact", company);

        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        Assert.Equal("0-1", created["results"]![0]!["fromObjectTypeId"]!.GetValue<string>());
        Assert.Equal("0-2", created["results"]![0]!["toObjectTypeId"]!.GetValue<string>());
        Assert.Equal([279], TypeIds(fromContact, company));
        Assert.Equal([280], TypeIds(fromCompany, contact));
        Assert.Equal("HUBSPOT_DEFINED", fromContact["results"]![0]!["to"]![0]!["associationTypes"]![0]!["category"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_primary_company_brings_the_unlabeled_type_and_moves_off_the_previous_primary()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        var deal = await CreateAsync(client, "deals", new { dealname = "Tower" });
        var first = await CreateAsync(client, "companies", new { name = "First" });
        var second = await CreateAsync(client, "companies", new { name = "Second" });

        await client.PostAsync("/crm/v4/associations/deals/companies/batch/create", HubSpotSandbox.Json(new { inputs = new[] { Pair(deal, first, 5) } }));
        await client.PostAsync("/crm/v4/associations/deals/companies/batch/create", HubSpotSandbox.Json(new { inputs = new[] { Pair(deal, second, 5) } }));
        var read = await ReadAsync(client, "deals", "companies", deal);

        Assert.Equal([341], TypeIds(read, first));
        Assert.Equal([5, 341], TypeIds(read, second));
    }

    [Fact]
    public async Task Associate_default_uses_the_unlabeled_types_deal_to_contact_3_and_deal_to_company_341()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        var deal = await CreateAsync(client, "deals", new { dealname = "Tower" });
        var contact = await CreateAsync(client, "contacts", new { firstname = "Ann" });
        var company = await CreateAsync(client, "companies", new { name = "Acme" });

        var toContact = await HubSpotSandbox.ReadAsync(await client.PostAsync("/crm/v4/associations/deals/contacts/batch/associate/default",
            HubSpotSandbox.Json(new { inputs = new[] { new { from = new { id = deal }, to = new { id = contact } } } })));
        await client.PostAsync("/crm/v4/associations/deals/companies/batch/associate/default",
            HubSpotSandbox.Json(new { inputs = new[] { new { from = new { id = deal }, to = new { id = company } } } }));

        Assert.Equal(3, toContact["results"]![0]!["associationSpec"]!["associationTypeId"]!.GetValue<int>());
        Assert.Equal([4], TypeIds(await ReadAsync(client, "contacts", "deals", contact), deal));
        Assert.Equal([341], TypeIds(await ReadAsync(client, "deals", "companies", deal), company));
    }

    [Fact]
    public async Task An_archived_association_is_gone_from_both_sides_and_reading_none_is_a_207()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        var contact = await CreateAsync(client, "contacts", new { firstname = "Ann" });
        var company = await CreateAsync(client, "companies", new { name = "Acme" });
        await client.PostAsync("/crm/v4/associations/contacts/companies/batch/create", HubSpotSandbox.Json(new { inputs = new[] { Pair(contact, company, 1) } }));

        using var archive = await client.PostAsync("/crm/v4/associations/contacts/companies/batch/archive",
            HubSpotSandbox.Json(new { inputs = new[] { new { from = new { id = contact }, to = new[] { new { id = company } } } } }));
        using var read = await client.PostAsync("/crm/v4/associations/companies/contacts/batch/read", HubSpotSandbox.Json(new { inputs = new[] { new { id = company } } }));
        var body = await HubSpotSandbox.ReadAsync(read);

        Assert.Equal(HttpStatusCode.NoContent, archive.StatusCode);
        Assert.Equal(HttpStatusCode.MultiStatus, read.StatusCode);
        Assert.Empty(body["results"]!.AsArray());
        Assert.Equal("crm.associations.NO_ASSOCIATIONS_FOUND", body["errors"]![0]!["subCategory"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_type_the_pair_does_not_have_is_a_400_and_a_missing_record_fails_its_input_alone()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        var contact = await CreateAsync(client, "contacts", new { firstname = "Ann" });
        var company = await CreateAsync(client, "companies", new { name = "Acme" });

        using var wrongType = await client.PostAsync("/crm/v4/associations/contacts/companies/batch/create", HubSpotSandbox.Json(new { inputs = new[] { Pair(contact, company, 3) } }));
        using var partly = await client.PostAsync("/crm/v4/associations/contacts/companies/batch/create",
            HubSpotSandbox.Json(new { inputs = new[] { Pair(contact, company, 279), Pair(contact, "987654", 279) } }));
        var body = await HubSpotSandbox.ReadAsync(partly);

        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Equal(HttpStatusCode.MultiStatus, partly.StatusCode);
        Assert.Single(body["results"]!.AsArray());
        Assert.Equal("OBJECT_NOT_FOUND", body["errors"]![0]!["category"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_deal_created_with_associations_is_linked_at_once_and_a_missing_target_fails_the_create()
    {
        await using var sandbox = new HubSpotSandbox();
        var client = sandbox.Api();
        var contact = await CreateAsync(client, "contacts", new { firstname = "Ann" });

        using var created = await client.PostAsync("/crm/v3/objects/deals/batch/create", HubSpotSandbox.Json(new
        {
            inputs = new[]
            {
                new
                {
                    properties = new { dealname = "Tower" },
                    associations = new[] { new { to = new { id = contact }, types = new[] { new { associationCategory = "HUBSPOT_DEFINED", associationTypeId = 3 } } } },
                },
            },
        }));
        var deal = (await HubSpotSandbox.ReadAsync(created))["results"]![0]!["id"]!.GetValue<string>();
        using var missing = await client.PostAsync("/crm/v3/objects/deals", HubSpotSandbox.Json(new
        {
            properties = new { dealname = "Nowhere" },
            associations = new[] { new { to = new { id = "999999" }, types = new[] { new { associationCategory = "HUBSPOT_DEFINED", associationTypeId = 3 } } } },
        }));
        var deals = await HubSpotSandbox.ReadAsync(await client.GetAsync("/crm/v3/objects/deals"));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal([4], TypeIds(await ReadAsync(client, "contacts", "deals", contact), deal));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Single(deals["results"]!.AsArray());
    }
}
