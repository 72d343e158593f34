using Hub.ServiceDefaults.Budget;

namespace Hub.Ingest.Connections;

/// <summary>
/// One configured account of a source (<c>Ingest:Connections:{name}</c>): where it is, how to authenticate, what to
/// poll and how often, and the secrets its webhook receiver verifies. Several connections of one source run side by
/// side. Configured once for pollers and receivers alike.
/// </summary>
public sealed class SourceConnection
{
    public const string Propstreet = "propstreet";
    public const string PropertyFinder = "propertyfinder";

    /// <summary>The key under <c>Ingest:Connections</c>; part of observation ids and checkpoints.</summary>
    public string Name { get; set; } = "";

    /// <summary><c>propstreet</c> or <c>propertyfinder</c>.</summary>
    public string Source { get; set; } = "";

    public Uri? BaseUrl { get; set; }

    /// <summary>Propstreet API token (bearer).</summary>
    public string? Token { get; set; }

    /// <summary>Property Finder OAuth2 client credentials.</summary>
    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>
    /// Polled (the default), or webhook-only (<c>false</c>): then BaseUrl and credentials are not needed and nothing
    /// catches a delivery that never came, so keep polling on unless the source cannot be polled.
    /// </summary>
    public bool Poll { get; set; } = true;

    /// <summary>
    /// The webhook signing secret: <c>whsec_</c> + base64 (Propstreet subscriptions, Standard Webhooks) or the raw
    /// secret Property Finder configured. Unset (and no <see cref="WebhookSecrets"/>) = no webhook receiver (404).
    /// </summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Further accepted secrets while a rotation is under way (old and new both verify).</summary>
    public List<string> WebhookSecrets { get; set; } = [];

    /// <summary>Delta interval once the initial sync is done.</summary>
    public TimeSpan Schedule { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Resources to poll: Propstreet <c>contacts, companies, projects, prospects, properties</c>; Property Finder <c>leads</c>. Empty = all of the source's.</summary>
    public List<string> Resources { get; set; } = [];

    /// <summary>Records per request; 0 = the source's maximum (Propstreet 500, Property Finder 50).</summary>
    public int PageSize { get; set; }

    /// <summary>How far behind the watermark a delta starts, against source clock skew and same-instant ties.</summary>
    public TimeSpan LookBack { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Requests per <see cref="BudgetWindow"/> for this connection's credentials, shared by every process.</summary>
    public int RequestsPerMinute { get; set; } = 600;

    /// <summary>The budget's sliding window (60 s for the documented 600/min).</summary>
    public TimeSpan BudgetWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Full passes over resources without <c>include_deleted</c> (leads), for delete detection.</summary>
    public TimeSpan ReconcileEvery { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Every secret a delivery's signature may match.</summary>
    public IReadOnlyList<string> AcceptedSecrets() =>
        [.. new[] { WebhookSecret }.Concat(WebhookSecrets).OfType<string>().Where(s => s.Length > 0)];

    /// <summary>
    /// The shared budget's key: a hash of the credentials, so connections sharing a token share one budget and the
    /// token itself is never stored or logged.
    /// </summary>
    public string BudgetKey
    {
        get => RequestBudget.KeyFor(Source, Source == PropertyFinder ? $"{BaseUrl}|{ClientId}" : $"{BaseUrl}|{Token}");
    }
}
