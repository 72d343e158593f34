using Hub.Crm.HubSpot;

namespace Hub.Crm.Tests.HubSpot;

public sealed class AssociationTests : HubSpotTest
{
    private const int ContactToCompany = 279;

    [Fact]
    public async Task Associations_are_created_once_however_often_they_are_sent_and_can_be_removed()
    {
        var client = StartHub();
        var contacts = (await client.UpsertAsync("contacts", "propstreet_id", [new("ps-1", Properties()), new("ps-2", Properties())])).Records.Select(r => r.HubSpotId!).ToList();
        var company = Assert.Single((await client.UpsertAsync("companies", "propstreet_id", [new("co-1", Properties(("name", "Acme"))) ])).Records).HubSpotId!;
        List<HubSpotAssociation> pairs = [.. contacts.Select(c => new HubSpotAssociation(c, company, ContactToCompany))];

        var created = await client.AssociateAsync("contacts", "companies", pairs);
        var again = await client.AssociateAsync("contacts", "companies", pairs);
        var listed = await client.ListAssociationsAsync("contacts", "companies", contacts);

        Assert.All(created.Concat(again), r => Assert.True(r.Succeeded, r.Error?.Message));
        Assert.Equal(contacts.Order(), listed.Where(a => a.TypeId == ContactToCompany).Select(a => a.FromId).Order());
        Assert.All(listed, a => Assert.Equal(company, a.ToId));

        var removed = await client.ArchiveAssociationsAsync("contacts", "companies", [pairs[0]]);

        Assert.True(Assert.Single(removed).Succeeded);
        Assert.Equal([contacts[1]], (await client.ListAssociationsAsync("contacts", "companies", contacts)).Select(a => a.FromId).Distinct());
    }
}
