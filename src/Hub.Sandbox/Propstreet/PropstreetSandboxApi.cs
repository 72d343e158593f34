using Hub.Sandbox.Hosting;
using Hub.Sandbox.Propstreet.Access;
using Hub.Sandbox.Propstreet.Generation;
using Hub.Sandbox.Propstreet.Idempotency;
using Hub.Sandbox.Propstreet.Storage;
using Hub.Sandbox.Propstreet.Webhooks;

namespace Hub.Sandbox.Propstreet;

/// <summary>The Propstreet half of the sandbox as the admin surface sees it: reseed replaces all of its state.</summary>
public sealed class PropstreetSandboxApi(
    PropstreetData data, IdempotencyStore idempotency, WebhookRegistry webhooks, RateLimiter rateLimiter) : ISandboxApi
{
    public string Name => "propstreet";

    public void Reseed(int seed, SandboxSizes sizes)
    {
        var generated = PropstreetGenerator.Generate(seed, sizes);
        var next = generated.LastVersion;
        data.Contacts.Load(generated.Contacts, PropstreetGenerator.FirstContactId + generated.Contacts.Count, next);
        data.Companies.Load(generated.Companies, PropstreetGenerator.FirstCompanyId + generated.Companies.Count, next);
        data.Projects.Load(generated.Projects, PropstreetGenerator.FirstProjectId + generated.Projects.Count, next);
        data.Prospects.Load(generated.Prospects, PropstreetGenerator.FirstProspectId + generated.Prospects.Count, next);
        data.Properties.Load(generated.Properties, PropstreetGenerator.FirstPropertyId + generated.Properties.Count, next);
        idempotency.Clear();
        webhooks.Clear();
        rateLimiter.Clear();
    }
}
