namespace Hub.EventStore.Appending;

/// <summary>What the caller believes the stream's version is. Versions start at 1; 0 means no events yet.</summary>
public readonly record struct ExpectedVersion
{
    private ExpectedVersion(long value) => Value = value;

    internal long Value { get; }

    /// <summary>Append whatever the stream holds.</summary>
    public static ExpectedVersion Any { get; } = new(-1);

    /// <summary>The stream must not exist yet.</summary>
    public static ExpectedVersion NoStream { get; } = new(0);

    public static ExpectedVersion Exactly(long version)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        return new(version);
    }

    public override string ToString() => Value switch
    {
        -1 => "any",
        0 => "no stream",
        _ => Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
