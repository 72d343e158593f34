namespace Hub.Ingest.Webhooks;

/// <summary>
/// What the webhook receivers read from the <c>Ingest</c> section: each connection's source and webhook secrets
/// (<c>Ingest:Connections:{name}</c>, other keys of a connection belong to the pollers), the operator token of the
/// admin endpoints, and the receiver limits (<c>Ingest:Webhooks</c>). Bound on its own until the pollers'
/// connection settings land, so only the keys this part needs are read. Read through <c>IOptionsMonitor</c>: a
/// rotated secret takes effect when configuration reloads.
/// </summary>
public sealed class WebhookOptions
{
    public const string Section = "Ingest";

    public Dictionary<string, WebhookConnection> Connections { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Static bearer token for <c>/admin/webhooks/*</c>; unset = those endpoints refuse everyone (403).</summary>
    public string? OperatorToken { get; set; }

    public WebhookLimits Webhooks { get; set; } = new();
}

public sealed class WebhookConnection
{
    /// <summary><c>propstreet</c> or <c>propertyfinder</c>; must match the <c>{source}</c> of the receiver URL.</summary>
    public string? Source { get; set; }

    /// <summary>
    /// The signing secret: <c>whsec_</c> + base64 (Propstreet subscriptions, Standard Webhooks) or the raw secret
    /// Property Finder configured. Unset = this connection has no webhook receiver (404).
    /// </summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Further accepted secrets while a rotation is under way (old and new both verify).</summary>
    public IList<string> WebhookSecrets { get; } = [];

    public IReadOnlyList<string> AcceptedSecrets() =>
        [.. new[] { WebhookSecret }.Concat(WebhookSecrets).OfType<string>().Where(s => s.Length > 0)];
}

public sealed class WebhookLimits
{
    /// <summary>Largest body accepted; checked on Content-Length before reading and while reading (413).</summary>
    public int MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>How far <c>webhook-timestamp</c> may lie from our clock, either way, before a delivery is refused as a replay.</summary>
    public TimeSpan TimestampTolerance { get; set; } = TimeSpan.FromMinutes(5);
}
