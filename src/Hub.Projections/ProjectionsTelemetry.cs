using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Hub.Projections;

/// <summary>
/// The meter and activity source <c>Hub.Projections</c> (collected by ServiceDefaults' <c>Hub.*</c> rule). Counts only;
/// no record fields ever become tags.
/// </summary>
internal static class ProjectionsTelemetry
{
    public const string Name = "Hub.Projections";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> EventsAppended = Meter.CreateCounter<long>(
        "hub.projections.events.appended", "{event}",
        "Record events appended to streams, by path: bulk (a large page with its read models, set-based, ADR 0026) or append (Marten's append per stream).");

    public static readonly Counter<long> StaleDropped = Meter.CreateCounter<long>(
        "hub.projections.observations.stale", "{record}", "Observed records older than their stream's state: dropped, never rolled back.");

    public static readonly Counter<long> DuplicatesDropped = Meter.CreateCounter<long>(
        "hub.projections.observations.duplicate", "{item}",
        "Repeats that appended nothing, by kind: message (a redelivered observation), record (a state the stream already holds).");

    public static readonly Counter<long> HubSpotOutcomes = Meter.CreateCounter<long>(
        "hub.hubspot.push.records", "{record}", "Records a HubSpot push round settled, by outcome (pushed, parked).");

    public static readonly Counter<long> TwoWayDecisions = Meter.CreateCounter<long>(
        "hub.twoway.decisions", "{record}",
        "HubSpot contact changes settled against Propstreet, by outcome: agreed (an echo: nothing to write), to-hubspot, to-propstreet, parked.");

    public static readonly Counter<long> EventsPublished = Meter.CreateCounter<long>(
        "hub.projections.events.published", "{event}", "Change events the broker confirmed on hub.changes.");

    /// <summary>The dimensions of the consumer's counts: where the records come from (names, never record data).</summary>
    public static TagList Tags(string source, string connection, string resource, string? kind = null, string? path = null)
    {
        var tags = new TagList { { "source", source }, { "connection", connection }, { "resource", resource } };
        if (kind is not null)
            tags.Add("kind", kind);
        if (path is not null)
            tags.Add("path", path);
        return tags;
    }
}
