using Hub.Sandbox.Hosting;
using Hub.Sandbox.HubSpot.Control;
using Hub.Sandbox.HubSpot.Objects;
using Hub.Sandbox.HubSpot.RateLimits;
using Hub.Sandbox.HubSpot.Search;
using Hub.Sandbox.HubSpot.Seeding;
using Hub.Sandbox.HubSpot.Webhooks;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.HubSpot;

/// <summary>HubSpot's part in reset/reseed: an empty portal with seeded owners and listings, limits, webhooks and counters back to configuration.</summary>
public sealed class HubSpotSandboxApi(
    CrmData data,
    SearchIndex search,
    WebhookEvents webhooks,
    WebhookDispatcher dispatcher,
    RateLimiter limiter,
    RequestStats stats,
    HubSpotSettings settings,
    IOptions<HubSpotOptions> options) : ISandboxApi
{
    public const string ApiName = "hubspot";

    public string Name => ApiName;

    public void Reseed(int seed, SandboxSizes sizes)
    {
        settings.Reset();
        webhooks.Reset();
        dispatcher.ClearHistory();
        limiter.Clear();
        stats.Clear();
        search.Clear();
        var owners = HubSpotSeed.Owners(seed, options.Value.Owners);
        data.Clear(owners);
        var listings = data.Types.Listings;
        var store = data.Store(listings);
        foreach (var (properties, createdAt) in HubSpotSeed.Listings(seed, owners, options.Value.ListingGapEvery))
        {
            var created = store.Locked(w => CrmWrites.Insert(w, listings, properties, createdAt));
            search.Changed(listings, created, createdAt);
        }
    }
}
