using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Hub.Crm.HubSpot;

public enum HubSpotErrorCategory
{
    /// <summary>400: bad input, e.g. an unknown property (VALIDATION_ERROR / PROPERTY_DOESNT_EXIST). Fix the data, do not retry.</summary>
    Validation,

    /// <summary>409: a unique value is taken by another record; <see cref="HubSpotError.ExistingId"/> names it when HubSpot does.</summary>
    Conflict,

    /// <summary>404 or OBJECT_NOT_FOUND: no such record or object type.</summary>
    NotFound,

    /// <summary>429 TEN_SECONDLY_ROLLING after every allowed wait. Retryable later.</summary>
    RateLimited,

    /// <summary>429 DAILY: the account's daily quota is spent; nothing more until HubSpot's day rolls over.</summary>
    DailyLimitReached,

    /// <summary>401/403: the token is wrong, expired or lacks a scope. Retrying does not help.</summary>
    Auth,

    /// <summary>5xx, timeout or dropped connection after every allowed attempt. Retryable later.</summary>
    Server,

    /// <summary>
    /// A non-idempotent write (batch create) failed in a way that may or may not have applied it (timeout, 5xx,
    /// dropped connection). Not retried: look the record up by a unique property before writing again.
    /// </summary>
    OutcomeUnknown,
}

/// <summary>
/// A typed HubSpot failure. <see cref="Retryable"/>: the same request may succeed later unchanged. Messages are
/// HubSpot's and never carry the access token.
/// </summary>
public sealed partial record HubSpotError(
    HubSpotErrorCategory Category,
    string Message,
    bool Retryable,
    int? Status = null,
    string? ExistingId = null,
    string? CorrelationId = null,
    string? SubCategory = null)
{
    /// <summary>From an error body (<c>{status:"error", message, category, correlationId, errors?}</c>) or its status alone.</summary>
    internal static HubSpotError FromResponse(HttpStatusCode status, JsonElement? body)
    {
        var message = Text(body, "message") ?? $"HubSpot answered {(int)status} {status}.";
        var category = Text(body, "category");
        var subCategory = Text(body, "subCategory") ?? FirstNestedCode(body);
        var kind = Classify((int)status, category, Text(body, "policyName"));
        return new HubSpotError(
            kind,
            message,
            kind is HubSpotErrorCategory.RateLimited or HubSpotErrorCategory.Server,
            (int)status,
            kind == HubSpotErrorCategory.Conflict ? ExistingIdIn(message) : null,
            Text(body, "correlationId"),
            subCategory);
    }

    /// <summary>One entry of a 207's <c>errors</c> array: <c>{status, category, message, context:{ids:[...]}}</c>.</summary>
    internal static HubSpotError FromBatchError(JsonElement error)
    {
        var message = Text(error, "message") ?? "HubSpot refused this input.";
        var category = Text(error, "category");
        var kind = Classify(0, category, null);
        return new HubSpotError(kind, message, kind is HubSpotErrorCategory.RateLimited or HubSpotErrorCategory.Server, null,
            kind == HubSpotErrorCategory.Conflict ? ExistingIdIn(message) : null, Text(error, "correlationId"), Text(error, "subCategory") ?? FirstNestedCode(error));
    }

    internal static HubSpotError Timeout(TimeSpan limit, bool idempotent) => Unavailable($"HubSpot did not answer within {limit.TotalSeconds:0.###} s.", null, idempotent);

    internal static HubSpotError Unreachable(string reason, bool idempotent) => Unavailable($"HubSpot could not be reached: {reason}", null, idempotent);

    internal static HubSpotError Unavailable(string message, int? status, bool idempotent) => idempotent
        ? new HubSpotError(HubSpotErrorCategory.Server, message, true, status)
        : new HubSpotError(HubSpotErrorCategory.OutcomeUnknown, message + " The write may have been applied; it was not retried.", false, status);

    private static HubSpotErrorCategory Classify(int status, string? category, string? policyName) => (status, category) switch
    {
        (429, _) when policyName == "DAILY" => HubSpotErrorCategory.DailyLimitReached,
        (429, _) or (_, "RATE_LIMITS") => HubSpotErrorCategory.RateLimited,
        (401 or 403, _) or (_, "INVALID_AUTHENTICATION" or "MISSING_SCOPES" or "INVALID_AUTHORIZATION") => HubSpotErrorCategory.Auth,
        (409, _) or (_, "CONFLICT") => HubSpotErrorCategory.Conflict,
        (404, _) or (_, "OBJECT_NOT_FOUND") => HubSpotErrorCategory.NotFound,
        (>= 500, _) => HubSpotErrorCategory.Server,
        _ => HubSpotErrorCategory.Validation,
    };

    // HubSpot's conflict message: "Contact already exists. Existing ID: 512".
    private static string? ExistingIdIn(string message) =>
        ExistingIdPattern().Match(message) is { Success: true } match ? match.Groups[1].Value : null;

    [GeneratedRegex(@"Existing ID:\s*(\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ExistingIdPattern();

    private static string? FirstNestedCode(JsonElement? body) =>
        body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array
            ? errors.EnumerateArray().Select(e => Text(e, "code")).FirstOrDefault(c => c is not null)
            : null;

    internal static string? Text(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;
}

/// <summary>A read (list, search, read, owners) that HubSpot failed; the typed reason is in <see cref="Error"/>.</summary>
public sealed class HubSpotException(HubSpotError error) : Exception($"{error.Category}: {error.Message}")
{
    public HubSpotError Error { get; } = error;
}
