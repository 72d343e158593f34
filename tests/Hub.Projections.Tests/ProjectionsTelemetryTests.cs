using static Hub.Projections.Tests.Observations;

namespace Hub.Projections.Tests;

public sealed class ProjectionsTelemetryTests
{
    [Fact]
    public async Task Appended_events_stale_records_and_duplicate_observations_are_counted_per_connection()
    {
        // Other test classes run hosts in this process at the same time; this one's measurements carry its connection.
        const string Connection = "metered";
        using var totals = new ProjectionsCounts(Connection);

        await using var hub = await ProjectionsHost.CreateAsync("metrics");
        hub.StartHost(concurrency: 1);
        var newer = Page("poll:metered:contact:v2", Enumerable.Range(1, 3).Select(i => Contact(i, 2))) with { Connection = Connection };
        await hub.SendAsync(newer);
        await hub.SendAsync(Page("poll:metered:contact:v1", Enumerable.Range(1, 3).Select(i => Contact(i, 1))) with { Connection = Connection });
        await hub.SendAsync(newer);
        await hub.SendAsync(newer with { ObservationId = "webhook:metered:overlap" });
        await hub.SendAsync(Page("poll:metered:contact:end", [Contact(99, 1)]) with { Connection = Connection });
        await ProjectionsHost.WaitUntilAsync(() => Task.FromResult(totals["hub.projections.events.appended"] == 4));

        Assert.Equal(4, totals["hub.projections.events.appended"]);
        Assert.Equal(3, totals["hub.projections.observations.stale"]);
        Assert.Equal(1, totals["hub.projections.observations.duplicate/message"]);
        Assert.Equal(3, totals["hub.projections.observations.duplicate/record"]);
    }
}
