using Hub.Ingest.Connections;

namespace Hub.Ingest.Webhooks;

/// <summary>
/// What the webhook receivers read from the <c>Ingest</c> section: the connections (the one
/// <see cref="SourceConnection"/> model the pollers use; the receivers need its source and webhook secrets), the
/// operator token of the admin endpoints, and the receiver limits (<c>Ingest:Webhooks</c>). Read through
/// <c>IOptionsMonitor</c>, so a rotated secret takes effect when configuration reloads; the connections were
/// validated at start-up by <see cref="ConnectionsSetup"/>.
/// </summary>
public sealed class WebhookOptions
{
    public const string Section = "Ingest";

    public Dictionary<string, SourceConnection> Connections { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Static bearer token for <c>/admin/webhooks/*</c>; unset = those endpoints refuse everyone (403).</summary>
    public string? OperatorToken { get; set; }

    public WebhookLimits Webhooks { get; set; } = new();
}

public sealed class WebhookLimits
{
    /// <summary>Largest body accepted; checked on Content-Length before reading and while reading (413).</summary>
    public int MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>How far <c>webhook-timestamp</c> may lie from our clock, either way, before a delivery is refused as a replay.</summary>
    public TimeSpan TimestampTolerance { get; set; } = TimeSpan.FromMinutes(5);
}
