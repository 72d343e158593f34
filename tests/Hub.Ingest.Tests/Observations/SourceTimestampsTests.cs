using System.Text.Json;
using Hub.Ingest.Observations;

namespace Hub.Ingest.Tests.Observations;

public sealed class SourceTimestampsTests
{
    [Theory]
    [InlineData("2026-03-01T12:00:00Z", 0)]
    [InlineData("2026-03-01T12:00:00.25Z", 2_500_000)]
    [InlineData("2026-03-01T12:00:00.1234567Z", 1_234_567)]
    public void Timestamps_of_any_fractional_width_are_read_as_the_same_instants(string text, long ticksAfterSecond)
    {
        var instant = SourceTimestamps.Parse(text);

        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(ticksAfterSecond), instant);
    }

    [Fact]
    public void A_whole_second_is_older_than_a_fraction_past_it_although_it_sorts_after_it_as_text()
    {
        Assert.True(string.CompareOrdinal("2026-03-01T12:00:00Z", "2026-03-01T12:00:00.25Z") > 0);
        Assert.True(SourceTimestamps.Parse("2026-03-01T12:00:00Z") < SourceTimestamps.Parse("2026-03-01T12:00:00.25Z"));
    }

    [Fact]
    public void The_query_form_keeps_every_tick_so_an_inclusive_updated_since_loses_nothing()
    {
        var instant = SourceTimestamps.Parse("2026-03-01T12:00:00.1234567Z");

        Assert.Equal(instant, SourceTimestamps.Parse(SourceTimestamps.Format(instant)));
    }

    [Theory]
    [InlineData("""{"updatedUtc":"yesterday"}""")]
    [InlineData("""{"updatedUtc":1767225600}""")]
    public void An_unreadable_instant_is_refused_without_throwing(string json)
    {
        using var record = JsonDocument.Parse(json);

        Assert.False(SourceTimestamps.TryRead(record.RootElement, "updatedUtc", out _));
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"updatedUtc":null}""")]
    public void An_absent_instant_reads_as_none(string json)
    {
        using var record = JsonDocument.Parse(json);

        Assert.True(SourceTimestamps.TryRead(record.RootElement, "updatedUtc", out var instant));
        Assert.Null(instant);
    }
}
