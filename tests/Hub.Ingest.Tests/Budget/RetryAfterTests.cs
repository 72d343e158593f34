using System.Net.Http.Headers;
using Hub.ServiceDefaults.Budget;

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

public sealed class RetryDelaysTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, 0.0, 0)]
    [InlineData(0, 0.999, 1998)]
    [InlineData(2, 0.5, 4000)]
    [InlineData(10, 1.0, 30000)]
    public void Back_off_is_anywhere_up_to_the_doubled_ceiling_with_full_jitter(int attempt, double random, int expectedMilliseconds) =>
        Assert.Equal(expectedMilliseconds, (int)Math.Round(RetryDelays.Next(attempt, TimeSpan.FromSeconds(2), random, null, Now).TotalMilliseconds));

    [Fact]
    public void A_429_is_retried_after_its_Retry_After_not_the_back_off()
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(9));

        Assert.Equal(TimeSpan.FromSeconds(9), RetryDelays.Next(0, TimeSpan.FromSeconds(2), 0.1, response, Now));
    }
}
