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
    /// A message of at least this many events whose streams all carry their folded inline read model and a known
    /// version (an initial sync's page, a delta page, a page of HubSpot push outcomes) is written set-based — COPY and
    /// one statement per table — instead of Marten's append per stream (ADR 0026). 0 turns the bulk path off.
    /// </summary>
    public int BulkAppendFrom { get; set; } = 64;

    /// <summary>
    /// A table of the store (<c>mt_events</c>, <c>mt_streams</c>, a read model's) is analyzed once it holds at least
    /// this many rows and twice the rows of its last analyze (ADR 0028). 0 leaves statistics to autovacuum alone.
    /// </summary>
    public long AnalyzeFromRows { get; set; } = 1_000;

    /// <summary>How often the changed rows are checked (ADR 0028).</summary>
    public TimeSpan StatisticsInterval { get; set; } = TimeSpan.FromSeconds(5);
}
