namespace Hub.EventStore;

/// <summary>The <c>EventStore</c> configuration section.</summary>
public sealed class EventStoreOptions
{
    public const string Section = "EventStore";

    /// <summary>Start even if PostgreSQL has fsync or synchronous_commit off. Only for throwaway environments.</summary>
    public bool AllowUnsafeDurability { get; set; }

    /// <summary>
    /// Create and update the schema when the host starts. Defaults to on in the Development environment only;
    /// production runs the explicit <c>migrate</c> step (a Kubernetes Job) before the hosts.
    /// </summary>
    public bool? ApplySchemaOnStartup { get; set; }

    /// <summary>
    /// A message that starts at least this many events, all in new streams (an initial sync's page), is written by
    /// binary COPY instead of Marten's append per stream (ADR 0026). 0 turns the COPY path off.
    /// </summary>
    public int CopyNewStreamsFrom { get; set; } = 64;

    /// <summary>
    /// <c>mt_events</c> or <c>mt_streams</c> is analyzed once at least this many of its rows (and a tenth of them)
    /// changed since its last analyze (ADR 0028). 0 leaves statistics to autovacuum alone.
    /// </summary>
    public long AnalyzeAfterChangedRows { get; set; } = 10_000;

    /// <summary>How often the changed rows are checked (ADR 0028).</summary>
    public TimeSpan StatisticsInterval { get; set; } = TimeSpan.FromSeconds(5);
}
