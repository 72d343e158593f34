using System.Diagnostics.CodeAnalysis;

namespace Hub.Crm.HubSpot;

/// <summary>One record to upsert: the value of the unique <c>idProperty</c> that identifies it, and its properties (every value a string).</summary>
public sealed record HubSpotUpsert(string IdValue, IReadOnlyDictionary<string, string?> Properties);

/// <summary>One record to update by its HubSpot id: the properties to set.</summary>
public sealed record HubSpotUpdate(string HubSpotId, IReadOnlyDictionary<string, string?> Properties);

/// <summary>
/// What became of one input of a batch write, keyed like the input (<see cref="Key"/>: the idProperty value of an
/// upsert, the HubSpot id of an archive, the position of a create). Succeeded: <see cref="HubSpotId"/>, whether
/// HubSpot created it, and the properties HubSpot holds now. Failed: <see cref="Error"/>.
/// </summary>
public sealed record HubSpotRecordResult(
    string Key,
    string? HubSpotId,
    bool Created,
    IReadOnlyDictionary<string, string?>? Properties,
    HubSpotError? Error)
{
    /// <summary>When HubSpot last modified the object, as its write answered (its own clock; null when not answered).</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Error is null;

    internal static HubSpotRecordResult Failed(string key, HubSpotError error) => new(key, null, false, null, error);
}

/// <summary>One result per input, in input order.</summary>
public sealed record HubSpotBatchResult(IReadOnlyList<HubSpotRecordResult> Records)
{
    public IEnumerable<HubSpotRecordResult> Succeeded => Records.Where(r => r.Succeeded);

    public IEnumerable<HubSpotRecordResult> Failed => Records.Where(r => !r.Succeeded);
}

/// <summary>A CRM record as HubSpot returns it. Property values are strings (dates as epoch-ms strings) or null.</summary>
public sealed record HubSpotObject(
    string Id,
    IReadOnlyDictionary<string, string?> Properties,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool Archived,
    DateTimeOffset? ArchivedAt = null);

/// <summary>
/// An association from one record to another with an explicit type (v4): e.g. contact→company 279, deal→contact 3,
/// deal→company 341. <see cref="Label"/> is HubSpot's for labelled types, informational on writes.
/// </summary>
public sealed record HubSpotAssociation(string FromId, string ToId, int TypeId, string Category = HubSpotAssociation.HubSpotDefined, string? Label = null)
{
    public const string HubSpotDefined = "HUBSPOT_DEFINED";
    public const string UserDefined = "USER_DEFINED";
}

/// <summary>An association type between two object types: its id, category and label (null for the unlabeled one).</summary>
public sealed record HubSpotAssociationLabel(int TypeId, string Category, string? Label);

/// <summary>What became of one association write.</summary>
public sealed record HubSpotAssociationResult(HubSpotAssociation Association, HubSpotError? Error)
{
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Error is null;
}

/// <summary>A HubSpot user who can own records (<c>GET /crm/v3/owners</c>).</summary>
public sealed record HubSpotOwner(string Id, string? Email, string? FirstName, string? LastName, long? UserId, bool Archived);

/// <summary>One search filter; <c>Operator</c> is HubSpot's (EQ, NEQ, LT, LTE, GT, GTE, BETWEEN, IN, NOT_IN, HAS_PROPERTY, ...).</summary>
public sealed record HubSpotFilter(string PropertyName, string Operator, string? Value = null, IReadOnlyList<string>? Values = null, string? HighValue = null);

/// <summary>Filters AND'd together; groups are OR'd.</summary>
public sealed record HubSpotFilterGroup(IReadOnlyList<HubSpotFilter> Filters);

public sealed record HubSpotSort(string PropertyName, bool Descending = false);

/// <summary>
/// A search (<c>POST /crm/v3/objects/{type}/search</c>): eventually consistent, excludes archived records, at most
/// 10,000 results per query (re-anchor on the last seen timestamp to go further), limit at most 200.
/// </summary>
public sealed record HubSpotSearch(
    IReadOnlyList<HubSpotFilterGroup> FilterGroups,
    IReadOnlyList<string> Properties,
    IReadOnlyList<HubSpotSort>? Sorts = null,
    int Limit = 100,
    string? After = null);

/// <summary>One page of search results; <see cref="After"/> is null on the last page.</summary>
public sealed record HubSpotSearchPage(IReadOnlyList<HubSpotObject> Results, long Total, string? After);
