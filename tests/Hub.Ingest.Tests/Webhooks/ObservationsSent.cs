using System.Text.Json;
using Hub.Contracts.Observations;
using RabbitMQ.Client;

namespace Hub.Ingest.Tests.Webhooks;

/// <summary>
/// Reads <c>hub-observations</c> with a plain AMQP client, as the test's own consumer: what the receivers sent, in
/// MassTransit's envelope. The queue is declared as MassTransit declares it, so "nothing sent" can be read before
/// anything ever was. Only webhook observations are read: the pollers of the same connections send their pages to
/// this queue too.
/// </summary>
public sealed class ObservationsSent : IAsyncDisposable
{
    private const string Name = ObservationTransport.Queue;

    private readonly IConnection _connection;
    private readonly IChannel _channel;

    private ObservationsSent(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    /// <param name="quorum">Declare it as Ingest does with <c>RabbitMq:QuorumQueues=true</c>.</param>
    public static async Task<ObservationsSent> OpenAsync(Uri amqp, bool quorum = false)
    {
        var connection = await new ConnectionFactory { Uri = amqp }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        var arguments = quorum ? new Dictionary<string, object?> { ["x-queue-type"] = "quorum" } : null;
        await channel.QueueDeclareAsync(Name, durable: true, exclusive: false, autoDelete: false, arguments: arguments);
        return new ObservationsSent(connection, channel);
    }

    /// <summary>Every message in the queue now (the receivers answer only after the broker confirmed, so a 2xx's message is here).</summary>
    public async Task<IReadOnlyList<RecordsObserved>> TakeAllAsync()
    {
        var taken = new List<RecordsObserved>();
        while (await _channel.BasicGetAsync(Name, autoAck: true) is { } message)
            taken.Add(Read(message.Body));
        return [.. taken.Where(FromWebhook)];
    }

    /// <summary>Waits until <paramref name="count"/> messages arrived (sent asynchronously by a sandbox); the deadline only stops a broken test from hanging.</summary>
    public async Task<IReadOnlyList<RecordsObserved>> TakeAsync(int count)
    {
        var taken = new List<RecordsObserved>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (taken.Count < count && DateTime.UtcNow < deadline)
        {
            if (await _channel.BasicGetAsync(Name, autoAck: true) is { } message)
            {
                if (Read(message.Body) is var observed && FromWebhook(observed))
                    taken.Add(observed);
            }
            else
                await Task.Delay(50);
        }

        return taken;
    }

    private static bool FromWebhook(RecordsObserved observed) => observed.Channel == "webhook";

    private static RecordsObserved Read(ReadOnlyMemory<byte> body)
    {
        using var envelope = JsonDocument.Parse(body);
        return envelope.RootElement.GetProperty("message").Deserialize<RecordsObserved>(JsonSerializerOptions.Web)!;
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
