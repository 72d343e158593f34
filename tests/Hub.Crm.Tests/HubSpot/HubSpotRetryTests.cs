using System.Net;
using Hub.Crm.HubSpot;

namespace Hub.Crm.Tests.HubSpot;

public sealed class HubSpotRetryTests
{
    private static readonly HubSpotConnection Connection = new() { MaxAttempts = 4, MaxRateLimitedAttempts = 20, RetryBaseDelaySeconds = 1 };

    [Fact]
    public void A_write_that_is_not_idempotent_is_never_sent_again_after_a_timeout_or_5xx() =>
        Assert.Null(HubSpotRetry.Next(AttemptOutcome.Transient, idempotent: false, transientFailures: 1, burstLimits: 0, Connection, 0.5));

    [Fact]
    public void An_idempotent_write_is_sent_again_after_a_timeout_with_full_jitter_up_to_the_attempt_limit()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(500), HubSpotRetry.Next(AttemptOutcome.Transient, idempotent: true, 1, 0, Connection, 0.5));
        Assert.Equal(TimeSpan.FromMilliseconds(2000), HubSpotRetry.Next(AttemptOutcome.Transient, idempotent: true, 3, 0, Connection, 0.5));
        Assert.Null(HubSpotRetry.Next(AttemptOutcome.Transient, idempotent: true, 4, 0, Connection, 0.5));
    }

    [Fact]
    public void A_burst_429_applied_nothing_so_even_a_create_is_sent_again()
    {
        Assert.NotNull(HubSpotRetry.Next(AttemptOutcome.BurstLimited, idempotent: false, 0, 1, Connection, 0.5));
        Assert.Null(HubSpotRetry.Next(AttemptOutcome.BurstLimited, idempotent: true, 0, 20, Connection, 0.5));
    }

    [Theory]
    [InlineData(429, "DAILY", nameof(AttemptOutcome.DailyLimited))]
    [InlineData(429, "TEN_SECONDLY_ROLLING", nameof(AttemptOutcome.BurstLimited))]
    [InlineData(429, "SECONDLY", nameof(AttemptOutcome.SearchLimited))]
    [InlineData(429, null, nameof(AttemptOutcome.BurstLimited))]
    [InlineData(502, null, nameof(AttemptOutcome.Transient))]
    [InlineData(409, null, nameof(AttemptOutcome.Answered))]
    public void HubSpot_answers_are_classified_by_status_and_policy(int status, string? policy, string expected) =>
        Assert.Equal(Enum.Parse<AttemptOutcome>(expected), HubSpotRetry.Classify((HttpStatusCode)status, policy));

    [Fact]
    public void A_daily_429_is_never_retried() =>
        Assert.Null(HubSpotRetry.Next(AttemptOutcome.DailyLimited, idempotent: true, 0, 0, Connection, 0.5));

    [Fact]
    public void After_a_burst_429_everyone_waits_the_window_HubSpot_names()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.Add("X-HubSpot-RateLimit-Interval-Milliseconds", "10000");
        using var bare = new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        Assert.Equal(TimeSpan.FromSeconds(10), HubSpotRetry.BurstPause(response.Headers, TimeSpan.FromSeconds(2), DateTimeOffset.UnixEpoch));
        Assert.Equal(TimeSpan.FromSeconds(2), HubSpotRetry.BurstPause(bare.Headers, TimeSpan.FromSeconds(2), DateTimeOffset.UnixEpoch));
    }
}
