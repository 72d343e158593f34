using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Hub.Ingest.Webhooks;

/// <summary>
/// HubSpot's request signature v3: <c>X-HubSpot-Signature-v3</c> = base64 HMAC-SHA256 keyed with the app secret over
/// method + the full request URI HubSpot called + the raw body + <c>X-HubSpot-Request-Timestamp</c> (epoch
/// milliseconds), the URI with the few characters HubSpot decodes before signing decoded. A pure function of its
/// inputs, the clock's reading included.
/// </summary>
public static class HubSpotWebhookSignature
{
    // HubSpot decodes these escapes in the URI before it signs (its v3 validation guide).
    private static readonly (string Escaped, string Plain)[] Decoded =
    [
        ("%3A", ":"), ("%2F", "/"), ("%3F", "?"), ("%40", "@"), ("%21", "!"), ("%24", "$"),
        ("%27", "'"), ("%28", "("), ("%29", ")"), ("%2A", "*"), ("%2C", ","), ("%3B", ";"),
    ];

    /// <param name="maxAge">How old a timestamp may be (HubSpot: 5 minutes); older is a replay.</param>
    /// <param name="maxSkew">How far in the future a timestamp may be (clock skew); further is a forgery made to outlive the window.</param>
    public static WebhookVerdict Verify(
        string method, string uri, ReadOnlySpan<byte> body, string? timestamp, string? signature,
        string appSecret, DateTimeOffset now, TimeSpan maxAge, TimeSpan maxSkew)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
            return WebhookVerdict.MissingHeaders;
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            return WebhookVerdict.InvalidTimestamp;
        var age = now - DateTimeOffset.FromUnixTimeMilliseconds(ms);
        if (age > maxAge || -age > maxSkew)
            return WebhookVerdict.StaleTimestamp;

        Span<byte> candidate = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (!Convert.TryFromBase64String(signature, candidate, out var written) || written != candidate.Length)
            return WebhookVerdict.BadSignature;
        var expected = Sign(appSecret, method, uri, body, timestamp);
        return CryptographicOperations.FixedTimeEquals(candidate, expected) ? WebhookVerdict.Valid : WebhookVerdict.BadSignature;
    }

    /// <summary>The raw HMAC of a request as HubSpot computes it.</summary>
    public static byte[] Sign(string appSecret, string method, string uri, ReadOnlySpan<byte> body, string timestamp)
    {
        var prefix = Encoding.UTF8.GetBytes(method + Decode(uri));
        var suffix = Encoding.UTF8.GetBytes(timestamp);
        var content = new byte[prefix.Length + body.Length + suffix.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        suffix.CopyTo(content, prefix.Length + body.Length);
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), content);
    }

    private static string Decode(string uri)
    {
        if (!uri.Contains('%', StringComparison.Ordinal))
            return uri;
        foreach (var (escaped, plain) in Decoded)
            uri = uri.Replace(escaped, plain, StringComparison.OrdinalIgnoreCase);
        return uri;
    }
}
