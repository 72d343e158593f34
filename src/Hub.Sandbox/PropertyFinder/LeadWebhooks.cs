using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Hub.Sandbox.Faults;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.PropertyFinder;

/// <summary>
/// POSTs a lead-created webhook to every configured URL. Signed the Standard Webhooks way (<c>webhook-id</c>,
/// <c>webhook-timestamp</c>, <c>webhook-signature: v1,&lt;base64 HMAC-SHA256 of "id.timestamp.body"&gt;</c>),
/// retried with exponential backoff on non-2xx or transport errors, and subject to the duplicate and out-of-order
/// webhook faults. First attempts go out one at a time in creation order; retries run on their own.
/// </summary>
public sealed partial class LeadWebhooks(
    IHttpClientFactory httpClients,
    IOptions<PropertyFinderOptions> options,
    FaultSwitch faults,
    FaultDice dice,
    TimeProvider clock,
    ILogger<LeadWebhooks> logger) : BackgroundService
{
    public const string HttpClientName = "propertyfinder-webhooks";
    private const int HistoryLimit = 500;

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
            foreach (var delivery in Shuffle(held))
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

    // Shuffled, and never left in the original order when there is more than one: the fault must show.
    private List<Delivery> Shuffle(List<Delivery> held)
    {
        var shuffled = held.ToList();
        for (var i = shuffled.Count - 1; i > 0; i--)
        {
            var j = dice.Next(i + 1);
            (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
        }

        if (shuffled.Count > 1 && shuffled.SequenceEqual(held))
        {
            shuffled.Reverse();
        }

        return shuffled;
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
                var delay = options.Value.WebhookRetryBaseDelay * Math.Pow(2, attempt - 2);
                await Task.Delay(delay, stoppingToken);
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

        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url);
        request.Content = new ByteArrayContent(delivery.Body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("webhook-id", delivery.Id);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", Sign(options.Value.WebhookSecret, delivery.Id, timestamp, delivery.Body));
        request.Headers.Add("webhook-attempt", attempt.ToString(CultureInfo.InvariantCulture));

        int? status = null;
        string? error = null;
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, stoppingToken);
            status = (int)response.StatusCode;
        }
        catch (HttpRequestException ex)
        {
            error = ex.Message;
        }
        catch (TaskCanceledException ex) when (!stoppingToken.IsCancellationRequested)
        {
            error = "Timed out: " + ex.Message;
        }

        var delivered = status is >= 200 and < 300;
        Record(new DeliveryAttempt(delivery.Id, delivery.Url, attempt, status, error, delivered, clock.GetUtcNow()));
        if (!delivered)
        {
            LogFailed(delivery.Id, delivery.Url, attempt, status, error);
        }

        return delivered;
    }

    /// <summary>The <c>webhook-signature</c> value; a receiver recomputes it to verify the sender.</summary>
    public static string Sign(string secret, string id, string timestamp, ReadOnlySpan<byte> body)
    {
        var key = secret.StartsWith("whsec_", StringComparison.Ordinal)
            ? Convert.FromBase64String(secret["whsec_".Length..])
            : Encoding.UTF8.GetBytes(secret);
        var signed = new List<byte>(Encoding.UTF8.GetBytes($"{id}.{timestamp}."));
        signed.AddRange(body.ToArray());
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed.ToArray()));
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
