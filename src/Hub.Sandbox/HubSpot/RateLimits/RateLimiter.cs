using System.Collections.Concurrent;

namespace Hub.Sandbox.HubSpot.RateLimits;

/// <summary>
/// HubSpot's limits per token, on the sandbox clock: the burst limit over a rolling window (TEN_SECONDLY_ROLLING:
/// no window of that length ever admits more), the daily limit per UTC day (DAILY), and the search endpoints' own
/// limit per rolling second (SECONDLY). Search requests count against the burst and daily budgets as well.
/// Refused requests use up nothing.
/// </summary>
public sealed class RateLimiter(TimeProvider clock)
{
    public const string Burst = "TEN_SECONDLY_ROLLING";
    public const string Daily = "DAILY";
    public const string Secondly = "SECONDLY";

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    public Decision Admit(string token, bool search, HubSpotLimits limits)
    {
        var bucket = _buckets.GetOrAdd(token, _ => new Bucket());
        var now = clock.GetUtcNow();
        lock (bucket)
            return bucket.Admit(now, search, limits);
    }

    public void Clear() => _buckets.Clear();

    /// <summary>The refusing policy (null = admitted) and what is left of each budget after this request.</summary>
    public sealed record Decision(string? RefusedBy, int BurstRemaining, int DailyRemaining);

    private sealed class Bucket
    {
        private readonly Queue<DateTimeOffset> _burst = new();
        private readonly Queue<DateTimeOffset> _search = new();
        private DateOnly _day;
        private int _dailyCount;

        public Decision Admit(DateTimeOffset now, bool search, HubSpotLimits limits)
        {
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            if (today != _day)
            {
                _day = today;
                _dailyCount = 0;
            }

            Expire(_burst, now - limits.BurstWindow);
            Expire(_search, now - TimeSpan.FromSeconds(1));
            string? refused = null;
            if (_dailyCount >= limits.DailyLimit)
                refused = Daily;
            else if (_burst.Count >= limits.BurstLimit)
                refused = Burst;
            else if (search && _search.Count >= limits.SearchLimitPerSecond)
                refused = Secondly;

            if (refused is null)
            {
                _dailyCount++;
                _burst.Enqueue(now);
                if (search)
                    _search.Enqueue(now);
            }

            return new Decision(refused, Math.Max(0, limits.BurstLimit - _burst.Count), Math.Max(0, limits.DailyLimit - _dailyCount));
        }

        private static void Expire(Queue<DateTimeOffset> admitted, DateTimeOffset cutoff)
        {
            while (admitted.Count > 0 && admitted.Peek() <= cutoff)
                admitted.Dequeue();
        }
    }
}
