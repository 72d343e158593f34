using System.Globalization;
using System.Net.Http.Headers;

namespace Hub.Sandbox.Webhooks;

/// <summary>
/// One attempt at delivering a webhook, for both APIs: a JSON POST carrying the Standard Webhooks headers
/// (<c>webhook-id</c>, <c>webhook-timestamp</c> of this attempt on the sandbox clock, <c>webhook-signature</c>).
/// 2xx is delivered; any other status, a transport error or the timeout is a failed attempt. Retrying, history and
/// the webhook faults stay with each API, whose documented delivery behaviour differs.
/// </summary>
public sealed class StandardWebhookSender(IHttpClientFactory httpClients, TimeProvider clock)
{
    /// <param name="httpClientName">The API's named client (its handler settings belong to that API).</param>
    /// <param name="attempt">Property Finder numbers attempts in a <c>webhook-attempt</c> header; null leaves it out.</param>
    public async Task<WebhookAttemptResult> PostAsync(
        string httpClientName, SignedWebhook webhook, TimeSpan timeout, int? attempt, CancellationToken ct)
    {
        var sentAt = clock.GetUtcNow();
        var timestamp = sentAt.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url);
        request.Content = new ByteArrayContent(webhook.Body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("webhook-id", webhook.Id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", StandardWebhookSigner.Sign(webhook.Secret, webhook.Id, timestamp, webhook.Body));
        if (attempt is { } number)
        {
            request.Headers.Add("webhook-attempt", number.ToString(CultureInfo.InvariantCulture));
        }

        try
        {
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeoutSource.CancelAfter(timeout);
            using var response = await httpClients.CreateClient(httpClientName).SendAsync(request, timeoutSource.Token);
            return new WebhookAttemptResult(sentAt, (int)response.StatusCode, null);
        }
        catch (HttpRequestException e)
        {
            return new WebhookAttemptResult(sentAt, null, e.Message);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new WebhookAttemptResult(sentAt, null, "timed out");
        }
    }
}

/// <summary>A message ready to sign: the same id and body on every attempt, so receivers can deduplicate.</summary>
public sealed record SignedWebhook(string Id, Uri Url, byte[] Body, string Secret);

/// <summary>What one attempt came to; <see cref="SentAt"/> is also its <c>webhook-timestamp</c>.</summary>
public sealed record WebhookAttemptResult(DateTimeOffset SentAt, int? Status, string? Error)
{
    public bool Delivered => Status is >= 200 and < 300;
}
