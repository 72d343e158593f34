using System.Collections.Concurrent;
using Hub.Sandbox.HubSpot.Objects;
using Hub.Sandbox.HubSpot.Schema;

namespace Hub.Sandbox.HubSpot.Control;

/// <summary>
/// What the sandbox saw, for tests that must prove "no duplicate was created" and "the burst budget was never
/// exceeded": requests per object type and operation, records created/updated/archived per type, 429s sent per
/// policy, and the most requests any one token sent within a burst window (rejected ones included).
/// </summary>
public sealed class RequestStats(TimeProvider clock)
{
    private readonly ConcurrentDictionary<(string Type, string Operation), long> _requests = new();
    private readonly ConcurrentDictionary<(string Type, ChangeKind Kind), long> _written = new();
    private readonly ConcurrentDictionary<string, long> _rateLimited = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _inputs = new(StringComparer.Ordinal);
    private readonly Lock _logGate = new();
    private readonly Queue<RequestLogEntry> _log = new();
    private readonly Lock _windowGate = new();
    private readonly Queue<long> _window = new();
    private long _total;
    private int _maxInWindow;

    public void Request(ObjectType? type, string operation) =>
        _requests.AddOrUpdate((type?.Name ?? "-", operation), 1, (_, n) => n + 1);

    public void Written(ObjectType type, ChangeKind kind) => _written.AddOrUpdate((type.Name, kind), 1, (_, n) => n + 1);

    /// <summary>Inputs the API's write calls carried for a type, whatever they changed (a no-op upsert counts too).</summary>
    public void Inputs(ObjectType type, int count) => _inputs.AddOrUpdate(type.Name, count, (_, n) => n + count);

    /// <summary>Keeps the last <see cref="LogLimit"/> requests under <c>/crm</c>, oldest first.</summary>
    public void Log(RequestLogEntry entry)
    {
        lock (_logGate)
        {
            _log.Enqueue(entry);
            if (_log.Count > LogLimit)
                _log.Dequeue();
        }
    }

    public const int LogLimit = 1000;

    public List<RequestLogEntry> RequestLog()
    {
        lock (_logGate)
            return [.. _log];
    }

    public void RateLimited(string policy) => _rateLimited.AddOrUpdate(policy, 1, (_, n) => n + 1);

    /// <summary>Counts one request the token sent and keeps the most seen in any window of this length (sliding).</summary>
    public void Seen(TimeSpan window)
    {
        // Wall-clock ticks of the sandbox clock, like the rate limiter's, so both agree on what a window is.
        var now = clock.GetUtcNow().UtcTicks;
        lock (_windowGate)
        {
            _total++;
            while (_window.Count > 0 && _window.Peek() <= now - window.Ticks)
                _window.Dequeue();
            _window.Enqueue(now);
            _maxInWindow = Math.Max(_maxInWindow, _window.Count);
        }
    }

    public void Clear()
    {
        _requests.Clear();
        _written.Clear();
        _rateLimited.Clear();
        _inputs.Clear();
        lock (_logGate)
            _log.Clear();
        lock (_windowGate)
        {
            _window.Clear();
            _total = 0;
            _maxInWindow = 0;
        }
    }

    public StatsView Snapshot(CrmData data)
    {
        long total;
        int max;
        lock (_windowGate)
        {
            total = _total;
            max = _maxInWindow;
        }

        var types = data.Types.All.ToDictionary(t => t.Name, t =>
        {
            var (live, archived) = data.Store(t).Locked(w => (w.LiveCount, w.ArchivedCount));
            long Count(ChangeKind kind) => _written.GetValueOrDefault((t.Name, kind));
            var requests = _requests.Where(r => r.Key.Type == t.Name).OrderBy(r => r.Key.Operation, StringComparer.Ordinal)
                .ToDictionary(r => r.Key.Operation, r => r.Value);
            return new TypeStats(live, archived, _inputs.GetValueOrDefault(t.Name), Count(ChangeKind.Created), Count(ChangeKind.Updated), Count(ChangeKind.Archived),
                Count(ChangeKind.Merged), Count(ChangeKind.PrivacyDeleted), requests);
        });
        var other = _requests.Where(r => r.Key.Type == "-").OrderBy(r => r.Key.Operation, StringComparer.Ordinal).ToDictionary(r => r.Key.Operation, r => r.Value);
        return new StatsView(total, max, _rateLimited.ToDictionary(p => p.Key, p => p.Value), types, other);
    }
}

/// <summary>
/// <c>GET {admin}/hubspot/stats</c>. <c>maxRequestsInBurstWindow</c> counts every authenticated request, refused
/// ones too, over the configured burst window: it stays within the burst limit exactly when a client kept to it.
/// </summary>
public sealed record StatsView(
    long Requests,
    int MaxRequestsInBurstWindow,
    IReadOnlyDictionary<string, long> RateLimited,
    IReadOnlyDictionary<string, TypeStats> Objects,
    IReadOnlyDictionary<string, long> OtherRequests);

/// <summary>
/// Per object type: live and archived records now; inputs the API's writes carried; records created, changed,
/// archived, merged and privacy-deleted (by API or CRM user); requests per operation.
/// </summary>
public sealed record TypeStats(
    int Live,
    int Archived,
    long WriteInputs,
    long Created,
    long Updated,
    long ArchivedByWrites,
    long Merged,
    long PrivacyDeleted,
    IReadOnlyDictionary<string, long> Requests);

/// <summary>One request under <c>/crm</c> as the request log keeps it (<c>GET {admin}/hubspot/requests</c>).</summary>
public sealed record RequestLogEntry(DateTimeOffset At, string Method, string Path, int Status);
