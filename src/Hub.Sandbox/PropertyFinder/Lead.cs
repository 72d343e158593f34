using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hub.Sandbox.PropertyFinder;

/// <summary>A lead as <c>GET /v1/leads</c> returns it. Null fields are left out of the JSON.</summary>
public sealed record Lead(
    string Id,
    string Name,
    string? Email,
    string? Phone,
    string? Message,
    string Channel,
    DateTime CreatedAt,
    LeadListing Listing,
    LeadAgent AssignedTo,
    Uri? CallRecordingUrl)
{
    /// <summary>The number in <c>lead_&lt;n&gt;</c>: ties on createdAt are ordered by it, not by the string.</summary>
    [JsonIgnore]
    public long Number { get; init; }
}

public sealed record LeadListing(long Id, string Reference, string Title);

public sealed record LeadAgent(long Id, string Name);

public sealed record LeadPage(IReadOnlyList<Lead> Data, LeadPagination Pagination);

public sealed record LeadPagination(int Total, int Count, int PerPage, int CurrentPage, int TotalPages);

/// <summary>The lead-created webhook body: the list response's shape with an event name instead of pagination.</summary>
public sealed record LeadWebhookPayload(string Event, IReadOnlyList<Lead> Data);

public static class LeadChannels
{
    public const string Email = "email";
    public const string WhatsApp = "whatsapp";
    public const string Call = "call";
    public const string Chat = "chat";

    public static readonly IReadOnlyList<string> All = [Email, WhatsApp, Call, Chat];

    public static string? Normalize(string? channel) =>
        All.FirstOrDefault(c => string.Equals(c, channel?.Trim(), StringComparison.OrdinalIgnoreCase));
}

public static class PropertyFinderJson
{
    /// <summary>camelCase, nulls omitted; date-times as the docs write them, to the second with a Z.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

        // "+971..." as in the docs, not "\u002B971...": this JSON is never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new SecondsUtcConverter() },
    };

    /// <summary><c>2025-12-19T10:30:00Z</c>, always: the docs' format, and never sometimes with fractions.</summary>
    private sealed class SecondsUtcConverter : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTimeOffset().UtcDateTime;

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
    }
}
