using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit.Abstractions;

namespace Hub.Sync.Tests.TwoWay;

/// <summary>
/// 200 generated interleavings of edits, deletions and revivals on both sides with late, repeated and echoed
/// observations, played through <see cref="TwoWaySyncModel"/>. The seed is fixed: a failure prints the shrunk
/// interleaving and FsCheck's replay string; <see cref="Replay"/> reproduces the whole run.
/// </summary>
public sealed class TwoWaySyncPropertyTests(ITestOutputHelper output)
{
    public const string Replay = "(20261129,11)";
    public const int Runs = 200;

    [Property(MaxTest = Runs, Replay = Replay, Arbitrary = [typeof(Interleavings)])]
    public void Both_sides_end_with_the_newest_write_of_every_field_unless_its_owner_settled_a_simultaneous_edit(Interleaving run)
    {
        var model = TwoWaySyncModel.Play(run);

        Assert.True(model.Violations.Count == 0, $"{run}\n{string.Join('\n', model.Violations)}\n--- trace ---\n{string.Join('\n', model.Trace)}");
    }

    [Fact]
    public void What_one_side_took_before_the_other_side_lost_a_race_counts_as_synced_when_the_hub_decides_again()
    {
        // The hub waits for the echo of its push; meanwhile HubSpot edits the tags (Propstreet owns them) and Propstreet
        // the first name. Deciding, it writes HubSpot's tags to Propstreet, then loses the race to HubSpot, whose tags
        // moved again. Deciding again, Propstreet's copy of the tags is the hub's own write, not a Propstreet edit: the
        // later HubSpot edit wins, not the owner.
        var run = new Interleaving(SyncedAtStart: true, FoldsWriteResponses: false,
        [
            new Edit(Crm.Propstreet, 0, 0), new Poll(Crm.Propstreet), new Edit(Crm.HubSpot, 4, 0), new Edit(Crm.Propstreet, 0, 0),
            new Deliver(3), new Edit(Crm.HubSpot, 4, 0), new Deliver(2),
        ]);

        var model = TwoWaySyncModel.Play(run);

        Assert.True(model.Violations.Count == 0, string.Join('\n', model.Violations.Concat(model.Trace)));
        Assert.Equal(1, model.Seen.GetValueOrDefault("write lost a race (412), re-read and decided again"));
    }

    [Fact]
    public void The_fixed_seed_replays_the_same_interleavings()
    {
        var first = Interleavings.Sample();
        var second = Interleavings.Sample();

        Assert.Equal(Runs, first.Count);
        Assert.Equal(first.Select(r => r.ToString()), second.Select(r => r.ToString()));
        Assert.Equal(
            first.Select(r => string.Join('\n', TwoWaySyncModel.Play(r).Trace)),
            second.Select(r => string.Join('\n', TwoWaySyncModel.Play(r).Trace)));
    }

    [Fact]
    public void The_generated_interleavings_reach_every_behaviour_the_property_speaks_of()
    {
        var seen = new Dictionary<string, int>();
        foreach (var run in Interleavings.Sample())
            foreach (var (what, count) in TwoWaySyncModel.Play(run).Seen)
                seen[what] = seen.GetValueOrDefault(what) + count;

        output.WriteLine($"Replay {Replay}, {Runs} interleavings:");
        foreach (var (what, count) in seen.OrderBy(s => s.Key, StringComparer.Ordinal))
            output.WriteLine($"  {what}: {count}");
        string[] behaviours =
        [
            "user deletion", "user revival", "stale or repeated observation dropped", "echo dropped as a duplicate", "echo decided",
            "write lost a race (412), re-read and decided again", "rule OnlyPropstreetChanged", "rule OnlyHubSpotChanged", "rule Owner",
            "rule Newer", "rule PropstreetDerived", "DeleteInPropstreet", "DeleteInHubSpot", "ReviveInPropstreet", "ReviveInHubSpot",
        ];
        Assert.All(behaviours, b => Assert.True(seen.GetValueOrDefault(b) > 0, $"no interleaving reached '{b}'"));
    }
}

/// <summary>The generator of interleavings, with a shrinker that drops steps so a failure shows a short run.</summary>
public static class Interleavings
{
    private static readonly Gen<Crm> Side = Gen.Elements(Crm.Propstreet, Crm.HubSpot);

    private static readonly Gen<SyncStep> Step = Gen.Frequency(
        (8, from side in Side from field in Gen.Choose(0, TwoWaySyncModel.Fields.Length - 1) from notation in Gen.Choose(0, 5) select (SyncStep)new Edit(side, field, notation)),
        (1, Side.Select(s => (SyncStep)new Delete(s))),
        (1, Side.Select(s => (SyncStep)new Revive(s))),
        (6, Gen.Choose(0, 1000).Select(pick => (SyncStep)new Deliver(pick))),
        (3, Side.Select(s => (SyncStep)new Poll(s))));

    public static readonly Gen<Interleaving> Generator =
        from synced in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
        from folds in Gen.Elements(true, false)
        from length in Gen.Choose(1, 40)
        from steps in Step.ListOf(length)
        select new Interleaving(synced, folds, steps);

    public static Arbitrary<Interleaving> Interleaving() => Arb.From(Generator, Shrink);

    /// <summary>The runs the property test plays, from its fixed seed.</summary>
    public static IReadOnlyList<Interleaving> Sample() =>
        Generator.Sample(TwoWaySyncPropertyTests.Runs, new Rnd(20261129, 11), 50);

    private static IEnumerable<Interleaving> Shrink(Interleaving run) =>
        Enumerable.Range(0, run.Steps.Count).Select(i => run with { Steps = [.. run.Steps.Take(i), .. run.Steps.Skip(i + 1)] });
}
