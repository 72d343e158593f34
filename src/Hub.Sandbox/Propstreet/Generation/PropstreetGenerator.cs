using System.Globalization;
using System.Text;
using Bogus;
using Hub.Sandbox.Hosting;
using Hub.Sandbox.Propstreet.Access;
using Hub.Sandbox.Propstreet.Companies;
using Hub.Sandbox.Propstreet.Contacts;
using Hub.Sandbox.Propstreet.Projects;
using Hub.Sandbox.Propstreet.Properties;
using Hub.Sandbox.Propstreet.Prospects;

namespace Hub.Sandbox.Propstreet.Generation;

/// <summary>
/// Deterministic seed data: the same seed and sizes give the same records, ids and timestamps (relative to a fixed
/// epoch, never the wall clock). Data looks like a Nordic real-estate network: Swedish and English names, phones
/// in the mixed formats people type, tags, CRM external refs, and a share of soft-deleted records. A tenth of the
/// contacts share one updatedUtc (a bulk import), which exercises keyset ties.
/// </summary>
public static class PropstreetGenerator
{
    public const long FirstContactId = 10_001;
    public const long FirstCompanyId = 50_001;
    public const long FirstProjectId = 1_001;
    public const long FirstProspectId = 200_001;
    public const long FirstPropertyId = 70_001;

    /// <summary>All generated timestamps lie between the epoch and epoch + 330 days.</summary>
    public static readonly DateTime Epoch = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly string[] Tags =
        ["investor", "developer", "family-office", "pension-fund", "private-equity", "vip", "nordic", "international", "tier-1", "tier-2", "repeat-buyer", "logistics", "residential", "office"];

    private static readonly string[] Cities = ["Stockholm", "Göteborg", "Malmö", "Uppsala", "Västerås", "Örebro", "Linköping", "Helsingborg", "Oslo", "Helsinki", "Dubai"];

    public static GeneratedData Generate(int seed, SandboxSizes sizes)
    {
        var sv = new Faker("sv") { Random = new Randomizer(seed) };
        var en = new Faker("en") { Random = new Randomizer(unchecked(seed * 31 + 7)) };
        var r = sv.Random;
        var version = 0L;

        var companies = new List<Company>(sizes.Companies);
        for (var i = 0; i < sizes.Companies; i++)
        {
            var (created, updated) = Times(r, Epoch, 300);
            var name = r.Int(0, 3) switch
            {
                0 => $"{sv.Name.LastName()} Fastigheter AB",
                1 => $"{r.ArrayElement(Cities)} {r.ArrayElement(["Property Partners", "Real Estate Capital", "Invest", "Förvaltning AB"])}",
                2 => $"{en.Company.CompanyName()} Real Estate",
                _ => $"Nordic {en.Commerce.ProductAdjective()} Capital",
            };
            var id = FirstCompanyId + i;
            companies.Add(new Company
            {
                Id = id,
                Name = name,
                OrganizationNumber = r.Bool(0.7f) ? $"55{r.Number(1000, 9999)}-{r.Number(1000, 9999)}" : null,
                Website = r.Bool(0.6f) ? $"https://www.{Slug(name)}.se" : null,
                Email = r.Bool(0.5f) ? $"info@{Slug(name)}.se" : null,
                Phone = r.Bool(0.5f) ? Phone(r) : null,
                City = r.ArrayElement(Cities),
                Country = r.Bool(0.85f) ? "SE" : r.ArrayElement(["NO", "FI", "AE", "GB"]),
                Tags = PickTags(r),
                ExternalRefs = r.Bool(0.4f) ? [new ExternalRef("hubspot", (7_000_000 + i).ToString(CultureInfo.InvariantCulture))] : [],
                CreatedUtc = created,
                UpdatedUtc = updated,
                DeletedUtc = r.Bool((float)sizes.DeletedShare) ? updated : null,
                ChangeType = "created",
                ChangeOrigin = ApiClient.UiOrigin,
                Version = ++version,
            });
        }

        var importStamp = Epoch.AddDays(10).AddTicks(1_234_567);
        var contacts = new List<Contact>(sizes.Contacts);
        for (var i = 0; i < sizes.Contacts; i++)
        {
            var faker = r.Bool(0.75f) ? sv : en;
            var first = faker.Name.FirstName();
            var last = faker.Name.LastName();
            var (created, updated) = i % 10 == 3 ? (importStamp, importStamp) : Times(r, Epoch, 300);
            var connections = new List<ContactCompany>();
            if (companies.Count > 0 && r.Bool(0.7f))
            {
                foreach (var company in r.ListItems(companies, r.Bool(0.15f) ? 2 : 1))
                    connections.Add(new ContactCompany(company.Id, company.Uri, company.Name, r.Bool(0.7f) ? r.ArrayElement(JobTitles) : null, connections.Count == 0));
            }

            var emails = new List<ContactEmail>();
            if (r.Bool(0.92f))
            {
                var domain = connections.Count > 0 ? Slug(connections[0].Name) + ".se" : r.ArrayElement(["gmail.com", "outlook.com", "hotmail.se", "telia.com"]);
                emails.Add(new ContactEmail($"{Slug(first)}.{Slug(last)}{(i % 97 == 0 ? i.ToString(CultureInfo.InvariantCulture) : "")}@{domain}", connections.Count > 0 ? "work" : "personal", true));
                if (r.Bool(0.2f))
                    emails.Add(new ContactEmail($"{Slug(first)}{r.Number(1, 99)}@gmail.com", "personal", false));
            }

            var phones = new List<ContactPhone>();
            if (r.Bool(0.8f))
            {
                phones.Add(new ContactPhone(Phone(r), r.ArrayElement(["mobile", "work", null]), true));
                if (r.Bool(0.15f))
                    phones.Add(new ContactPhone(Phone(r), "work", false));
            }

            var refs = new List<ExternalRef>();
            if (r.Bool(0.35f))
                refs.Add(new ExternalRef("hubspot", (51_000_000 + i).ToString(CultureInfo.InvariantCulture)));
            if (r.Bool(0.15f))
                refs.Add(new ExternalRef("salesforce", "003" + (1_000_000_000_000L + i).ToString(CultureInfo.InvariantCulture)[..12] + "AAA"));
            if (r.Bool(0.1f))
                refs.Add(new ExternalRef("pipedrive", (i + 1).ToString(CultureInfo.InvariantCulture)));

            contacts.Add(new Contact
            {
                Id = FirstContactId + i,
                FirstName = first,
                LastName = last,
                Email = emails.FirstOrDefault()?.Address,
                Emails = emails,
                Phone = phones.FirstOrDefault()?.Number,
                Phones = phones,
                LinkedInUrl = r.Bool(0.3f) ? $"https://www.linkedin.com/in/{Slug(first)}-{Slug(last)}-{r.Number(100, 999)}" : null,
                PrimaryLanguage = r.Bool(0.6f) ? r.ArrayElement(["sv", "en", "no", "fi"]) : null,
                Tags = PickTags(r),
                Strategy = r.Bool(0.25f) ? $"Looking for {r.ArrayElement(["office", "logistics", "residential", "retail"])} assets in {r.ArrayElement(Cities)}, {r.Number(50, 900)} MSEK." : null,
                Companies = connections,
                ExternalRefs = refs,
                CreatedUtc = created,
                UpdatedUtc = updated,
                DeletedUtc = r.Bool((float)sizes.DeletedShare) ? updated : null,
                ChangeType = "created",
                ChangeOrigin = ApiClient.UiOrigin,
                Version = ++version,
            });
        }

        var projects = new List<Project>(sizes.Projects);
        var prospects = new List<Prospect>();
        var properties = new List<PropertyProfile>();
        var liveContacts = contacts.Where(c => c.DeletedUtc is null).ToList();
        var liveCompanies = companies.Where(c => c.DeletedUtc is null).ToList();
        for (var i = 0; i < sizes.Projects; i++)
        {
            var projectId = FirstProjectId + i;
            var (created, updated) = Times(r, Epoch, 280);
            var city = r.ArrayElement(Cities);
            var kind = r.ArrayElement(["Office", "Logistics", "Residential", "Retail", "Hotel", "Mixed-use"]);
            var portfolio = r.Bool(0.35f);
            var closed = r.Bool(0.15f);
            var scale = r.Bool(0.9f) ? "millions" : "billions";
            var currency = city == "Dubai" ? "AED" : r.Bool(0.8f) ? "SEK" : "EUR";
            var price = r.Bool(0.8f) ? new Price(scale == "millions" ? r.Number(20, 2000) : r.Number(1, 5), currency, scale) : null;
            var teaser = Teaser(r, created);
            // The project's updatedUtc is never older than a change it shows (its teaser's stamps).
            updated = Latest(updated, teaser?.PublishedUtc, teaser?.VerifiedUtc, teaser?.CommunicatedUtc);
            var asset = portfolio ? new Asset("portfolio", r.Number(2, 12)) : new Asset("single", null);
            var project = new Project
            {
                Id = projectId,
                Name = portfolio ? $"{city} {kind} Portfolio" : $"{sv.Address.StreetName()} {r.Number(1, 99)}, {city}",
                Asset = asset,
                LifecycleStatus = closed ? "closed" : "open",
                Classification = closed ? "inactive" : r.WeightedRandom(["draft", "active", "inactive"], [0.25f, 0.6f, 0.15f]),
                Teaser = teaser,
                Mandate = r.Bool(0.8f) ? r.ArrayElement(["exclusive", "non_exclusive", "other"]) : null,
                Price = price,
                PriceRange = price is not null && r.Bool(0.2f) ? new PriceRange(price.Value * 0.9m, price.Value * 1.1m, currency, scale) : null,
                Transactions = closed ? [new ProjectTransaction(updated, price)] : null,
                ExternalRefs = r.Bool(0.4f) ? [new ExternalRef("hubspot", $"deal-{100_000 + i}")] : [],
                CreatedUtc = created,
                UpdatedUtc = updated,
                ChangeOrigin = ApiClient.UiOrigin,
                Version = ++version,
            };

            var projectProspects = new List<Prospect>();
            var companyProspects = new HashSet<long>();
            var investors = liveContacts.Count > 0 ? r.ListItems(liveContacts, Math.Min(sizes.ProspectsPerProject, liveContacts.Count)) : [];
            for (var k = 0; k < investors.Count; k++)
            {
                var contact = investors[k];
                var companyOnly = liveCompanies.Count > 0 && k % 10 == 9;
                var company = companyOnly ? r.ListItem(liveCompanies) : null;
                if (companyOnly && !companyProspects.Add(company!.Id))
                    continue;

                // Matched prospects exist only once the teaser was communicated, and appear after that; prospects
                // added by hand appear after both the project and the investor exist.
                var matched = teaser?.CommunicatedUtc is not null && r.Bool(0.35f);
                var accepted = matched && r.Bool(0.5f);
                var from = Latest(matched ? teaser!.CommunicatedUtc!.Value : created, companyOnly ? company!.CreatedUtc : contact.CreatedUtc);
                var (pCreated, pUpdated) = Times(r, from, matched ? 10 : 30);
                var acceptedUtc = accepted ? pCreated.AddDays(2) : (DateTime?)null;
                pUpdated = Latest(pUpdated, acceptedUtc);
                var prospectDeleted = r.Bool((float)sizes.DeletedShare);
                projectProspects.Add(new Prospect
                {
                    Id = FirstProspectId + prospects.Count + projectProspects.Count,
                    ProjectId = projectId,
                    ContactId = companyOnly ? null : contact.Id,
                    CompanyId = companyOnly ? company!.Id : contact.PrimaryCompanyId,
                    Classification = r.WeightedRandom(["not_contacted", "contacted", "interested", "not_interested", "bidder"], [0.4f, 0.25f, 0.15f, 0.15f, 0.05f]),
                    Capabilities = accepted && r.Bool(0.7f) ? ["chat"] : [],
                    Tags = companyOnly ? company!.Tags : contact.Tags,
                    ExternalRefs = r.Bool(0.2f) ? [new ExternalRef("salesforce", $"006{projectId:D6}{k:D6}")] : [],
                    Teaser = matched ? new ProspectTeaser(acceptedUtc, pCreated.AddDays(21)) : null,
                    CreatedUtc = pCreated,
                    UpdatedUtc = pUpdated,
                    DeletedUtc = prospectDeleted ? pUpdated : null,
                    ChangeOrigin = ApiClient.UiOrigin,
                    Version = ++version,
                });
            }

            // One linked property per property the asset counts: a single asset has one, a portfolio propertyCount.
            var projectProperties = new List<PropertyProfile>();
            for (var k = 0; k < (asset.PropertyCount ?? 1); k++)
            {
                var (prCreated, prUpdated) = Times(r, created, 20);
                projectProperties.Add(new PropertyProfile
                {
                    Id = FirstPropertyId + properties.Count + projectProperties.Count,
                    ProjectId = projectId,
                    Name = $"{sv.Address.StreetName()} {r.Number(1, 120)}",
                    PropertyType = r.ArrayElement(["office", "residential", "logistics", "retail", "hotel", "mixed_use"]),
                    Address = new PropertyAddress(sv.Address.StreetAddress(), sv.Address.ZipCode(), city, city == "Dubai" ? "AE" : "SE"),
                    AreaSqm = r.Number(300, 40_000),
                    YearBuilt = r.Bool(0.8f) ? r.Number(1890, 2024) : null,
                    CreatedUtc = prCreated,
                    UpdatedUtc = prUpdated,
                    Version = ++version,
                });
            }

            // A deleted project was deleted after everything it holds, and took its live prospects with it (as
            // DELETE does): they are deleted at the same stamp.
            if (r.Bool((float)sizes.DeletedShare))
            {
                var deleted = Latest(updated, [.. projectProspects.Select(p => (DateTime?)p.UpdatedUtc), .. projectProperties.Select(p => (DateTime?)p.UpdatedUtc)]).AddMinutes(1);
                project = project with { UpdatedUtc = deleted, DeletedUtc = deleted };
                for (var k = 0; k < projectProspects.Count; k++)
                {
                    if (projectProspects[k].DeletedUtc is null)
                        projectProspects[k] = projectProspects[k] with { UpdatedUtc = deleted, DeletedUtc = deleted };
                }
            }

            projects.Add(project);
            prospects.AddRange(projectProspects);
            properties.AddRange(projectProperties);
        }

        return new GeneratedData(contacts, companies, projects, prospects, properties, version);
    }

    private static readonly string[] JobTitles =
        ["CEO", "CFO", "Head of Transactions", "Investment Manager", "Portfolio Manager", "Partner", "Analyst", "Head of Real Estate", "Asset Manager"];

    private static (DateTime Created, DateTime Updated) Times(Randomizer r, DateTime from, int days)
    {
        var created = from.AddTicks(r.Long(0, TimeSpan.FromDays(days).Ticks));
        var updated = r.Bool(0.6f) ? created.AddTicks(r.Long(0, TimeSpan.FromDays(30).Ticks)) : created;
        return (created, updated);
    }

    private static DateTime Latest(DateTime first, params DateTime?[] others) =>
        others.Aggregate(first, (latest, t) => t is { } v && v > latest ? v : latest);

    private static ProjectTeaser? Teaser(Randomizer r, DateTime created)
    {
        var stage = r.WeightedRandom<string?>([null, "property_added", "drafting", "published", "verified", "communicated"], [0.3f, 0.1f, 0.15f, 0.15f, 0.1f, 0.2f]);
        if (stage is null)
            return null;
        var rank = Array.IndexOf(["property_added", "drafting", "published", "verified", "communicated"], stage);
        return new ProjectTeaser(stage,
            rank >= 2 ? created.AddDays(3) : null,
            rank >= 3 ? created.AddDays(5) : null,
            rank >= 4 ? created.AddDays(7) : null);
    }

    /// <summary>The formats people actually type: E.164, spaced, national with dashes or area-code parentheses, foreign.</summary>
    private static string Phone(Randomizer r)
    {
        var a = r.Number(100, 999);
        var b = r.Number(10, 99);
        var c = r.Number(10, 99);
        return r.Int(0, 7) switch
        {
            0 => $"+46 70 {a} {b} {c}",
            1 => $"070-{a}{b}{c}",
            2 => $"(08) {a} {b}{c % 10}",
            3 => $"+4673{a}{b}{c}",
            4 => $"0046 8 {a} {b} {c}",
            5 => $"+97150{a}{b}{c % 10}",
            6 => $"+44 20 79{b} {a}{c % 10}",
            _ => $"08-{a} {b} {c}",
        };
    }

    private static List<string> PickTags(Randomizer r) => r.Bool(0.3f) ? [] : r.ListItems(Tags, r.Int(1, 3)).ToList();

    private static string Slug(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text.ToLowerInvariant())
        {
            sb.Append(ch switch
            {
                'å' or 'ä' or 'á' or 'à' => "a",
                'ö' or 'ø' or 'ó' => "o",
                'é' or 'è' => "e",
                'ü' => "u",
                _ when char.IsAsciiLetterOrDigit(ch) => ch.ToString(),
                _ => "",
            });
        }

        return sb.Length == 0 ? "x" : sb.ToString();
    }
}

public sealed record GeneratedData(
    IReadOnlyList<Contact> Contacts,
    IReadOnlyList<Company> Companies,
    IReadOnlyList<Project> Projects,
    IReadOnlyList<Prospect> Prospects,
    IReadOnlyList<PropertyProfile> Properties,
    long LastVersion);
