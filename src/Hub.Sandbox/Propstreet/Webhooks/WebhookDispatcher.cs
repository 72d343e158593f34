using System.Globalization;
using System.Net.Mime;
using System.Text;
using Hub.Sandbox.Faults;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.Propstreet.Webhooks;

/// <summary>
/// Sends queued deliveries: signed per Standard Webhooks, retried with exponential backoff on non-2xx or network
/// errors, and subject to the webhook faults (duplicates with the same webhook-id; held back and shuffled).
/// </summary>
public sealed partial class WebhookDispatcher(
    WebhookPublisher publisher,
    WebhookRegistry registry,
    IHttpClientFactory httpClients,
    IOptions<PropstreetOptions> options,
    FaultSwitch faults,
    TimeProvider clock,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "propstreet-webhooks";

    /// <summary>How long deliveries are held back to be shuffled when the out-of-order fault is on.</summary>
    private static readonly TimeSpan HoldBack = TimeSpan.FromMilliseconds(300);

    private readonly SemaphoreSlim _concurrency = new(8);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = publisher.Queue;
        try
        {
            while (await queue.WaitToReadAsync(stoppingToken))
            {
                var batch = new List<DeliveryJob>();
                while (queue.TryRead(out var job))
                    batch.Add(job);
                if (faults.Current.WebhookOutOfOrder)
                {
                    await Task.Delay(HoldBack, clock, stoppingToken);
                    while (queue.TryRead(out var job))
                        batch.Add(job);
                    Shuffle(batch);
                }

                foreach (var job in batch)
                {
                    await _concurrency.WaitAsync(stoppingToken);
                    _ = SendAndReleaseAsync(job, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutting down.
        }
    }

    private async Task SendAndReleaseAsync(DeliveryJob job, CancellationToken ct)
    {
        try
        {
            await SendAsync(job, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Never lose a delivery silently: an unexpected error fails it visibly in history.
            LogUnexpected(logger, job.Delivery.Id, e);
            registry.SetStatus(job.Delivery, DeliveryStatus.Failed);
        }
        finally
        {
            _concurrency.Release();
        }
    }

    private async Task SendAsync(DeliveryJob job, CancellationToken ct)
    {
        var delivery = job.Delivery;
        if (delivery.Generation != registry.Generation || registry.Get(delivery.SubscriptionId) is not { } subscription)
            return;

        var ok = await AttemptAsync(subscription, delivery, job.Trigger, ct);
        if (ok && Random.Shared.NextDouble() < faults.Current.WebhookDuplicateShare)
            await AttemptAsync(subscription, delivery, "duplicate", ct);
        if (ok)
            return;

        var settings = options.Value;
        if (job.AttemptInCycle >= settings.WebhookMaxAttempts)
        {
            registry.SetStatus(delivery, DeliveryStatus.Failed);
            return;
        }

        var delay = settings.WebhookRetryBaseDelay * Math.Pow(2, job.AttemptInCycle - 1);
        _ = RetryLaterAsync(job with { AttemptInCycle = job.AttemptInCycle + 1, Trigger = "retry" }, delay, ct);
    }

    private async Task RetryLaterAsync(DeliveryJob job, TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, clock, ct);
            publisher.Enqueue(job);
        }
        catch (OperationCanceledException)
        {
            // Host shutting down; the delivery stays pending in history.
        }
    }

    private async Task<bool> AttemptAsync(Subscription subscription, Delivery delivery, string trigger, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, MediaTypeNames.Application.Json),
        };
        request.Headers.Add("webhook-id", delivery.Id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSigner.Sign(subscription.Secret, delivery.Id, timestamp, delivery.Payload));

        int? status = null;
        string? error = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.WebhookTimeout);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            status = (int)response.StatusCode;
        }
        catch (HttpRequestException e)
        {
            error = e.Message;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            error = "timed out";
        }

        var ok = status is >= 200 and < 300;
        registry.Record(delivery, now.UtcDateTime, status, error, trigger, ok ? DeliveryStatus.Succeeded : null);
        if (!ok)
            LogFailedAttempt(logger, delivery.Id, subscription.Id, status, error);
        return ok;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook delivery {DeliveryId} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, string deliveryId, Exception exception);

    private static void Shuffle(List<DeliveryJob> jobs)
    {
        for (var i = jobs.Count - 1; i > 0; i--)
        {
            var j = Random.Shared.Next(i + 1);
            (jobs[i], jobs[j]) = (jobs[j], jobs[i]);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} to {SubscriptionId} failed: status {Status}, error {Error}")]
    private static partial void LogFailedAttempt(ILogger logger, string deliveryId, string subscriptionId, int? status, string? error);

    public override void Dispose()
    {
        _concurrency.Dispose();
        base.Dispose();
    }
}
