using System.Text.Json;
using Hub.Contracts.Observations;
using RabbitMQ.Client;

namespace Hub.Ingest.Tests.Hosting;

/// <summary>What Ingest sent to <c>hub-observations</c>, read with a plain AMQP client (as a consumer that is not MassTransit would).</summary>
public sealed record SentObservation(string ObservationId, string Type, string Resource, IReadOnlyList<SentRecord> Records, IReadOnlyList<string> SeenIds, string? Channel);

public sealed record SentRecord(string Id, DateTimeOffset? UpdatedUtc, DateTimeOffset? DeletedUtc, string? ETag, JsonElement Data);

/// <summary>
/// The tests' one reader of <c>hub-observations</c> in their virtual host: drains it, keeping everything read so far
/// (<see cref="Received"/>), and hands out the webhook deliveries among it as the contract the receivers send
/// (<see cref="TakeAllAsync"/>; pollers of the same connections send their pages to this queue too).
/// </summary>
public sealed class SentObservations(Uri amqp) : IAsyncDisposable
{
    private readonly List<SentObservation> _received = [];
    private readonly Queue<RecordsObserved> _webhooks = new();
    private IConnection? _connection;
    private IChannel? _channel;

    public IReadOnlyList<SentObservation> Received => _received;

    /// <summary>Every record of every page received, in order (repeats included).</summary>
    public IEnumerable<SentRecord> Records => _received.SelectMany(o => o.Records);

    /// <summary>Reads until <paramref name="done"/> holds for what was received (or fails after a generous bound, so a broken sync fails instead of hanging).</summary>
    public async Task WaitUntilAsync(Func<SentObservations, bool> done, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!done(this))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Gave up waiting after {seconds} s; received {_received.Count} observations, {Records.Count()} records.");
            if (!await DrainAsync())
                await Task.Delay(100);
        }
    }

    /// <summary>
    /// The webhook observations received and not taken yet, including all queued now (the receivers answer only after
    /// the broker confirmed, so a 2xx's message is here).
    /// </summary>
    public async Task<IReadOnlyList<RecordsObserved>> TakeAllAsync()
    {
        await DrainAsync();
        return Take(_webhooks.Count);
    }

    /// <summary>
    /// Waits until <paramref name="count"/> webhook observations arrived (sent asynchronously by a sandbox) and takes
    /// them, leaving any later ones for the next take; the deadline only stops a broken test from hanging.
    /// </summary>
    public async Task<IReadOnlyList<RecordsObserved>> TakeAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (_webhooks.Count < count && DateTime.UtcNow < deadline)
        {
            if (!await DrainAsync())
                await Task.Delay(50);
        }

        return Take(Math.Min(count, _webhooks.Count));
    }

    private List<RecordsObserved> Take(int count) => [.. Enumerable.Range(0, count).Select(_ => _webhooks.Dequeue())];

    /// <summary>Reads whatever is queued now; false when nothing was.</summary>
    public async Task<bool> DrainAsync()
    {
        _connection ??= await new ConnectionFactory { Uri = amqp }.CreateConnectionAsync();
        _channel ??= await _connection.CreateChannelAsync();
        var any = false;
        try
        {
            while (await _channel.BasicGetAsync(ObservationTransport.Queue, autoAck: true) is { } message)
            {
                var (sent, webhook) = Parse(message.Body.ToArray());
                _received.Add(sent);
                if (webhook is not null)
                    _webhooks.Enqueue(webhook);
                any = true;
            }
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            // The queue is not declared yet (Ingest still starting); the channel is closed, open another.
            _channel = null;
        }

        return any;
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
            await _channel.DisposeAsync();
        if (_connection is not null)
            await _connection.DisposeAsync();
    }

    private static (SentObservation Sent, RecordsObserved? Webhook) Parse(byte[] body)
    {
        using var envelope = JsonDocument.Parse(body);
        var type = envelope.RootElement.GetProperty("messageType")[0].GetString()!;
        var message = envelope.RootElement.GetProperty("message").Clone();
        var records = message.TryGetProperty("records", out var r)
            ? r.EnumerateArray().Select(x => new SentRecord(
                x.GetProperty("id").GetString()!,
                Instant(x, "updatedUtc"),
                Instant(x, "deletedUtc"),
                x.TryGetProperty("eTag", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null,
                x.GetProperty("data"))).ToList()
            : [];
        var seen = message.TryGetProperty("seenIds", out var s) ? s.EnumerateArray().Select(i => i.GetString()!).ToList() : [];
        var channel = message.TryGetProperty("channel", out var c) ? c.GetString() : null;
        var sent = new SentObservation(message.GetProperty("observationId").GetString()!, type, message.GetProperty("resource").GetString()!, records, seen, channel);
        return (sent, channel == "webhook" ? message.Deserialize<RecordsObserved>(JsonSerializerOptions.Web) : null);
    }

    private static DateTimeOffset? Instant(JsonElement record, string name) =>
        record.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetDateTimeOffset() : null;
}
