namespace Hub.EventStore.TestWorker;

public enum StallPoint
{
    Projection,
    Subscription,
}

/// <summary>
/// For the crash test: once armed, the projection and the subscription each stop inside a batch after at least the
/// given number of events, the worker prints <see cref="Signal"/> when both have stopped, and waits to be killed.
/// </summary>
public static class MidBatchStall
{
    public const string Signal = "MID-BATCH";

    private static readonly long[] Seen = new long[2];
    private static readonly int[] Stopped = new int[2];
    private static long _after = long.MaxValue;
    private static int _stoppedPoints;

    public static void Arm(long afterEvents) => Interlocked.Exchange(ref _after, afterEvents);

    public static void BlockIfReached(StallPoint point)
    {
        if (Reached(point, 1))
            Thread.Sleep(Timeout.Infinite);
    }

    public static Task WaitIfReachedAsync(StallPoint point, int events, CancellationToken cancellationToken) =>
        Reached(point, events) ? Task.Delay(Timeout.Infinite, cancellationToken) : Task.CompletedTask;

    private static bool Reached(StallPoint point, int events)
    {
        if (Interlocked.Add(ref Seen[(int)point], events) < Interlocked.Read(ref _after))
            return false;
        if (Interlocked.Exchange(ref Stopped[(int)point], 1) == 0 && Interlocked.Increment(ref _stoppedPoints) == 2)
        {
            Console.Out.WriteLine(Signal);
            Console.Out.Flush();
        }

        return true;
    }
}
