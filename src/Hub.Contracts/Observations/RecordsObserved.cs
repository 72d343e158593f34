using System.Text.Json;

namespace Hub.Contracts.Observations;

/// <summary>
/// What Ingest saw of one source resource at once: a polled page (up to 500 records, one message, not 500), a
/// webhook delivery, or a reconciliation pass. Projections turns it into events in each record's stream. Records
/// are carried as the source sent them, so what a record means is decided in one place (Hub.Projections).
/// </summary>
/// <param name="ObservationId">
/// Deterministic for a repeatable observation — <c>poll:{connection}:{resource}:{hash of the page's record ids,
/// updatedUtc and etags}</c> for a page (a page re-fetched after a crash may hold other records under the same cursor,
/// so the cursor alone is not its identity), <c>webhook:{connection}:{webhook-id}</c> for a delivery — and the
/// store's processed-message key, so a redelivered or re-sent observation appends nothing.
/// </param>
/// <param name="Source">Where the records come from: <c>propstreet</c>, <c>propertyfinder</c>.</param>
/// <param name="Connection">The configured connection (one account/token of the source) they were read through.</param>
/// <param name="Resource">Singular resource name: <c>contact</c>, <c>company</c>, <c>project</c>, <c>prospect</c>, <c>property</c>, <c>lead</c>.</param>
/// <param name="Channel">How they were seen: <c>poll</c>, <c>webhook</c> or <c>reconciliation</c>.</param>
public sealed record RecordsObserved(
    string ObservationId,
    string Source,
    string Connection,
    string Resource,
    string Channel,
    DateTimeOffset ObservedUtc,
    IReadOnlyList<ObservedRecord> Records);

/// <summary>One record as the source sent it.</summary>
/// <param name="Id">The source's id of the record (for prospects: <c>{projectId}:{prospectId}</c>).</param>
/// <param name="UpdatedUtc">The source's last-modified instant; null where the source has none (Property Finder leads use <c>createdAt</c>).</param>
/// <param name="DeletedUtc">Set when the source reports the record deleted.</param>
/// <param name="ETag">The source's version tag, the tie-breaker when two observations share <paramref name="UpdatedUtc"/>.</param>
/// <param name="Data">The record's JSON exactly as received.</param>
public sealed record ObservedRecord(string Id, DateTimeOffset? UpdatedUtc, DateTimeOffset? DeletedUtc, string? ETag, JsonElement Data);

/// <summary>
/// A complete reconciliation pass over a resource that has no <c>include_deleted</c>: the ids it saw. Records the
/// store holds for that connection and resource but the pass did not see are marked deleted. Sent only when the
/// pass completed without error.
/// </summary>
public sealed record ReconciliationCompleted(
    string ObservationId,
    string Source,
    string Connection,
    string Resource,
    DateTimeOffset StartedUtc,
    IReadOnlyList<string> SeenIds);
