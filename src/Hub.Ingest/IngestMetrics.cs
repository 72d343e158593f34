using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Hub.Ingest.Connections;

namespace Hub.Ingest;

/// <summary>
/// Meter and ActivitySource <c>Hub.Ingest</c>: records observed, pages sent, source requests, 429s, budget
/// exhaustion and checkpoint lag (how far behind now each resource's newest committed source instant is). Tags
/// are connection, source and resource names only — never record fields or credentials.
/// </summary>
public sealed class IngestMetrics : IDisposable
{
    public const string Name = "Hub.Ingest";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;
    private readonly Counter<long> _records;
    private readonly Counter<long> _pages;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _budgetExhausted;
    private readonly ConcurrentDictionary<(string Connection, string Scope), DateTimeOffset> _watermarks = new();
    private readonly TimeProvider _clock;

    public IngestMetrics(IMeterFactory meterFactory, TimeProvider clock)
    {
        _clock = clock;
        _meter = meterFactory.Create(Name);
        _records = _meter.CreateCounter<long>("hub.ingest.records_observed", "{record}", "Records sent to hub-observations.");
        _pages = _meter.CreateCounter<long>("hub.ingest.pages_sent", "{page}", "Observation messages confirmed by the broker.");
        _requests = _meter.CreateCounter<long>("hub.ingest.requests", "{request}", "Requests made to a source (every attempt).");
        _rateLimited = _meter.CreateCounter<long>("hub.ingest.rate_limited", "{response}", "429 responses from a source.");
        _budgetExhausted = _meter.CreateCounter<long>("hub.ingest.budget_exhausted", "{event}", "Requests refused by the shared budget (the run resumes later).");
        _meter.CreateObservableGauge("hub.ingest.checkpoint_lag", ObserveLag, "s", "Now minus the newest source instant committed per resource.");
    }

    /// <summary>The one <c>Hub.Ingest</c> meter instance, for instruments defined next to their feature (<c>Webhooks/WebhookMetrics</c>).</summary>
    public Meter Meter => _meter;

    public void PageSent(SourceConnection connection, string resource, int records)
    {
        var tags = Tags(connection, resource);
        _pages.Add(1, tags);
        _records.Add(records, tags);
    }

    public void Request(SourceConnection connection) => _requests.Add(1, new KeyValuePair<string, object?>("connection", connection.Name), new KeyValuePair<string, object?>("source", connection.Source));

    public void RateLimited(SourceConnection connection) => _rateLimited.Add(1, new KeyValuePair<string, object?>("connection", connection.Name), new KeyValuePair<string, object?>("source", connection.Source));

    public void BudgetExhausted(string budgetKey) => _budgetExhausted.Add(1, new KeyValuePair<string, object?>("budget", budgetKey));

    public void Watermark(string connection, string scope, DateTimeOffset watermark) => _watermarks[(connection, scope)] = watermark;

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<double>> ObserveLag()
    {
        var now = _clock.GetUtcNow();
        foreach (var ((connection, scope), watermark) in _watermarks)
        {
            yield return new Measurement<double>((now - watermark).TotalSeconds,
                new KeyValuePair<string, object?>("connection", connection), new KeyValuePair<string, object?>("scope", scope));
        }
    }

    private static KeyValuePair<string, object?>[] Tags(SourceConnection connection, string resource) =>
    [
        new("connection", connection.Name),
        new("source", connection.Source),
        new("resource", resource),
    ];
}
