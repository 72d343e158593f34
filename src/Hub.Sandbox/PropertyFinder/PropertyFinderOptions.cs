namespace Hub.Sandbox.PropertyFinder;

/// <summary>The <c>Sandbox:PropertyFinder</c> configuration section.</summary>
public sealed class PropertyFinderOptions
{
    public const string Section = "Sandbox:PropertyFinder";

    /// <summary>How long an access token from <c>POST /v1/auth/token</c> stays valid.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Accepted clients. Empty: any non-empty client_id/client_secret pair is accepted.</summary>
    public IList<PropertyFinderClient> Clients { get; } = [];

    /// <summary>Where lead-created webhooks are POSTed; replaceable at runtime through the admin surface.</summary>
    public IList<Uri> WebhookUrls { get; } = [];

    /// <summary>HMAC-SHA256 key of the <c>webhook-signature</c> header; a <c>whsec_</c> prefix means base64.</summary>
    public string WebhookSecret { get; set; } = "pf-sandbox-webhook-secret";

    /// <summary>Delay before the first retry of a failed delivery; doubles with every further attempt.</summary>
    public TimeSpan WebhookRetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts per delivery, the first one included.</summary>
    public int WebhookMaxAttempts { get; set; } = 5;

    /// <summary>With the out-of-order fault on, deliveries are released shuffled once this many are held...</summary>
    public int OutOfOrderBatchSize { get; set; } = 3;

    /// <summary>...or once no new delivery arrived for this long.</summary>
    public TimeSpan OutOfOrderHoldBack { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Base of the call-recording URLs on call leads (<c>{base}{leadId}.mp3</c>).</summary>
    public Uri RecordingBaseUrl { get; set; } = new("https://recordings.sandbox.propertyfinder.invalid/calls/");
}

public sealed class PropertyFinderClient
{
    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";
}
