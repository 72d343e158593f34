using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hub.Contracts.Observations;

namespace Hub.Projections.Propstreet;

/// <summary>
/// What a Propstreet write (or read) came to. HTTP outcomes are results, never exceptions: the caller decides per
/// case (store the record, refetch and re-decide, resolve a conflict, park the decision with the reason).
/// Problem texts are Propstreet's and may quote the record's data, never the token; they belong in a parked
/// decision, not in a log.
/// </summary>
public abstract partial record PropstreetWriteResult
{
    private PropstreetWriteResult()
    {
    }

    /// <summary>
    /// The record as Propstreet answered it (2xx). <paramref name="Record"/> is the response body unchanged — the
    /// same shape (fields, nulls, timestamp precision) the list pages Ingest polls carry, so it can be stored as an
    /// observation of Propstreet (<see cref="ToObservedRecord"/>). <paramref name="ChangeOrigin"/> is the record's:
    /// the writer's own after a write that changed it, whoever wrote last after a read or a no-op upsert.
    /// </summary>
    /// <param name="Action">The upsert's <c>created</c>, <c>updated</c> or <c>revived</c>; <c>created</c> for a POST; null otherwise.</param>
    public sealed record Written(
        JsonElement Record, string Id, DateTimeOffset UpdatedUtc, DateTimeOffset? DeletedUtc, string ETag, string? ChangeOrigin, string? Action)
        : PropstreetWriteResult
    {
        /// <summary>
        /// The record as Ingest would have observed it: same id scheme (a prospect is <c>{projectId}:{prospectId}</c>),
        /// versioned by <c>updatedUtc</c> and the ETag.
        /// </summary>
        public ObservedRecord ToObservedRecord() =>
            new(Record.TryGetProperty("projectId", out var project) && project.ValueKind is JsonValueKind.String or JsonValueKind.Number
                    ? $"{IdText(project)}:{Id}" : Id,
                UpdatedUtc, DeletedUtc, ETag, Record);
    }

    /// <summary>
    /// 412: the record changed since the ETag sent in If-Match (or, on an upsert with If-Match, no contact exists).
    /// Refetch, decide again on the current record, write again with its ETag. <paramref name="AfterUnansweredAttempt"/>:
    /// an earlier attempt of this same write went unanswered and may have applied it, so the change that moved the
    /// ETag may be the hub's own — the refetched record then already holds the values (with the writer's changeOrigin).
    /// </summary>
    public sealed record PreconditionFailed(string Problem, bool AfterUnansweredAttempt) : PropstreetWriteResult;

    /// <summary>
    /// 409 (or 422 for a reused Idempotency-Key): the write collides with another record. <paramref name="Kind"/> is
    /// the problem type's code (<c>external-ref-conflict</c>, <c>conflict</c>, <c>duplicate-prospect</c>,
    /// <c>idempotency-key-reused</c>); <paramref name="RecordId"/> the Propstreet record the problem names (the
    /// contact, project or prospect holding the reference or the email); <paramref name="HeldExternalRef"/> the
    /// reference that record already holds, <c>namespace/id</c>, when the problem names one. For a contact upsert by
    /// <c>match=email</c> refused because the matched contact links another id in the namespace, ADR 0024 says how
    /// to resolve it (<see cref="PropstreetWriter.RemoveContactExternalRefAsync"/>).
    /// </summary>
    public sealed record Conflict(string Kind, string Problem, string? RecordId, string? HeldExternalRef) : PropstreetWriteResult;

    /// <summary>404: no such record (deleted ones included where the call says so), or create_only found none to update.</summary>
    public sealed record NotFound(string Problem) : PropstreetWriteResult;

    /// <summary>
    /// The write was not sent (a value over a documented limit, a required value missing) or Propstreet refused its
    /// input (400). <paramref name="Field"/> names the field when known. Nothing changed: park the decision with
    /// <paramref name="Problem"/> as its reason.
    /// </summary>
    public sealed record Invalid(string? Field, string Problem) : PropstreetWriteResult;

    /// <summary>
    /// What retries could not fix (5xx, timeouts or 429s on every allowed attempt), or an answer no retry changes
    /// (401/403, 415, 422). <paramref name="Retryable"/>: the same write may succeed later unchanged. After a
    /// retryable failure the write may or may not have been applied: write again (every write is safe to repeat).
    /// </summary>
    public sealed record Failed(string Problem, int? Status, bool Retryable) : PropstreetWriteResult;

    private const string ProblemPrefix = "urn:propstreet:error:";

    /// <summary>The typed outcome of Propstreet's final answer.</summary>
    internal static PropstreetWriteResult From(PropstreetReply reply)
    {
        var problem = Text(reply.Body, "detail") ?? Text(reply.Body, "title") ?? reply.Failure ?? $"Propstreet answered {reply.Status}.";
        var kind = Text(reply.Body, "type") is { } type && type.StartsWith(ProblemPrefix, StringComparison.Ordinal) ? type[ProblemPrefix.Length..] : null;
        return reply.Status switch
        {
            >= 200 and < 300 when reply.Body is { ValueKind: JsonValueKind.Object } record => Read(record, reply.ETag, reply.UpsertAction),
            >= 200 and < 300 => new Failed($"Propstreet answered {reply.Status} without the record.", reply.Status, Retryable: false),
            400 => new Invalid(null, problem),
            404 => new NotFound(problem),
            409 => new Conflict(kind ?? "conflict", problem, NamedRecordId(problem), NamedExternalRef(problem)),
            412 => new PreconditionFailed(problem, reply.EarlierAttemptUnanswered),
            422 when kind == "idempotency-key-reused" => new Conflict(kind, problem, null, null),
            0 or 408 or 429 or >= 500 => new Failed(problem, reply.Status == 0 ? null : reply.Status, Retryable: true),
            _ => new Failed(problem, reply.Status, Retryable: false),
        };
    }

    /// <summary>A record body as <see cref="Written"/>; the ETag from the body's <c>etag</c>, else the header.</summary>
    internal static PropstreetWriteResult Read(JsonElement record, string? headerETag, string? action)
    {
        var id = record.TryGetProperty("id", out var idElement) ? IdText(idElement) : null;
        var updated = Instant(record, "updatedUtc");
        var etag = Text(record, "etag") ?? headerETag;
        if (id is null || updated is null || etag is null)
            return new Failed("Propstreet answered with a record lacking id, updatedUtc or etag.", null, Retryable: false);
        return new Written(record, id, updated.Value, Instant(record, "deletedUtc"), etag, Text(record, "changeOrigin"), action);
    }

    private static string? IdText(JsonElement id) => id.ValueKind switch
    {
        JsonValueKind.String => id.GetString(),
        JsonValueKind.Number => id.GetRawText(),
        _ => null,
    };

    private static string? Text(JsonElement? body, string property) =>
        body is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Instant(JsonElement record, string property) =>
        Text(record, property) is { } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant)
            ? instant : null;

    // "Contact 10042 has the email but already links hubspot/512", "project 1003 already has this reference",
    // "External ref already belongs to contact 10007": the record the problem names.
    private static string? NamedRecordId(string problem) =>
        RecordIdPattern().Match(problem) is { Success: true } m ? m.Groups[1].Value : null;

    private static string? NamedExternalRef(string problem) =>
        ExternalRefPattern().Match(problem) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"\b(?:contact|project|prospect|company)\s+(\d+)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RecordIdPattern();

    [GeneratedRegex(@"\blinks\s+([A-Za-z0-9_.-]+/\S+?)[;,.]?(?:\s|$)", RegexOptions.CultureInvariant)]
    private static partial Regex ExternalRefPattern();
}
