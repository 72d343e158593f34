using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Hub.Sandbox.Webhooks;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.HubSpot.Webhooks;

/// <summary>
/// Sends queued events to the target URL as JSON arrays of up to <c>MaxEventsPerRequest</c>, gathered for
/// <c>BatchWindowMs</c>, signed with signature v3, at most <c>Concurrency</c> POSTs at once. A non-2xx answer (4xx
/// included, as HubSpot does), a transport error or the timeout fails the attempt; the same events are sent again
/// with backoff and <c>attemptNumber</c> counting up, until <c>MaxAttempts</c>. No order is promised.
/// </summary>
public sealed partial class WebhookDispatcher(
    WebhookEvents events,
    IHttpClientFactory httpClients,
    IOptions<HubSpotOptions> options,
    TimeProvider clock,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "hubspot-webhooks";
    private const int HistoryLimit = 500;

    private readonly Lock _historyGate = new();
    private readonly LinkedList<WebhookAttempt> _history = new();
    private SemaphoreSlim? _concurrency;

    public IReadOnlyList<WebhookAttempt> History
    {
        get
        {
            lock (_historyGate)
                return [.. _history];
        }
    }

    public void ClearHistory()
    {
        lock (_historyGate)
            _history.Clear();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Webhooks;
        _concurrency = new SemaphoreSlim(Math.Max(1, settings.Concurrency));
        var queue = events.Queue;
        try
        {
            while (await queue.WaitToReadAsync(stoppingToken))
            {
                var batch = new List<WebhookEvent>();
                if (queue.TryRead(out var first))
                    batch.Add(first);
                if (settings.BatchWindowMs > 0 && batch.Count < settings.MaxEventsPerRequest)
                    await Task.Delay(TimeSpan.FromMilliseconds(settings.BatchWindowMs), stoppingToken);
                while (batch.Count < Math.Max(1, settings.MaxEventsPerRequest) && queue.TryRead(out var next))
                    batch.Add(next);
                if (batch.Count == 0)
                    continue;
                await _concurrency.WaitAsync(stoppingToken);
                _ = SendAsync(new Delivery($"dlv_{Guid.NewGuid():N}", batch, events.Generation), 1, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutting down.
        }
    }

    private async Task SendAsync(Delivery delivery, int attempt, CancellationToken ct)
    {
        try
        {
            if (delivery.Generation != events.Generation || events.Settings.TargetUrl is not { } url)
                return;
            var settings = options.Value.Webhooks;
            var ok = await AttemptAsync(delivery, attempt, url, settings.Timeout, ct);
            if (ok || attempt >= settings.MaxAttempts)
                return;
            _ = RetryLaterAsync(delivery, attempt + 1, WebhookBackoff.Before(attempt + 1, settings.RetryBaseDelay), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogUnexpected(logger, delivery.Id, e);
        }
        finally
        {
            _concurrency!.Release();
        }
    }

    private async Task RetryLaterAsync(Delivery delivery, int attempt, TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, clock, ct);
            await _concurrency!.WaitAsync(ct);
            await SendAsync(delivery, attempt, ct);
        }
        catch (OperationCanceledException)
        {
            // Host shutting down.
        }
    }

    private async Task<bool> AttemptAsync(Delivery delivery, int attempt, Uri url, TimeSpan timeout, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(delivery.Events.Select(e => e with { AttemptNumber = attempt - 1 }), HubSpotJson.Options);
        var sentAt = clock.GetUtcNow();
        var timestamp = sentAt.ToUnixTimeMilliseconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("X-HubSpot-Signature-v3", SignatureV3.Sign(options.Value.AppSecret, "POST", url, body, timestamp));
        request.Headers.Add("X-HubSpot-Request-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("X-HubSpot-Signature-Version", "v3");
        int? status = null;
        string? error = null;
        try
        {
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeoutSource.CancelAfter(timeout);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, timeoutSource.Token);
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

        lock (_historyGate)
        {
            _history.AddLast(new WebhookAttempt(delivery.Id, attempt - 1, delivery.Events.Count, sentAt, status, error));
            if (_history.Count > HistoryLimit)
                _history.RemoveFirst();
        }

        if (status is not (>= 200 and < 300))
            LogFailedAttempt(logger, delivery.Id, attempt, status, error);
        return status is >= 200 and < 300;
    }

    public override void Dispose()
    {
        _concurrency?.Dispose();
        base.Dispose();
    }

    private sealed record Delivery(string Id, IReadOnlyList<WebhookEvent> Events, int Generation);

    [LoggerMessage(Level = LogLevel.Error, Message = "HubSpot webhook delivery {DeliveryId} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, string deliveryId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "HubSpot webhook delivery {DeliveryId} attempt {Attempt} failed: status {Status}, error {Error}")]
    private static partial void LogFailedAttempt(ILogger logger, string deliveryId, int attempt, int? status, string? error);
}
