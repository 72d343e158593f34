using Hub.Ingest.HubSpot;

namespace Hub.Ingest.Tests.HubSpot;

public sealed class HubSpotSearchStepsTests
{
    private static readonly DateTimeOffset Anchor = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_last_page_ends_the_walk()
    {
        Assert.Equal(SearchStepKind.Done, HubSpotSearchSteps.Next(Anchor, Anchor.AddSeconds(5), more: false).Kind);
    }

    [Fact]
    public void A_page_ending_after_its_anchor_re_anchors_on_its_last_instant_inclusive()
    {
        var step = HubSpotSearchSteps.Next(Anchor, Anchor.AddMilliseconds(1), more: true);

        Assert.Equal(new SearchStep(SearchStepKind.FromInstant, Anchor.AddMilliseconds(1)), step);
    }

    [Fact]
    public void A_full_page_at_its_anchor_instant_with_more_behind_it_is_walked_by_id()
    {
        var step = HubSpotSearchSteps.Next(Anchor, Anchor, more: true);

        Assert.Equal(new SearchStep(SearchStepKind.CrowdedInstant, Anchor), step);
    }
}
