namespace Hub.Sandbox.HubSpot.Objects;

/// <summary>
/// One CRM record as stored: every property value a string (null = no value). Immutable; a write replaces it, so a
/// reader or the search index can hold a version without copying.
/// </summary>
public sealed record CrmRecord(
    long Id,
    IReadOnlyDictionary<string, string> Properties,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ArchivedAt = null)
{
    public bool Archived => ArchivedAt is not null;

    public string? this[string property] => Properties.GetValueOrDefault(property);
}

public enum ChangeKind
{
    Created,
    Updated,
    Archived,
    Merged,
    PrivacyDeleted,
}

/// <summary>
/// What one write did to one record, for the search index, webhooks and counters. <see cref="After"/> is null when
/// the record left the portal for good (privacy deletion, merged away); <see cref="MergedIds"/> names the records a
/// merge folded into <see cref="After"/>.
/// </summary>
public sealed record RecordChange(
    ChangeKind Kind,
    long Id,
    CrmRecord? Before,
    CrmRecord? After,
    IReadOnlyList<string> ChangedProperties,
    IReadOnlyList<long>? MergedIds = null);
