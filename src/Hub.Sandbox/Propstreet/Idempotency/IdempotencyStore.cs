using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Hub.Sandbox.Propstreet.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on POST, keyed by (token, key). The same key with the same request (method, path, body
/// hash) replays the stored response; with another request it is refused with 422. Only successful responses are
/// stored, so a request refused for a transient reason (409, 400) can be retried with the same key. Keys live until
/// the sandbox is reseeded.
/// </summary>
public sealed class IdempotencyStore
{
    private readonly ConcurrentDictionary<(string Token, string Key), Entry> _entries = new();

    public IResult Run(HttpContext http, string token, byte[] body, Func<Outcome> execute)
    {
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (string.IsNullOrWhiteSpace(key))
            return execute().ToResult(http);
        if (key.Length > 255)
            return Problems.BadRequest("Idempotency-Key is limited to 255 characters.");

        var fingerprint = Fingerprint(http.Request, body);
        var entry = _entries.GetOrAdd((token, key), _ => new Entry());
        lock (entry)
        {
            if (entry.Response is { } stored)
            {
                if (!entry.Fingerprint.AsSpan().SequenceEqual(fingerprint))
                {
                    return Problems.Create(422, "idempotency-key-reused", "Idempotency key reused",
                        "This Idempotency-Key was already used with a different request. Use a new key for a new request.");
                }

                http.Response.Headers["Idempotent-Replayed"] = "true";
                return stored.ToResult(http);
            }

            var outcome = execute();
            if (outcome.Response is { Status: >= 200 and < 300 } response)
            {
                entry.Fingerprint = fingerprint;
                entry.Response = response;
            }

            return outcome.ToResult(http);
        }
    }

    public void Clear() => _entries.Clear();

    private static byte[] Fingerprint(HttpRequest request, byte[] body)
    {
        var head = Encoding.UTF8.GetBytes($"{request.Method} {request.Path}\n");
        return SHA256.HashData([.. head, .. body]);
    }

    private sealed class Entry
    {
        public byte[] Fingerprint { get; set; } = [];

        public StoredResponse? Response { get; set; }
    }
}

/// <summary>A response as stored for replay: status, JSON body, Location and ETag.</summary>
public sealed record StoredResponse(int Status, string Json, string? Location, string? ETag)
{
    public static StoredResponse Of<T>(int status, T body, JsonSerializerOptions options, string? location = null, string? etag = null) =>
        new(status, JsonSerializer.Serialize(body, options), location, etag);

    public IResult ToResult(HttpContext http)
    {
        if (Location is not null)
            http.Response.Headers.Location = Location;
        if (ETag is not null)
            http.Response.Headers.ETag = ETag;
        return Results.Content(Json, "application/json; charset=utf-8", Encoding.UTF8, Status);
    }
}

/// <summary>Either a response worth storing or a problem that is not.</summary>
public sealed record Outcome(StoredResponse? Response, IResult? Problem)
{
    public static implicit operator Outcome(StoredResponse response) => new(response, null);

    public static Outcome Fail(IResult problem) => new(null, problem);

    public IResult ToResult(HttpContext http) => Response?.ToResult(http) ?? Problem ?? Results.StatusCode(500);
}
