using System.Globalization;
using System.Text.Json;

namespace Hub.Sandbox.HubSpot.Schema;

public enum PropertyType
{
    /// <summary>HubSpot's "string" type.</summary>
    Text,
    Number,
    DateTime,
    Date,
    Bool,
    Enumeration,

    /// <summary>An owner id (<c>hubspot_owner_id</c>): an enumeration whose options are the portal's owners.</summary>
    Owner,
}

/// <summary>One property of an object type, and how a value sent for it becomes the string HubSpot stores.</summary>
public sealed record PropertyDefinition(string Name, PropertyType Type, bool Unique = false, bool ReadOnly = false, IReadOnlySet<string>? Options = null)
{
    /// <summary>
    /// The stored form of a value as sent: strings as they are, JSON numbers and booleans as their text (HubSpot
    /// accepts them and answers strings), datetimes as ISO 8601 in UTC with milliseconds, dates as yyyy-MM-dd;
    /// null and "" clear the property (null result). An invalid value gives HubSpot's per-property error.
    /// </summary>
    public (string? Value, PropertyError? Error) Normalize(JsonElement value, Func<string, bool> ownerExists)
    {
        string text;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return (null, null);
            case JsonValueKind.String:
                text = value.GetString()!;
                break;
            case JsonValueKind.Number:
                text = value.GetRawText();
                break;
            case JsonValueKind.True:
            case JsonValueKind.False:
                text = value.ValueKind == JsonValueKind.True ? "true" : "false";
                break;
            default:
                return (null, Invalid("INVALID_PROPERTY_VALUE", $"{value.GetRawText()} is not a valid value for {Name}: send a string, number or boolean."));
        }

        return text.Length == 0 ? (null, null) : NormalizeText(text, ownerExists);
    }

    private (string? Value, PropertyError? Error) NormalizeText(string text, Func<string, bool> ownerExists)
    {
        switch (Type)
        {
            case PropertyType.Number:
                return decimal.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                    ? (text.Trim(), null)
                    : (null, Invalid("INVALID_FLOAT", $"{text} was not a valid number."));
            case PropertyType.Bool:
                return bool.TryParse(text.Trim(), out var flag)
                    ? (flag ? "true" : "false", null)
                    : (null, Invalid("INVALID_BOOLEAN", $"{text} was not a valid boolean (true or false)."));
            case PropertyType.DateTime:
                return ParseInstant(text) is { } instant
                    ? (Format(instant), null)
                    : (null, Invalid("INVALID_DATE", $"{text} was not a valid datetime: send epoch milliseconds or ISO 8601."));
            case PropertyType.Date:
                return ParseInstant(text) is { } day && day.TimeOfDay == TimeSpan.Zero
                    ? (day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), null)
                    : (null, Invalid("INVALID_DATE", $"{text} was not a valid date: send midnight UTC as epoch milliseconds or yyyy-MM-dd."));
            case PropertyType.Enumeration when Options is { } options && !options.Contains(text):
                return (null, Invalid("INVALID_OPTION", $"{text} was not one of the allowed options: [{string.Join(", ", options.Order(StringComparer.Ordinal))}]"));
            case PropertyType.Owner when !ownerExists(text):
                return (null, Invalid("INVALID_OPTION", $"{text} was not one of the allowed options: the portal's owner ids (GET /crm/v3/owners)."));
            case PropertyType.Text when Name == "email":
                var email = text.Trim().ToLowerInvariant();
                return email.Length > 2 && email.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < email.Length - 1 && !email.Contains(' ', StringComparison.Ordinal)
                    ? (email, null)
                    : (null, Invalid("INVALID_EMAIL", $"Email address {text} is invalid"));
            default:
                return (text, null);
        }
    }

    /// <summary>Epoch milliseconds or ISO 8601; datetime properties are compared as instants in search too.</summary>
    public static DateTimeOffset? ParseInstant(string text)
    {
        var trimmed = text.Trim();
        if (long.TryParse(trimmed, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
            return ms is >= -62_135_596_800_000 and <= 253_402_300_799_999 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : null;
    }

    /// <summary>HubSpot's timestamp format: <c>2019-10-30T03:30:17.883Z</c>.</summary>
    public static string Format(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private PropertyError Invalid(string code, string message) => new(Name, code, message);
}

/// <summary>Why one property value was refused, as HubSpot lists it in "Property values were not valid: […]".</summary>
public sealed record PropertyError(string Name, string Code, string Message);
