using System.Text.Json;
using System.Threading.Channels;
using Hub.Sandbox.Faults;
using Hub.Sandbox.Webhooks;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.PropertyFinder;

/// <summary>
/// POSTs a lead-created webhook to every configured URL, signed per Standard Webhooks by
/// <see cref="StandardWebhookSender"/> (plus a <c>webhook-attempt</c> header), retried with exponential backoff on
/// non-2xx, transport errors or timeouts, and subject to the duplicate and out-of-order webhook faults. First
/// attempts go out one at a time in creation order; retries run on their own.
/// </summary>
public sealed partial class LeadWebhooks(
    StandardWebhookSender sender,
    IOptions<PropertyFinderOptions> options,
    FaultSwitch faults,
    FaultDice dice,
    TimeProvider clock,
    ILogger<LeadWebhooks> logger) : BackgroundService
{
    public const string HttpClientName = "propertyfinder-webhooks";
    private const int HistoryLimit = 500;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Channel<Delivery> _queue = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _historyGate = new();
    private readonly LinkedList<DeliveryAttempt> _history = new();
    private volatile Uri[]? _urlOverride;
    private int _generation;

    /// <summary>The configured URLs until the admin surface sets others.</summary>
    public IReadOnlyList<Uri> Urls
    {
        get => _urlOverride ?? [.. options.Value.WebhookUrls];
        set => _urlOverride = [.. value];
    }

    public IReadOnlyList<DeliveryAttempt> History
    {
        get
        {
            lock (_historyGate)
            {
                return _history.ToArray();
            }
        }
    }

    public void LeadCreated(Lead lead)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new LeadWebhookPayload("lead.created", [lead]), PropertyFinderJson.Options);
        foreach (var url in Urls)
        {
            _queue.Writer.TryWrite(new Delivery($"msg_{Guid.NewGuid():N}", url, body, Volatile.Read(ref _generation)));
        }
    }

    /// <summary>Forgets history, pending retries and runtime URL changes (back to configuration).</summary>
    public void Reset()
    {
        Interlocked.Increment(ref _generation);
        _urlOverride = null;
        lock (_historyGate)
        {
            _history.Clear();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var held = new List<Delivery>();
        while (!stoppingToken.IsCancellationRequested)
        {
            Delivery? next;
            try
            {
                next = held.Count == 0 ? await _queue.Reader.ReadAsync(stoppingToken) : await ReadOrTimeOutAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            if (next is not null && faults.Current.WebhookOutOfOrder)
            {
                held.Add(next);
                if (held.Count < Math.Max(2, options.Value.OutOfOrderBatchSize))
                {
                    continue;
                }

                next = null;
            }

            // Held deliveries go first (shuffled), then the one that arrived after the fault was switched off.
            foreach (var delivery in dice.Shuffled(held))
            {
                await DispatchAsync(delivery, stoppingToken);
            }

            held.Clear();
            if (next is not null)
            {
                await DispatchAsync(next, stoppingToken);
            }
        }
    }

    private async Task<Delivery?> ReadOrTimeOutAsync(CancellationToken stoppingToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        wait.CancelAfter(options.Value.OutOfOrderHoldBack);
        try
        {
            return await _queue.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task DispatchAsync(Delivery delivery, CancellationToken stoppingToken)
    {
        var copies = dice.Roll(faults.Current.WebhookDuplicateShare) ? 2 : 1;
        for (var copy = 0; copy < copies; copy++)
        {
            if (!await TrySendAsync(delivery, 1, stoppingToken))
            {
                _ = RetryAsync(delivery, stoppingToken);
            }
        }
    }

    private async Task RetryAsync(Delivery delivery, CancellationToken stoppingToken)
    {
        try
        {
            var maxAttempts = Math.Max(1, options.Value.WebhookMaxAttempts);
            for (var attempt = 2; attempt <= maxAttempts; attempt++)
            {
                await Task.Delay(WebhookBackoff.Before(attempt, options.Value.WebhookRetryBaseDelay), stoppingToken);
                if (delivery.Generation != Volatile.Read(ref _generation) || await TrySendAsync(delivery, attempt, stoppingToken))
                {
                    return;
                }
            }

            LogGaveUp(delivery.Id, delivery.Url, maxAttempts);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: pending retries are dropped with the rest of the in-memory state.
        }
    }

    private async Task<bool> TrySendAsync(Delivery delivery, int attempt, CancellationToken stoppingToken)
    {
        if (delivery.Generation != Volatile.Read(ref _generation))
        {
            return true;
        }

        var result = await sender.PostAsync(
            HttpClientName, new SignedWebhook(delivery.Id, delivery.Url, delivery.Body, options.Value.WebhookSecret), Timeout, attempt, stoppingToken);
        Record(new DeliveryAttempt(delivery.Id, delivery.Url, attempt, result.Status, result.Error, result.Delivered, clock.GetUtcNow()));
        if (!result.Delivered)
        {
            LogFailed(delivery.Id, delivery.Url, attempt, result.Status, result.Error);
        }

        return result.Delivered;
    }

    private void Record(DeliveryAttempt attempt)
    {
        lock (_historyGate)
        {
            _history.AddLast(attempt);
            if (_history.Count > HistoryLimit)
            {
                _history.RemoveFirst();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} to {Url} failed on attempt {Attempt} (status {Status}, error {Error})")]
    private partial void LogFailed(string webhookId, Uri url, int attempt, int? status, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} to {Url} given up after {Attempts} attempts")]
    private partial void LogGaveUp(string webhookId, Uri url, int attempts);

    private sealed record Delivery(string Id, Uri Url, byte[] Body, int Generation);
}

/// <summary>One delivery attempt, as the admin surface lists it.</summary>
public sealed record DeliveryAttempt(string WebhookId, Uri Url, int Attempt, int? Status, string? Error, bool Delivered, DateTimeOffset At);
