using System.Globalization;
using System.Text;
using Hub.Ingest.Webhooks;

namespace Hub.Ingest.Tests.Webhooks;

public sealed class StandardWebhookSignatureTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"event":"contact.updated"}""");

    private static WebhookVerdict Verify(string secret, DateTimeOffset sentAt, string? signature = null, IReadOnlyList<string>? configured = null)
    {
        var timestamp = sentAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        signature ??= IngestWebhookHost.Sign(secret, "msg_1", sentAt, Encoding.UTF8.GetString(Body));
        return StandardWebhookSignature.Verify("msg_1", timestamp, signature, Body, configured ?? [secret], Now, Tolerance);
    }

    [Fact]
    public void A_timestamp_exactly_five_minutes_away_either_way_is_accepted_and_one_second_more_is_stale()
    {
        var secret = HostSettings.NewSecret();

        Assert.Equal(
            [WebhookVerdict.Valid, WebhookVerdict.Valid, WebhookVerdict.StaleTimestamp, WebhookVerdict.StaleTimestamp],
            [Verify(secret, Now - Tolerance), Verify(secret, Now + Tolerance), Verify(secret, Now - Tolerance - TimeSpan.FromSeconds(1)), Verify(secret, Now + Tolerance + TimeSpan.FromSeconds(1))]);
    }

    [Fact]
    public void A_plain_secret_is_keyed_with_its_bytes_and_a_whsec_secret_with_its_base64_part()
    {
        Assert.Equal(WebhookVerdict.Valid, Verify("pf-sandbox-webhook-secret", Now));
        Assert.Equal(WebhookVerdict.Valid, Verify(HostSettings.NewSecret(), Now));
    }

    [Fact]
    public void Signatures_of_another_version_or_not_base64_never_verify_and_never_throw()
    {
        var secret = HostSettings.NewSecret();
        var valid = IngestWebhookHost.Sign(secret, "msg_1", Now, Encoding.UTF8.GetString(Body));

        Assert.Equal(WebhookVerdict.BadSignature, Verify(secret, Now, "v2," + valid[3..]));
        Assert.Equal(WebhookVerdict.BadSignature, Verify(secret, Now, "v1,not*base64"));
        Assert.Equal(WebhookVerdict.BadSignature, Verify(secret, Now, "v1,AAAA"));
        Assert.Equal(WebhookVerdict.Valid, Verify(secret, Now, $"v1a,xyz v1,AAAA {valid}"));
    }

    [Fact]
    public void Any_configured_secret_verifies_during_a_rotation()
    {
        var (old, next) = (HostSettings.NewSecret(), HostSettings.NewSecret());

        Assert.Equal(WebhookVerdict.Valid, Verify(next, Now, configured: [old, next]));
        Assert.Equal(WebhookVerdict.BadSignature, Verify(next, Now, configured: [old]));
    }

    [Fact]
    public void A_timestamp_that_is_not_Unix_seconds_is_invalid_and_missing_headers_are_missing()
    {
        var secret = HostSettings.NewSecret();

        Assert.Equal(WebhookVerdict.InvalidTimestamp, StandardWebhookSignature.Verify("msg_1", "2026-03-01T12:00:00Z", "v1,AAAA", Body, [secret], Now, Tolerance));
        Assert.Equal(WebhookVerdict.InvalidTimestamp, StandardWebhookSignature.Verify("msg_1", "99999999999999999999", "v1,AAAA", Body, [secret], Now, Tolerance));
        Assert.Equal(WebhookVerdict.MissingHeaders, StandardWebhookSignature.Verify("msg_1", "", "v1,AAAA", Body, [secret], Now, Tolerance));
    }
}
