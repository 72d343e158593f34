using System.Diagnostics.Metrics;

namespace Hub.Crm.HubSpot;

/// <summary>
/// Meter <c>Hub.Crm</c>: HubSpot requests (every attempt, by outcome), 429s by policy, attempts sent again, and
/// time spent waiting for the shared budget. Tagged by connection name only — never tokens or record fields.
/// </summary>
public sealed class HubSpotMetrics : IDisposable
{
    public const string Name = "Hub.Crm";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _retries;
    private readonly Histogram<double> _budgetWaits;

    public HubSpotMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        _requests = _meter.CreateCounter<long>("hub.crm.hubspot.requests", "{request}", "Requests sent to HubSpot (every attempt), by outcome.");
        _rateLimited = _meter.CreateCounter<long>("hub.crm.hubspot.rate_limited", "{response}", "429 responses from HubSpot, by policy.");
        _retries = _meter.CreateCounter<long>("hub.crm.hubspot.retries", "{request}", "Requests sent again after a 429, 5xx or timeout.");
        _budgetWaits = _meter.CreateHistogram<double>("hub.crm.hubspot.budget_wait", "s", "Time a request waited for the shared burst budget.");
    }

    internal void Attempted(HubSpotConnection connection, AttemptOutcome outcome) =>
        _requests.Add(1, Tag(connection), new KeyValuePair<string, object?>("outcome", outcome.ToString()));

    internal void RateLimited(HubSpotConnection connection, string? policy) =>
        _rateLimited.Add(1, Tag(connection), new KeyValuePair<string, object?>("policy", policy ?? "none"));

    internal void Retried(HubSpotConnection connection) => _retries.Add(1, Tag(connection));

    internal void BudgetWaited(HubSpotConnection connection, TimeSpan waited) => _budgetWaits.Record(waited.TotalSeconds, Tag(connection));

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Tag(HubSpotConnection connection) => new("connection", connection.Name);
}
