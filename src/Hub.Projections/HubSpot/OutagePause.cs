namespace Hub.Projections.HubSpot;

/// <summary>
/// How long the push and the two-way decisions wait before trying the same records again while HubSpot or Propstreet
/// takes nothing at all (down, throttling hard): doubling from 2 s, at most a minute. Nothing is skipped meanwhile.
/// </summary>
internal static class OutagePause
{
    public static TimeSpan After(int round) => TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(round, 6))));
}
