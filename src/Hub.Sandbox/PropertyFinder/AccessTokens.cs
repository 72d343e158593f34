using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.PropertyFinder;

/// <summary>
/// Opaque bearer tokens for the client-credentials grant, expiring after <c>TokenLifetime</c> on the sandbox clock
/// (so a clock-skew fault can also expire them). Tokens survive a reseed: they are credentials, not data.
/// </summary>
public sealed class AccessTokens(IOptions<PropertyFinderOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _expiries = new(StringComparer.Ordinal);

    public TimeSpan Lifetime => options.Value.TokenLifetime;

    public bool IsValidClient(string clientId, string clientSecret)
    {
        if (clientId.Length == 0 || clientSecret.Length == 0)
        {
            return false;
        }

        var clients = options.Value.Clients;
        return clients.Count == 0 || clients.Any(c => c.ClientId == clientId && FixedTimeEquals(c.ClientSecret, clientSecret));
    }

    public string Issue()
    {
        var now = clock.GetUtcNow();
        foreach (var (stale, _) in _expiries.Where(e => e.Value <= now))
        {
            _expiries.TryRemove(stale, out _);
        }

        var token = "pfsb_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        _expiries[token] = now + Lifetime;
        return token;
    }

    public TokenState Check(string token) =>
        !_expiries.TryGetValue(token, out var expiry) ? TokenState.Unknown
        : expiry <= clock.GetUtcNow() ? TokenState.Expired
        : TokenState.Valid;

    private static bool FixedTimeEquals(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(actual));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public enum TokenState
{
    Unknown,
    Expired,
    Valid,
}
