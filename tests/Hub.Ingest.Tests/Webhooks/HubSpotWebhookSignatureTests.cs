extern alias sandbox;

using System.Globalization;
using System.Text;
using Hub.Ingest.Webhooks;
using SignatureV3 = sandbox::Hub.Sandbox.HubSpot.Webhooks.SignatureV3;

namespace Hub.Ingest.Tests.Webhooks;

/// <summary>Signature v3 as the receiver verifies it, against the sandbox's independent signer.</summary>
public sealed class HubSpotWebhookSignatureTests
{
    private const string Secret = "app-secret";
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""[{"eventId":1,"subscriptionType":"contact.creation","objectId":512,"occurredAt":1}]""");

    private static string Sign(string uri, DateTimeOffset at) => SignatureV3.Sign(Secret, "POST", new Uri(uri), Body, at.ToUnixTimeMilliseconds());

    private static WebhookVerdict Verify(string uri, DateTimeOffset at, string signature) =>
        HubSpotWebhookSignature.Verify("POST", uri, Body, at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), signature,
            Secret, Now, TimeSpan.FromMinutes(5), HubSpotWebhookEndpoints.MaxClockSkew);

    [Fact]
    public void A_delivery_signed_for_the_public_URL_verifies_only_against_that_URL_not_the_one_a_proxy_forwards_to()
    {
        var signature = Sign("https://hub.example.com/webhooks/hubspot/main", Now);

        Assert.Equal(WebhookVerdict.Valid, Verify("https://hub.example.com/webhooks/hubspot/main", Now, signature));
        Assert.Equal(WebhookVerdict.BadSignature, Verify("http://10.0.0.7:8080/webhooks/hubspot/main", Now, signature));
    }

    [Fact]
    public void A_URI_with_escapes_HubSpot_decodes_before_signing_verifies_as_HubSpot_signed_it()
    {
        var signature = Sign("https://hub.example.com/webhooks/hubspot/main?from=a:b", Now);

        Assert.Equal(WebhookVerdict.Valid, Verify("https://hub.example.com/webhooks/hubspot/main?from=a%3Ab", Now, signature));
    }

    [Fact]
    public void A_timestamp_within_the_clock_skew_ahead_is_accepted_and_one_further_ahead_refused_as_made_to_outlive_the_window()
    {
        var url = "https://hub.example.com/webhooks/hubspot/main";
        var slightlyAhead = Now.AddSeconds(30);
        var farAhead = Now.AddMinutes(4);

        Assert.Equal(WebhookVerdict.Valid, Verify(url, slightlyAhead, Sign(url, slightlyAhead)));
        Assert.Equal(WebhookVerdict.StaleTimestamp, Verify(url, farAhead, Sign(url, farAhead)));
    }
}
