using System.Text;
using Hub.Sandbox.Faults;
using Hub.Sandbox.Webhooks;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.Propstreet.Webhooks;

/// <summary>
/// Sends queued deliveries, each attempt by <see cref="StandardWebhookSender"/>: up to 8 at a time, retried with
/// exponential backoff on non-2xx, network errors or timeouts, and subject to the webhook faults (a successful
/// delivery sent again with the same webhook-id; held back and shuffled). ADR 0006 describes the behaviour.
/// </summary>
public sealed partial class WebhookDispatcher(
    WebhookPublisher publisher,
    WebhookRegistry registry,
    StandardWebhookSender sender,
    IOptions<PropstreetOptions> options,
    FaultSwitch faults,
    FaultDice dice,
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
                    batch = dice.Shuffled(batch);
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
        if (ok && dice.Roll(faults.Current.WebhookDuplicateShare))
            await AttemptAsync(subscription, delivery, "duplicate", ct);
        if (ok)
            return;

        var settings = options.Value;
        if (job.AttemptInCycle >= settings.WebhookMaxAttempts)
        {
            registry.SetStatus(delivery, DeliveryStatus.Failed);
            return;
        }

        var next = job.AttemptInCycle + 1;
        _ = RetryLaterAsync(job with { AttemptInCycle = next, Trigger = "retry" }, WebhookBackoff.Before(next, settings.WebhookRetryBaseDelay), ct);
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
        var webhook = new SignedWebhook(delivery.Id, subscription.Url, Encoding.UTF8.GetBytes(delivery.Payload), subscription.Secret);
        var result = await sender.PostAsync(HttpClientName, webhook, options.Value.WebhookTimeout, attempt: null, ct);
        registry.Record(delivery, result.SentAt.UtcDateTime, result.Status, result.Error, trigger, result.Delivered ? DeliveryStatus.Succeeded : null);
        if (!result.Delivered)
            LogFailedAttempt(logger, delivery.Id, subscription.Id, result.Status, result.Error);
        return result.Delivered;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook delivery {DeliveryId} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, string deliveryId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} to {SubscriptionId} failed: status {Status}, error {Error}")]
    private static partial void LogFailedAttempt(ILogger logger, string deliveryId, string subscriptionId, int? status, string? error);

    public override void Dispose()
    {
        _concurrency.Dispose();
        base.Dispose();
    }
}
