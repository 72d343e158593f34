using Microsoft.Extensions.Options;

namespace Hub.Sandbox.Faults;

/// <summary>
/// The one source of randomness for fault decisions. Seedable (<c>Sandbox:Faults:Seed</c>) so a demo or test
/// run sees the same sequence of faults; locked because <see cref="Random"/> is not thread-safe.
/// </summary>
public sealed class FaultDice(IOptions<FaultOptions> options)
{
    private readonly Lock _gate = new();
    private readonly Random _random = options.Value.Seed is { } seed ? new Random(seed) : new Random();

    /// <summary>True with the given probability; 0 never and 1 always, without consuming a roll.</summary>
    public bool Roll(double share)
    {
        if (share <= 0)
        {
            return false;
        }

        if (share >= 1)
        {
            return true;
        }

        lock (_gate)
        {
            return _random.NextDouble() < share;
        }
    }

    public double Next()
    {
        lock (_gate)
        {
            return _random.NextDouble();
        }
    }

    public int Next(int maxExclusive)
    {
        lock (_gate)
        {
            return _random.Next(maxExclusive);
        }
    }

    /// <summary>
    /// A shuffled copy for the out-of-order webhook fault; never in the original order when there is more than one,
    /// so the fault always shows.
    /// </summary>
    public List<T> Shuffled<T>(IReadOnlyList<T> items)
    {
        var shuffled = items.ToList();
        for (var i = shuffled.Count - 1; i > 0; i--)
        {
            var j = Next(i + 1);
            (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
        }

        if (shuffled.Count > 1 && shuffled.SequenceEqual(items))
        {
            shuffled.Reverse();
        }

        return shuffled;
    }
}

/// <summary>The <c>Sandbox:Faults</c> configuration section.</summary>
public sealed class FaultOptions
{
    public const string Section = "Sandbox:Faults";

    /// <summary>Seed of the fault dice; unset means a different sequence every run.</summary>
    public int? Seed { get; set; }
}
