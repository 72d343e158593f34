using System.Globalization;
using System.Text.Json;
using Hub.Contracts.Observations;
using Hub.Crm.HubSpot;

namespace Hub.Ingest.HubSpot;

/// <summary>
/// A HubSpot record as the hub observes it (source <c>hubspot</c>, streams <c>hubspot-contact-512</c>): its properties as
/// one flat JSON object of strings, so each property change is its own field in the record's history. Versioned by
/// its last-modified instant; an archived record by its archive instant, which comes after its last change, so the
/// deletion is newer than the last live state and is never dropped as stale. Properties the hub adds itself start with
/// <c>hub_</c>: <see cref="MergedInto"/> on a record merged away, <see cref="PrivacyDeleted"/> on a GDPR deletion.
/// </summary>
public static class HubSpotObservations
{
    public const string Source = "hubspot";

    public const string Contacts = "contacts";
    public const string Companies = "companies";
    public const string Deals = "deals";

    /// <summary>On a record merged into another: the id of the record it now lives on.</summary>
    public const string MergedInto = "hub_merged_into";

    /// <summary>On a record permanently deleted for privacy (GDPR): "true". Its other properties are gone.</summary>
    public const string PrivacyDeleted = "hub_privacy_deleted";

    /// <summary>Object types the hub watches: contacts, companies and deals.</summary>
    public static IReadOnlyList<string> ObjectTypes { get; } = [Contacts, Companies, Deals];

    /// <summary>The singular resource of the record's stream key: contact, company, deal.</summary>
    public static string Resource(string objectType) => objectType switch
    {
        Contacts => "contact",
        Companies => "company",
        Deals => "deal",
        _ => throw new ArgumentOutOfRangeException(nameof(objectType), objectType, "Not an object type the hub watches."),
    };

    /// <summary>The property HubSpot stamps on every change: contacts keep the legacy name.</summary>
    public static string LastModifiedProperty(string objectType) =>
        objectType == Contacts ? "lastmodifieddate" : "hs_lastmodifieddate";

    /// <summary>What the hub reads of each object type: the mapped properties, the keys that link it, and the bookkeeping.</summary>
    public static IReadOnlyList<string> Properties(string objectType) => objectType switch
    {
        Contacts =>
        [
            "firstname", "lastname", "email", "phone", "jobtitle", "company", "lifecyclestage", "hs_lead_status", "hubspot_owner_id",
            "propstreet_id", "propstreet_tags", "propstreet_strategy", "propstreet_uri", "propertyfinder_lead_id",
            "createdate", "lastmodifieddate", "hs_merged_object_ids",
        ],
        Companies =>
        [
            "name", "domain", "website", "phone", "city", "country", "hubspot_owner_id",
            "propstreet_id", "propstreet_tags", "propstreet_strategy", "propstreet_uri",
            "createdate", "hs_lastmodifieddate", "hs_merged_object_ids",
        ],
        Deals =>
        [
            "dealname", "pipeline", "dealstage", "amount", "deal_currency_code", "closedate", "hubspot_owner_id",
            "propstreet_id", "propstreet_status", "propstreet_classification", "propstreet_teaser_stage", "propstreet_property_count",
            "createdate", "hs_lastmodifieddate", "hs_merged_object_ids",
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(objectType), objectType, "Not an object type the hub watches."),
    };

    /// <summary>A record as HubSpot returned it (search, list, read; live or archived).</summary>
    public static ObservedRecord Observed(string objectType, HubSpotObject record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var modified = Instant(record.Properties.GetValueOrDefault(LastModifiedProperty(objectType))) ?? record.UpdatedAt;
        DateTimeOffset? deleted = record.Archived ? record.ArchivedAt ?? modified : null;
        var version = deleted is { } at && at > modified ? at : modified;
        var data = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in record.Properties)
        {
            if (value is not null)
                data[name] = value;
        }

        data["hs_object_id"] = record.Id;
        return new ObservedRecord(record.Id, version, deleted, null, JsonSerializer.SerializeToElement(data));
    }

    /// <summary>A record merged into <paramref name="primaryId"/>: gone under its own id, which now reads as the primary.</summary>
    public static ObservedRecord MergedAway(string id, string primaryId, DateTimeOffset mergedAt) =>
        Gone(id, mergedAt, MergedInto, primaryId);

    /// <summary>A contact deleted for privacy: gone for good, nothing of it kept.</summary>
    public static ObservedRecord PrivacyDeletion(string id, DateTimeOffset deletedAt) =>
        Gone(id, deletedAt, PrivacyDeleted, "true");

    private static ObservedRecord Gone(string id, DateTimeOffset at, string marker, string value) =>
        new(id, at, at, null, JsonSerializer.SerializeToElement(new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["hs_object_id"] = id,
            [marker] = value,
        }));

    /// <summary>The resource of a deal's association to a contact or company (stream <c>hubspot-association-deal-512-contact-77</c>).</summary>
    public const string AssociationResource = "association";

    /// <summary>The record id of a deal's association: <c>deal-{dealId}-contact-{contactId}</c> or <c>deal-{dealId}-company-{companyId}</c>.</summary>
    public static string AssociationId(string dealId, string toObjectType, string toObjectId) =>
        $"deal-{dealId}-{Resource(AssociatedType(toObjectType))}-{toObjectId}";

    /// <summary>
    /// A deal's association to one contact or company as read at <paramref name="readAt"/>: HubSpot keeps no instant of
    /// an association's last change, so the read is its version (a later read is the newer state; an unchanged one is
    /// dropped downstream as the same content). <c>labels</c> are the pair's USER_DEFINED labels, ordinal, joined by
    /// <c>;</c>; empty when the pair has only unlabelled types.
    /// </summary>
    public static ObservedRecord Association(string dealId, string toObjectType, string toObjectId, IEnumerable<string> labels, DateTimeOffset readAt) =>
        AssociationState(dealId, toObjectType, toObjectId, string.Join(';', labels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)), readAt, null);

    /// <summary>A deal's association that no longer exists (HubSpot said it was removed and a read found nothing left).</summary>
    public static ObservedRecord AssociationRemoved(string dealId, string toObjectType, string toObjectId, DateTimeOffset readAt) =>
        AssociationState(dealId, toObjectType, toObjectId, "", readAt, readAt);

    /// <summary>
    /// One observation per (deal, record) pair among <paramref name="associations"/> (v4 reads from deals, one entry per
    /// pair and type), labelled with the pair's USER_DEFINED labels.
    /// </summary>
    public static IReadOnlyList<ObservedRecord> Associations(string toObjectType, IEnumerable<HubSpotAssociation> associations, DateTimeOffset readAt) =>
        [.. associations.GroupBy(a => (a.FromId, a.ToId)).OrderBy(g => g.Key.FromId, StringComparer.Ordinal).ThenBy(g => g.Key.ToId, StringComparer.Ordinal)
            .Select(g => Association(g.Key.FromId, toObjectType, g.Key.ToId, g.Where(IsUserLabel).Select(a => a.Label!), readAt))];

    private static bool IsUserLabel(HubSpotAssociation a) =>
        a.Category == HubSpotAssociation.UserDefined && !string.IsNullOrEmpty(a.Label);

    private static string AssociatedType(string toObjectType) => toObjectType is Contacts or Companies
        ? toObjectType
        : throw new ArgumentOutOfRangeException(nameof(toObjectType), toObjectType, "Deals are associated with contacts or companies here.");

    private static ObservedRecord AssociationState(string dealId, string toObjectType, string toObjectId, string labels, DateTimeOffset readAt, DateTimeOffset? deleted)
    {
        var id = AssociationId(dealId, toObjectType, toObjectId);
        return new ObservedRecord(id, readAt, deleted, null, JsonSerializer.SerializeToElement(new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["dealId"] = dealId,
            ["toObjectType"] = toObjectType,
            ["toObjectId"] = toObjectId,
            ["labels"] = labels,
            ["hs_object_id"] = id,
        }));
    }

    /// <summary>HubSpot dates: epoch milliseconds in search/list properties, ISO 8601 elsewhere.</summary>
    public static DateTimeOffset? Instant(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return null;
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
            return DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;
    }
}
