using Hub.Sandbox.Hosting;

namespace Hub.Sandbox.PropertyFinder;

/// <summary>Property Finder's part in reset/reseed: fresh leads, and webhooks back to configuration.</summary>
public sealed class PropertyFinderApi(LeadStore leads, LeadWebhooks webhooks) : ISandboxApi
{
    public const string ApiName = "propertyfinder";

    public string Name => ApiName;

    public void Reseed(int seed, SandboxSizes sizes)
    {
        webhooks.Reset();
        leads.Reseed(seed, sizes.Leads);
    }
}
