using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Hub.Ingest.Webhooks;

/// <summary>
/// Standard Webhooks verification, as both sources sign: <c>webhook-signature</c> holds one or more space-separated
/// <c>v1,&lt;base64 HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{raw body}")&gt;</c>; the key is the base64
/// part of a <c>whsec_</c> secret, else the secret's UTF-8 bytes (Property Finder's configured secret). A pure
/// function of its inputs, the clock's reading included.
/// </summary>
public static class StandardWebhookSignature
{
    private const string SecretPrefix = "whsec_";
    private const string VersionPrefix = "v1,";

    public static WebhookVerdict Verify(
        string? webhookId, string? timestamp, string? signatures, ReadOnlySpan<byte> body,
        IReadOnlyList<string> secrets, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrEmpty(webhookId) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatures))
            return WebhookVerdict.MissingHeaders;
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            return WebhookVerdict.InvalidTimestamp;
        // Both directions: an old timestamp is a replay, one from the future a forgery made to outlive the window.
        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > tolerance)
            return WebhookVerdict.StaleTimestamp;

        var signed = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}.");
        var content = new byte[signed.Length + body.Length];
        signed.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(signed.Length));

        Span<byte> candidate = stackalloc byte[HMACSHA256.HashSizeInBytes];
        foreach (var secret in secrets)
        {
            var expected = HMACSHA256.HashData(Key(secret), content);
            foreach (var signature in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (signature.StartsWith(VersionPrefix, StringComparison.Ordinal)
                    && Convert.TryFromBase64String(signature[VersionPrefix.Length..], candidate, out var written)
                    && written == expected.Length
                    && CryptographicOperations.FixedTimeEquals(candidate, expected))
                    return WebhookVerdict.Valid;
            }
        }

        return WebhookVerdict.BadSignature;
    }

    /// <summary>The HMAC key of a configured secret; throws on a <c>whsec_</c> secret that is not base64 (a configuration error).</summary>
    public static byte[] Key(string secret) =>
        secret.StartsWith(SecretPrefix, StringComparison.Ordinal)
            ? Convert.FromBase64String(secret[SecretPrefix.Length..])
            : Encoding.UTF8.GetBytes(secret);

    /// <summary>Whether <see cref="Key"/> can read the secret (checked when the configuration is read).</summary>
    public static bool IsReadable(string secret) =>
        !secret.StartsWith(SecretPrefix, StringComparison.Ordinal)
        || Convert.TryFromBase64String(secret[SecretPrefix.Length..], new byte[secret.Length], out _);
}

public enum WebhookVerdict
{
    Valid,
    MissingHeaders,
    InvalidTimestamp,
    StaleTimestamp,
    BadSignature,
}
