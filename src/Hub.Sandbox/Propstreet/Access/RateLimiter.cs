using System.Collections.Concurrent;

namespace Hub.Sandbox.Propstreet.Access;

/// <summary>How the per-token limit counts a minute.</summary>
public enum RateLimitWindow
{
    /// <summary>Any 60 s span holds at most the limit: the strict reading of "600/min" (default).</summary>
    Sliding,

    /// <summary>
    /// Fixed one-minute windows, each opened by the token's first request after the previous one closed; up to
    /// twice the limit can pass across a window boundary.
    /// </summary>
    Fixed,
}

/// <summary>The per-token request limit, timed by the sandbox's <see cref="TimeProvider"/>.</summary>
public sealed class RateLimiter(TimeProvider clock)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>Null when the request may proceed (and is counted), otherwise how long until one may.</summary>
    public TimeSpan? TryAcquire(string token, int limitPerMinute, RateLimitWindow window)
    {
        var bucket = _buckets.GetOrAdd(token, _ => new Bucket());
        var now = clock.GetUtcNow();
        lock (bucket)
            return window == RateLimitWindow.Sliding ? bucket.Sliding(now, limitPerMinute) : bucket.Fixed(now, limitPerMinute);
    }

    public void Clear() => _buckets.Clear();

    private sealed class Bucket
    {
        // Sliding: the times of the requests admitted during the last minute, oldest first.
        private readonly Queue<DateTimeOffset> _admitted = new();

        // Fixed: the current window's start and count.
        private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
        private int _count;

        public TimeSpan? Sliding(DateTimeOffset now, int limit)
        {
            while (_admitted.Count > 0 && _admitted.Peek() + Minute <= now)
                _admitted.Dequeue();
            if (_admitted.Count >= limit)
                return _admitted.Peek() + Minute - now;
            _admitted.Enqueue(now);
            return null;
        }

        public TimeSpan? Fixed(DateTimeOffset now, int limit)
        {
            if (now >= _windowStart + Minute || now < _windowStart)
            {
                _windowStart = now;
                _count = 0;
            }

            if (_count >= limit)
                return _windowStart + Minute - now;
            _count++;
            return null;
        }
    }
}
