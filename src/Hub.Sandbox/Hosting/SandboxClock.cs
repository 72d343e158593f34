namespace Hub.Sandbox.Hosting;

/// <summary>
/// The sandbox's clock: real time plus an adjustable skew, so the clock-skew fault shifts every timestamp the
/// APIs hand out (updatedUtc, createdAt, webhook timestamps). Every part of the sandbox takes time from
/// <see cref="TimeProvider"/>, which resolves to this.
/// </summary>
public sealed class SandboxClock(TimeProvider inner) : TimeProvider
{
    private long _skewTicks;

    public SandboxClock() : this(System) { }

    public TimeSpan Skew
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _skewTicks));
        set => Interlocked.Exchange(ref _skewTicks, value.Ticks);
    }

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Skew;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;
}
