using System.Net.Http.Headers;
using Hub.Ingest.Budget;

namespace Hub.Ingest.Tests.Budget;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Retry_after_in_seconds_pauses_that_long() =>
        Assert.Equal(TimeSpan.FromSeconds(7), RetryAfter.Delay(new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)), Now));

    [Fact]
    public void Retry_after_as_an_http_date_pauses_until_then() =>
        Assert.Equal(TimeSpan.FromSeconds(30), RetryAfter.Delay(RetryConditionHeaderValue.Parse("Sun, 01 Mar 2026 12:00:30 GMT"), Now));

    [Fact]
    public void Retry_after_in_the_past_does_not_pause() =>
        Assert.Equal(TimeSpan.Zero, RetryAfter.Delay(RetryConditionHeaderValue.Parse("Sun, 01 Mar 2026 11:59:00 GMT"), Now));
}
