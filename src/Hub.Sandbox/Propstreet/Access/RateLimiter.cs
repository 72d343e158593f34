using System.Collections.Concurrent;

namespace Hub.Sandbox.Propstreet.Access;

/// <summary>
/// Fixed one-minute windows per token, timed by the sandbox's <see cref="TimeProvider"/>. A window opens at the
/// token's first request after the previous one closed, so "N requests in a burst" behaves the same every run.
/// </summary>
public sealed class RateLimiter(TimeProvider clock)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>Null when the request may proceed, otherwise how long until the window resets.</summary>
    public TimeSpan? TryAcquire(string token, int limitPerMinute)
    {
        var bucket = _buckets.GetOrAdd(token, _ => new Bucket());
        var now = clock.GetUtcNow();
        lock (bucket)
        {
            if (now >= bucket.WindowStart + Window || now < bucket.WindowStart)
            {
                bucket.WindowStart = now;
                bucket.Count = 0;
            }

            if (bucket.Count >= limitPerMinute)
                return bucket.WindowStart + Window - now;
            bucket.Count++;
            return null;
        }
    }

    public void Clear() => _buckets.Clear();

    private sealed class Bucket
    {
        public DateTimeOffset WindowStart { get; set; } = DateTimeOffset.MinValue;

        public int Count { get; set; }
    }
}
