using System.Text.Json;
using Hub.Sandbox.Hosting;
using Hub.Sandbox.Propstreet;
using Hub.Sandbox.Propstreet.Generation;

namespace Hub.Sandbox.Tests.Propstreet.Generation;

public sealed class PropstreetGeneratorTests
{
    private static readonly SandboxSizes Defaults = new();

    [Fact]
    public void The_same_seed_and_sizes_generate_identical_records()
    {
        var sizes = new SandboxSizes { Contacts = 800, Companies = 100, Projects = 20 };
        var a = PropstreetGenerator.Generate(11, sizes);
        var b = PropstreetGenerator.Generate(11, sizes);
        var c = PropstreetGenerator.Generate(12, sizes);
        Assert.Equal(Serialize(a), Serialize(b));
        Assert.NotEqual(Serialize(a), Serialize(c));
    }

    [Fact]
    public void Default_sizes_give_a_realistic_network_with_some_deleted_records()
    {
        var data = PropstreetGenerator.Generate(42, Defaults);
        Assert.Equal(10_000, data.Contacts.Count);
        Assert.Equal(2_000, data.Companies.Count);
        Assert.Equal(300, data.Projects.Count);
        Assert.Equal(data.Projects.Sum(p => p.Asset.PropertyCount ?? 1), data.Properties.Count);
        Assert.InRange(data.Prospects.Count, 5_000, 6_000);

        var deletedShare = data.Contacts.Count(c => c.DeletedUtc is not null) / (double)data.Contacts.Count;
        Assert.InRange(deletedShare, 0.015, 0.045);
        Assert.Equal(data.Contacts.Count, data.Contacts.Select(c => c.Id).Distinct().Count());
        Assert.All(data.Contacts, c => Assert.True(c.UpdatedUtc >= c.CreatedUtc && c.UpdatedUtc.Kind == DateTimeKind.Utc));

        var phones = data.Contacts.SelectMany(c => c.Phones).Select(p => p.Number).ToList();
        Assert.Contains(phones, p => p.StartsWith("+46 ", StringComparison.Ordinal));
        Assert.Contains(phones, p => p.StartsWith("070-", StringComparison.Ordinal));
        Assert.Contains(phones, p => p.StartsWith("(08)", StringComparison.Ordinal));
        Assert.Contains(phones, p => p.StartsWith("+971", StringComparison.Ordinal));
        Assert.Contains(data.Contacts, c => c.ExternalRefs.Any(r => r.Namespace == "hubspot"));
        Assert.Contains(data.Contacts, c => c.ExternalRefs.Any(r => r.Namespace == "salesforce"));
        Assert.Contains(data.Contacts, c => c.ExternalRefs.Any(r => r.Namespace == "pipedrive"));
        Assert.Contains(data.Contacts, c => c.Tags.Count > 0);

        // Project refs are unique per tenant, prospect refs per project, as the API enforces on writes.
        var projectRefs = data.Projects.SelectMany(p => p.ExternalRefs).ToList();
        Assert.Equal(projectRefs.Count, projectRefs.Distinct().Count());
        Assert.All(data.Prospects.GroupBy(p => p.ProjectId), g =>
        {
            var refs = g.SelectMany(p => p.ExternalRefs).ToList();
            Assert.Equal(refs.Count, refs.Distinct().Count());
        });
    }

    [Fact]
    public void Generated_records_never_contradict_themselves()
    {
        var data = PropstreetGenerator.Generate(42, Defaults);
        var projects = data.Projects.ToDictionary(p => p.Id);
        var investors = data.Contacts.ToDictionary(c => c.Id, c => c.CreatedUtc);

        Assert.All(data.Projects, p =>
        {
            // updatedUtc is never older than a change the record shows.
            Assert.True(p.CreatedUtc <= p.UpdatedUtc);
            foreach (var stamp in new[] { p.Teaser?.PublishedUtc, p.Teaser?.VerifiedUtc, p.Teaser?.CommunicatedUtc, p.DeletedUtc }.OfType<DateTime>())
                Assert.True(stamp <= p.UpdatedUtc, $"project {p.Id}: {stamp:O} after updatedUtc {p.UpdatedUtc:O}");
            Assert.All(p.Transactions ?? [], t => Assert.True(t.ClosedUtc <= p.UpdatedUtc));
            // Linked properties agree with the asset.
            Assert.Equal(p.Asset.PropertyCount ?? 1, data.Properties.Count(pr => pr.ProjectId == p.Id));
        });

        Assert.All(data.Prospects, p =>
        {
            var project = projects[p.ProjectId];
            Assert.True(p.CreatedUtc >= project.CreatedUtc && p.CreatedUtc <= p.UpdatedUtc, $"prospect {p.Id}: created outside its project's life or after its updatedUtc");
            if (p.ContactId is { } contactId)
                Assert.True(p.CreatedUtc >= investors[contactId], $"prospect {p.Id} created before its contact");
            if (p.Teaser is { } teaser)
            {
                // Matched prospects appear when the teaser is communicated, not before.
                Assert.True(project.Teaser?.CommunicatedUtc is { } communicated && p.CreatedUtc >= communicated, $"prospect {p.Id} teased before its project's teaser was communicated");
                Assert.True(teaser.AcceptedUtc is not { } accepted || accepted <= p.UpdatedUtc, $"prospect {p.Id} accepted after its updatedUtc");
            }

            Assert.True(p.DeletedUtc is not { } deleted || deleted == p.UpdatedUtc, $"prospect {p.Id}: deletedUtc is not its updatedUtc");
            // A deleted project's prospects are deleted with it.
            if (project.DeletedUtc is not null)
                Assert.NotNull(p.DeletedUtc);
        });
        Assert.Contains(data.Projects, p => p.DeletedUtc is not null);
        Assert.Contains(data.Prospects, p => p.Teaser?.AcceptedUtc is not null);
    }

    [Theory]
    [InlineData("+46 70 123 45 67", "+46701234567")]
    [InlineData("070-1234567", "+46701234567")]
    [InlineData("(08) 123 456", "+468123456")]
    [InlineData("0046 8 123 45 67", "+4681234567")]
    [InlineData("+971501234567", "+971501234567")]
    [InlineData("+46 (0)70 123 45 67", "+46701234567")]
    [InlineData("ext. 123", "ext. 123")]
    [InlineData("12345", "12345")]
    public void Phone_numbers_are_normalised_to_E164_when_possible(string raw, string expected) =>
        Assert.Equal(expected, Hub.Sandbox.Propstreet.Contacts.PhoneNumbers.Normalize(raw));

    private static string Serialize(GeneratedData data) =>
        JsonSerializer.Serialize(new { data.Contacts, data.Companies, data.Projects, data.Prospects, data.Properties }, PropstreetJson.WithNulls);
}
