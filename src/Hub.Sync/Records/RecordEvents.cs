using System.Text.Json;

namespace Hub.Sync.Records;

/// <summary>
/// What every stored record event says about the record it belongs to: where it comes from and the source's version
/// markers of the state it describes. The fold (<see cref="SourceRecord"/>) and the publisher read them alike.
/// </summary>
public interface IRecordEvent
{
    string Source { get; }
    string Connection { get; }
    string Resource { get; }
    string Id { get; }
    DateTimeOffset? UpdatedUtc { get; }
    DateTimeOffset? DeletedUtc { get; }
    string? ETag { get; }
}

/// <summary>The first state of a record the hub saw (<c>record.created.v1</c>); <see cref="Fields"/> is the whole record.</summary>
public sealed record RecordCreated(
    string Source, string Connection, string Resource, string Id,
    DateTimeOffset? UpdatedUtc, DateTimeOffset? DeletedUtc, string? ETag, JsonElement Fields) : IRecordEvent;

/// <summary>
/// A newer state of a live record (<c>record.updated.v1</c>): <see cref="Changed"/> holds the top-level fields whose
/// values changed or appeared, with their new values; <see cref="Removed"/> names fields the source no longer sends.
/// </summary>
public sealed record RecordUpdated(
    string Source, string Connection, string Resource, string Id,
    DateTimeOffset? UpdatedUtc, DateTimeOffset? DeletedUtc, string? ETag, JsonElement Changed, IReadOnlyList<string> Removed) : IRecordEvent;

/// <summary>
/// The record was deleted (<c>record.deleted.v1</c>): the source said so (<c>deletedUtc</c>), or a complete
/// reconciliation pass did not see it (<see cref="Unseen"/>). Carries the field changes the deleting state brought.
/// </summary>
public sealed record RecordDeleted(
    string Source, string Connection, string Resource, string Id,
    DateTimeOffset? UpdatedUtc, DateTimeOffset? DeletedUtc, string? ETag, JsonElement Changed, IReadOnlyList<string> Removed, bool Unseen) : IRecordEvent;

/// <summary>A deleted record is live again (<c>record.revived.v1</c>); <see cref="Fields"/> is the whole record.</summary>
public sealed record RecordRevived(
    string Source, string Connection, string Resource, string Id,
    DateTimeOffset? UpdatedUtc, DateTimeOffset? DeletedUtc, string? ETag, JsonElement Fields) : IRecordEvent;
