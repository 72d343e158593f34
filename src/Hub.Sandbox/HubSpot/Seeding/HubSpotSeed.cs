using System.Globalization;
using Bogus;
using Hub.Sandbox.HubSpot.Owners;
using Hub.Sandbox.HubSpot.Schema;
using Hub.Sandbox.PropertyFinder;

namespace Hub.Sandbox.HubSpot.Seeding;

/// <summary>
/// The portal as the hub finds it: owners, and the listings custom object filled from the Property Finder
/// generator's listings for the same seed — every <c>gapEvery</c>-th one left out, so most seeded leads'
/// <c>listing.reference</c> has a listing (with an owner) and some have none. Deterministic: timestamps count from
/// the generator's epoch, never the wall clock. Everything else starts empty; the hub fills it.
/// </summary>
public static class HubSpotSeed
{
    public const long FirstOwnerId = 71_000_001;

    public static List<Owner> Owners(int seed, int count)
    {
        var faker = new Faker("en") { Random = new Randomizer(unchecked((seed * 7919) + 3)) };
        var at = PropertyDefinition.Format(LeadGenerator.Epoch.AddDays(-365));
        return Enumerable.Range(0, count).Select(i =>
        {
            var first = faker.Name.FirstName();
            var last = faker.Name.LastName();
            var id = FirstOwnerId + (i * 7);
            var email = $"{first}.{last}@agency.sandbox.invalid".Replace(" ", "", StringComparison.Ordinal).Replace("'", "", StringComparison.Ordinal).ToLowerInvariant();
            return new Owner(id.ToString(CultureInfo.InvariantCulture), email, "PERSON", first, last, 9_100_001 + i, 9_100_001 + i, at, at, false);
        }).ToList();
    }

    /// <summary>Listing properties (reference, name, owner) and their creation time, in generator order.</summary>
    public static List<(Dictionary<string, string?> Properties, DateTimeOffset CreatedAt)> Listings(int seed, IReadOnlyList<Owner> owners, int gapEvery)
    {
        var listings = new LeadGenerator(seed).Listings;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<(Dictionary<string, string?>, DateTimeOffset)>();
        for (var i = 0; i < listings.Count; i++)
        {
            var listing = listings[i];
            if ((gapEvery > 0 && i % gapEvery == gapEvery - 1) || !seen.Add(listing.Reference))
                continue;
            var properties = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["reference"] = listing.Reference,
                ["name"] = listing.Title,
                ["hubspot_owner_id"] = owners.Count > 0 ? owners[i % owners.Count].Id : null,
            };
            result.Add((properties, new DateTimeOffset(LeadGenerator.Epoch.AddDays(-200).AddMinutes(i))));
        }

        return result;
    }
}
