using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hub.Sync.Records;

namespace Hub.Sync.HubSpot;

/// <summary>
/// What HubSpot should hold for one source record: a pure function of the record's current state (docs/hubspot.md
/// has the table). Every value is a string, as HubSpot stores it; a field the source leaves empty maps to "" so an
/// update clears it in HubSpot too. Null when the record is not mapped (linked properties).
/// </summary>
public static class HubSpotMapping
{
    public const string PropstreetId = "propstreet_id";
    public const string LeadId = "propertyfinder_lead_id";

    /// <summary>HubSpot's multi-select separator.</summary>
    private const string Multi = ";";

    public static HubSpotTarget? Map(SourceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var f = record.Fields;
        var target = (record.Source, record.Resource) switch
        {
            ("propstreet", "contact") => Contact(record.RecordId, f),
            ("propstreet", "company") => Company(record.RecordId, f),
            ("propstreet", "project") => Deal(record.RecordId, f, record.IsDeleted),
            ("propstreet", "prospect") => ProspectAssociation(record.RecordId, f),
            ("propertyfinder", "lead") => Lead(record.RecordId, f),
            _ => null,
        };
        return target is null ? null : target with { Archived = record.IsDeleted };
    }

    private static HubSpotTarget Contact(string id, JsonElement f)
    {
        var primaryCompany = Array(f, "companies").FirstOrDefault(c => Bool(c, "isPrimary"));
        return HubSpotTarget.Upsert(HubSpotObjectTypes.Contacts, PropstreetId, id, new Dictionary<string, string>
        {
            ["firstname"] = Text(f, "firstName"),
            ["lastname"] = Text(f, "lastName"),
            ["email"] = Text(f, "email").ToLowerInvariant(),
            ["phone"] = Text(f, "phone"),
            ["jobtitle"] = Text(primaryCompany, "jobTitle"),
            ["company"] = Text(primaryCompany, "name"),
            ["propstreet_tags"] = Tags(f),
            ["propstreet_strategy"] = Text(f, "strategy"),
            ["propstreet_uri"] = Text(f, "uri"),
        });
    }

    private static HubSpotTarget Company(string id, JsonElement f) =>
        HubSpotTarget.Upsert(HubSpotObjectTypes.Companies, PropstreetId, id, new Dictionary<string, string>
        {
            ["name"] = Text(f, "name"),
            ["domain"] = Domain(Text(f, "website")),
            ["website"] = Text(f, "website"),
            ["phone"] = Text(f, "phone"),
            ["city"] = Text(f, "city"),
            ["country"] = Text(f, "country"),
            ["propstreet_tags"] = Tags(f),
            ["propstreet_strategy"] = Text(f, "strategy"),
            ["propstreet_uri"] = Text(f, "uri"),
        });

    private static HubSpotTarget Deal(string id, JsonElement f, bool deleted)
    {
        var status = Text(f, "status");
        var teaserStage = f.TryGetProperty("teaser", out var teaser) ? Text(teaser, "stage") : "";
        var transactions = Array(f, "transactions");
        var lastClose = transactions.Select(t => Instant(t, "closedUtc")).Where(t => t is not null).Max();
        var price = f.TryGetProperty("price", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        return HubSpotTarget.Upsert(HubSpotObjectTypes.Deals, PropstreetId, id, new Dictionary<string, string>
        {
            ["dealname"] = Text(f, "name"),
            ["pipeline"] = "default",
            ["dealstage"] = DealStage(deleted ? "deleted" : status, teaserStage, transactions.Count > 0),
            ["amount"] = Number(price, "value"),
            ["deal_currency_code"] = Text(price, "currency"),
            ["closedate"] = lastClose is { } close ? close.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : "",
            ["propstreet_status"] = status,
            ["propstreet_classification"] = Text(f, "classification"),
            ["propstreet_teaser_stage"] = teaserStage,
            ["propstreet_property_count"] = f.TryGetProperty("asset", out var asset) ? Number(asset, "propertyCount") : "",
        });
    }

    /// <summary>
    /// HubSpot's default sales pipeline, by how far the project has come: a closed project with a transaction is won,
    /// without one lost; an open one moves with its teaser (added/drafting → published → verified → communicated).
    /// </summary>
    public static string DealStage(string status, string teaserStage, bool hasTransaction) => status switch
    {
        "closed" or "deleted" => hasTransaction ? "closedwon" : "closedlost",
        _ => teaserStage switch
        {
            "published" => "qualifiedtobuy",
            "verified" => "presentationscheduled",
            "communicated" => "decisionmakerboughtin",
            _ => "appointmentscheduled",
        },
    };

    /// <summary>A prospect is the link between its project's deal and its contact (or company), labelled with its classification.</summary>
    private static HubSpotTarget? ProspectAssociation(string id, JsonElement f)
    {
        var project = Text(f, "projectId");
        var contact = Text(f, "contactId");
        var company = Text(f, "companyId");
        if (project.Length == 0 || (contact.Length == 0 && company.Length == 0))
            return null;
        var (toType, toKey) = contact.Length > 0
            ? (HubSpotObjectTypes.Contacts, SourceRecord.StreamKey("propstreet", "contact", contact))
            : (HubSpotObjectTypes.Companies, SourceRecord.StreamKey("propstreet", "company", company));
        var link = new HubSpotLink(SourceRecord.StreamKey("propstreet", "project", project), toType, toKey, Text(f, "classification"));
        return new HubSpotTarget(HubSpotObjectTypes.Deals, PropstreetId, id, new Dictionary<string, string>(), link);
    }

    private static HubSpotTarget Lead(string id, JsonElement f)
    {
        var (first, last) = SplitName(Text(f, "name"));
        var listing = f.TryGetProperty("listing", out var l) ? l : default;
        return HubSpotTarget.Upsert(HubSpotObjectTypes.Contacts, LeadId, id, new Dictionary<string, string>
        {
            ["firstname"] = first,
            ["lastname"] = last,
            ["email"] = Text(f, "email").ToLowerInvariant(),
            ["phone"] = Text(f, "phone"),
            ["lifecyclestage"] = "lead",
            ["hs_lead_status"] = "NEW",
            ["lead_message"] = Text(f, "message"),
            ["lead_channel"] = Text(f, "channel"),
            ["lead_listing_reference"] = Text(listing, "reference"),
            ["lead_call_recording_url"] = Text(f, "callRecordingUrl"),
        });
    }

    /// <summary>
    /// Whether a HubSpot association label stands for a prospect classification: labels are display names an admin
    /// creates ("Not interested" for <c>not_interested</c>), so case, spaces and hyphens do not matter.
    /// </summary>
    public static bool IsLabelFor(string? label, string classification) =>
        label is not null && classification.Length > 0 &&
        string.Equals(label.Trim().Replace(' ', '_').Replace('-', '_'), classification, StringComparison.OrdinalIgnoreCase);

    /// <summary>The listing reference a lead asks about: the key of its owner assignment.</summary>
    public static string? ListingReference(HubSpotTarget target) =>
        target.IdProperty == LeadId && target.Properties.TryGetValue("lead_listing_reference", out var reference) && reference.Length > 0 ? reference : null;

    /// <summary>
    /// A short, stable hash of everything the target asks of HubSpot: what the push ledger compares so a record whose
    /// content HubSpot already holds is not sent again.
    /// </summary>
    public static string Hash(HubSpotTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var text = new StringBuilder().Append(target.ObjectType).Append('\n').Append(target.Archived ? "archived" : "live").Append('\n');
        foreach (var (name, value) in target.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
            text.Append(name).Append('=').Append(value.Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        if (target.Link is { } link)
            text.Append(link.FromKey).Append('>').Append(link.ToObjectType).Append(':').Append(link.ToKey).Append('#').Append(link.Label);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 16));
    }

    private static (string First, string Last) SplitName(string name)
    {
        var trimmed = name.Trim();
        var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (trimmed, "") : (trimmed[..space], trimmed[(space + 1)..].Trim());
    }

    private static string Domain(string website)
    {
        if (website.Length == 0)
            return "";
        var url = website.Contains("://", StringComparison.Ordinal) ? website : "https://" + website;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            return "";
        var host = uri.Host.ToLowerInvariant();
        return host.StartsWith("www.", StringComparison.Ordinal) ? host[4..] : host;
    }

    private static string Tags(JsonElement f) =>
        string.Join(Multi, Array(f, "tags").Select(t => t.GetString()).Where(t => !string.IsNullOrEmpty(t)).Order(StringComparer.Ordinal));

    private static List<JsonElement> Array(JsonElement f, string name) =>
        f.ValueKind == JsonValueKind.Object && f.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? [.. a.EnumerateArray()] : [];

    private static bool Bool(JsonElement f, string name) =>
        f.ValueKind == JsonValueKind.Object && f.TryGetProperty(name, out var b) && b.ValueKind == JsonValueKind.True;

    private static string Text(JsonElement f, string name) =>
        f.ValueKind == JsonValueKind.Object && f.TryGetProperty(name, out var v)
            ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString() ?? "",
                JsonValueKind.Number => v.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => "",
            }
            : "";

    private static string Number(JsonElement f, string name) =>
        f.ValueKind == JsonValueKind.Object && f.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetDecimal().ToString(CultureInfo.InvariantCulture)
            : Text(f, name);

    private static DateTimeOffset? Instant(JsonElement f, string name) =>
        DateTimeOffset.TryParse(Text(f, name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
}

/// <summary>HubSpot's object type names as its v3 paths spell them.</summary>
public static class HubSpotObjectTypes
{
    public const string Contacts = "contacts";
    public const string Companies = "companies";
    public const string Deals = "deals";
}

/// <summary>
/// The HubSpot side of one source record: an object upserted by <see cref="IdProperty"/> = <see cref="IdValue"/> with
/// <see cref="Properties"/>, or (<see cref="Link"/> set) an association between two pushed records.
/// </summary>
public sealed record HubSpotTarget(
    string ObjectType, string IdProperty, string IdValue, IReadOnlyDictionary<string, string> Properties, HubSpotLink? Link = null, bool Archived = false)
{
    public static HubSpotTarget Upsert(string objectType, string idProperty, string idValue, Dictionary<string, string> properties) =>
        new(objectType, idProperty, idValue, properties);
}

/// <summary>An association from the record in stream <see cref="FromKey"/> to the one in <see cref="ToKey"/>, labelled.</summary>
public sealed record HubSpotLink(string FromKey, string ToObjectType, string ToKey, string Label);
