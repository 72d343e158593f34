using System.Net;
using System.Text.Json;
using Hub.Crm.HubSpot;

namespace Hub.Crm.Tests.HubSpot;

/// <summary>HubSpot's documented error bodies, read into typed errors.</summary>
public sealed class HubSpotErrorTests
{
    [Fact]
    public void A_duplicate_email_is_a_conflict_naming_the_existing_contact()
    {
        var error = Read(HttpStatusCode.Conflict, """{"status":"error","message":"Contact already exists. Existing ID: 512","correlationId":"c-1","category":"CONFLICT"}""");

        Assert.Equal((HubSpotErrorCategory.Conflict, "512", false, "c-1"), (error.Category, error.ExistingId, error.Retryable, error.CorrelationId));
    }

    [Fact]
    public void A_missing_record_is_not_found()
    {
        var error = Read(HttpStatusCode.NotFound, """{"status":"error","message":"Object not found.","category":"OBJECT_NOT_FOUND"}""");

        Assert.Equal((HubSpotErrorCategory.NotFound, false), (error.Category, error.Retryable));
    }

    [Fact]
    public void A_daily_429_is_the_spent_daily_limit_and_a_burst_429_is_retryable_rate_limiting()
    {
        var daily = Read(HttpStatusCode.TooManyRequests, """{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","policyName":"DAILY"}""");
        var burst = Read(HttpStatusCode.TooManyRequests, """{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","policyName":"TEN_SECONDLY_ROLLING"}""");

        Assert.Equal((HubSpotErrorCategory.DailyLimitReached, false), (daily.Category, daily.Retryable));
        Assert.Equal((HubSpotErrorCategory.RateLimited, true), (burst.Category, burst.Retryable));
    }

    [Fact]
    public void An_unknown_property_is_a_validation_error_with_its_code()
    {
        var error = Read(HttpStatusCode.BadRequest,
            """{"status":"error","message":"Property values were not valid","category":"VALIDATION_ERROR","errors":[{"message":"Property \"x\" does not exist","code":"PROPERTY_DOESNT_EXIST"}]}""");

        Assert.Equal((HubSpotErrorCategory.Validation, "PROPERTY_DOESNT_EXIST", false), (error.Category, error.SubCategory, error.Retryable));
    }

    [Fact]
    public void A_missing_scope_is_an_auth_failure_even_without_a_body() =>
        Assert.Equal(HubSpotErrorCategory.Auth, HubSpotError.FromResponse(HttpStatusCode.Forbidden, null).Category);

    private static HubSpotError Read(HttpStatusCode status, string body)
    {
        using var document = JsonDocument.Parse(body);
        return HubSpotError.FromResponse(status, document.RootElement.Clone());
    }
}
