using Hub.Sync.Records;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hub.Contracts.Observations;
using Hub.EventStore.Writing;

namespace Hub.Projections.Records;

/// <summary>What one observation does to its record's stream.</summary>
public enum ObservationOutcome
{
    /// <summary>The observation is newer: <see cref="Decision.Events"/> are appended.</summary>
    Append,

    /// <summary>Older than what the stream holds (by <c>updatedUtc</c>, then etag): dropped and counted, never a rollback.</summary>
    Stale,

    /// <summary>The stream already holds this state: nothing to append.</summary>
    Unchanged,
}

/// <param name="Outcome">What happens.</param>
/// <param name="Events">The events to append, in order (empty unless <see cref="ObservationOutcome.Append"/>).</param>
public sealed record Decision(ObservationOutcome Outcome, IReadOnlyList<PendingEvent> Events)
{
    public static Decision Stale { get; } = new(ObservationOutcome.Stale, []);

    public static Decision Unchanged { get; } = new(ObservationOutcome.Unchanged, []);
}

/// <summary>
/// The stale-drop and change rules for observed records, as pure functions of the stored state and the observation.
/// Order is the source's: <c>updatedUtc</c> first, then the etag (ordinal) when the instants are equal or missing.
/// Event ids are deterministic from (source, resource, id, source version, change), so two observations of one
/// version — a poll and a webhook — produce the same ids and the store keeps one.
/// </summary>
public static class ObservationDecision
{
    private static readonly JsonElement NoFields = JsonSerializer.SerializeToElement(new Dictionary<string, object>());

    public static Decision Decide(SourceRecord? state, string source, string connection, string resource, ObservedRecord observed)
    {
        ArgumentNullException.ThrowIfNull(observed);
        if (observed.Data.ValueKind != JsonValueKind.Object)
            throw new ArgumentException($"Record {observed.Id} of {source} {resource}: data must be a JSON object, was {observed.Data.ValueKind}.", nameof(observed));

        var version = VersionKey(observed);
        if (state is null)
        {
            var created = new RecordCreated(source, connection, resource, observed.Id, observed.UpdatedUtc, null, observed.ETag, observed.Data);
            if (observed.DeletedUtc is null)
                return Append(Event(created, version));
            // First seen already deleted: the record existed, so subscribers get both, and the tombstone keeps a late
            // live observation of an older state from bringing it back.
            var deleted = new RecordDeleted(source, connection, resource, observed.Id, observed.UpdatedUtc, observed.DeletedUtc, observed.ETag, NoFields, [], false);
            return Append(Event(created, version), Event(deleted, version));
        }

        var order = Compare(observed, state);
        if (order < 0)
            return Decision.Stale;

        var (changed, removed) = Diff(state.Fields, observed.Data);
        var sameContent = removed.Count == 0 && !changed.EnumerateObject().Any();
        var liveNow = observed.DeletedUtc is null;
        if (order == 0)
        {
            // The same source version again (a redelivery, a poll overlapping a webhook). Only a reconciliation's guess
            // yields to it: the record was seen, so it exists.
            if (state.DeletedUnseen && liveNow)
                return Append(Event(Revived(observed, source, connection, resource), $"{version}/after-v{state.Version}"));
            if (!HasVersion(observed) && !sameContent)
                return Newer(state, observed, source, connection, resource, changed, removed, sameContent, version);
            return Decision.Unchanged;
        }

        return Newer(state, observed, source, connection, resource, changed, removed, sameContent, version);
    }

    /// <summary>
    /// A record a complete reconciliation pass did not see. Deleted, unless it is already deleted or changed after the
    /// pass started (then the pass may have listed before it existed, and it is no evidence of deletion).
    /// </summary>
    public static PendingEvent? DecideUnseen(SourceRecord state, ReconciliationCompleted pass)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(pass);
        if (state.IsDeleted || state.UpdatedUtc is not { } updated || updated >= pass.StartedUtc)
            return null;
        var deleted = new RecordDeleted(state.Source, pass.Connection, state.Resource, state.RecordId, state.UpdatedUtc, pass.StartedUtc, state.ETag, NoFields, [], Unseen: true);
        // Keyed by the stream version it acts on: the same state is marked once, however many passes miss it.
        return Event(deleted, $"unseen-after-v{state.Version}");
    }

    /// <summary>Sign of the observation's order against the stored state: &lt; 0 older, 0 same version, &gt; 0 newer.</summary>
    public static int Compare(ObservedRecord observed, SourceRecord state)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(state);
        if (observed.UpdatedUtc is { } seen && state.UpdatedUtc is { } held && seen != held)
            return seen.CompareTo(held);
        if (observed.ETag is not null && state.ETag is not null)
            return Math.Sign(string.CompareOrdinal(observed.ETag, state.ETag));
        return 0;
    }

    private static Decision Newer(SourceRecord state, ObservedRecord observed, string source, string connection, string resource,
        JsonElement changed, IReadOnlyList<string> removed, bool sameContent, string version)
    {
        var liveNow = observed.DeletedUtc is null;
        if (state.IsDeleted && liveNow)
            return Append(Event(Revived(observed, source, connection, resource), version));
        if (sameContent && state.IsDeleted == !liveNow)
            return Decision.Unchanged;
        if (!liveNow)
            return Append(Event(new RecordDeleted(source, connection, resource, observed.Id, observed.UpdatedUtc, observed.DeletedUtc, observed.ETag, changed, removed, false), version));
        return Append(Event(new RecordUpdated(source, connection, resource, observed.Id, observed.UpdatedUtc, null, observed.ETag, changed, removed), version));
    }

    private static RecordRevived Revived(ObservedRecord observed, string source, string connection, string resource) =>
        new(source, connection, resource, observed.Id, observed.UpdatedUtc, null, observed.ETag, observed.Data);

    private static bool HasVersion(ObservedRecord observed) => observed.UpdatedUtc is not null || observed.ETag is not null;

    /// <summary>
    /// The source version in an event id: the instant as UTC ticks (so 0–7 fractional digits of one instant agree)
    /// and the etag (one instant can carry several versions); a content hash where the source gives neither.
    /// </summary>
    private static string VersionKey(ObservedRecord observed) => HasVersion(observed)
        ? string.Create(CultureInfo.InvariantCulture, $"{observed.UpdatedUtc?.UtcTicks}/{observed.ETag}")
        : "content:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(observed.Data.GetRawText())));

    private static PendingEvent Event(IRecordEvent e, string version) =>
        new(DeterministicEventId.From(e.Source, e.Resource, e.Id, version, SourceRecord.ChangeOf(e)), e);

    private static Decision Append(params PendingEvent[] events) => new(ObservationOutcome.Append, events);

    /// <summary>Top-level fields whose value changed or appeared (with the new value), and those that disappeared.</summary>
    private static (JsonElement Changed, IReadOnlyList<string> Removed) Diff(JsonElement before, JsonElement after)
    {
        var held = before.ValueKind == JsonValueKind.Object
            ? before.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal)
            : new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var changed = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in after.EnumerateObject())
        {
            seen.Add(property.Name);
            if (!held.TryGetValue(property.Name, out var old) || !JsonElement.DeepEquals(old, property.Value))
                changed[property.Name] = property.Value;
        }

        var removed = held.Keys.Where(name => !seen.Contains(name)).Order(StringComparer.Ordinal).ToArray();
        return (JsonSerializer.SerializeToElement(changed), removed);
    }
}
