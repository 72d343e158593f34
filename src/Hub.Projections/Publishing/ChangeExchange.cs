using Hub.Contracts.Changes;
using Hub.ServiceDefaults.Messaging;
using RabbitMQ.Client;

namespace Hub.Projections.Publishing;

/// <summary>A change event ready for the wire: its routing key is its type, its body CloudEvents structured JSON.</summary>
public sealed record OutgoingChange(string Id, string Type, ReadOnlyMemory<byte> Body, DateTimeOffset Time, string? TraceParent);

/// <summary>
/// The durable topic exchange <c>hub.changes</c>, written to with RabbitMQ.Client directly so subscribers get plain
/// AMQP: routing key = event type, body = CloudEvents JSON, no MassTransit envelope (ADR 0014). The channel has
/// publisher confirms with tracking: <see cref="PublishAsync"/> returns only after the broker confirmed every message
/// of the batch, and throws if it refused one or the connection dropped (the caller publishes the batch again).
/// </summary>
public sealed partial class ChangeExchange(IConfiguration configuration, ILogger<ChangeExchange> logger) : IAsyncDisposable
{
    public const string ContentType = "application/cloudevents+json";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;
    private IChannel? _channel;

    public async Task PublishAsync(IReadOnlyList<OutgoingChange> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
            return;
        var channel = await ChannelAsync(cancellationToken);
        try
        {
            // All in flight at once; each task completes on the broker's ack (the client caps what is outstanding).
            await Task.WhenAll(changes.Select(change => channel.BasicPublishAsync(
                ChangeEventTypes.Exchange, change.Type, mandatory: false, Properties(change), change.Body, cancellationToken).AsTask()));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The channel may be half-broken; the next batch starts on a fresh one.
            await ResetAsync();
            throw;
        }
    }

    private static BasicProperties Properties(OutgoingChange change)
    {
        var properties = new BasicProperties
        {
            ContentType = ContentType,
            DeliveryMode = DeliveryModes.Persistent,
            MessageId = change.Id,
            Type = change.Type,
            Timestamp = new AmqpTimestamp(change.Time.ToUnixTimeSeconds()),
        };
        if (change.TraceParent is not null)
            properties.Headers = new Dictionary<string, object?> { ["traceparent"] = change.TraceParent };
        return properties;
    }

    private async Task<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open)
            return open;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_channel is { IsOpen: true } raced)
                return raced;
            await ResetCoreAsync();
            var uri = configuration.GetConnectionString(RabbitMqSetup.ConnectionStringName)
                ?? throw new InvalidOperationException($"ConnectionStrings:{RabbitMqSetup.ConnectionStringName} is not configured.");
            var factory = new ConnectionFactory { Uri = new Uri(uri), AutomaticRecoveryEnabled = true, ClientProvidedName = "hub-projections change publisher" };
            _connection = await factory.CreateConnectionAsync(cancellationToken);
            var channel = await _connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
            // Idempotent; subscribers may declare it the same way before the first change is published.
            await channel.ExchangeDeclareAsync(ChangeEventTypes.Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            _channel = channel;
            LogConnected(ChangeEventTypes.Exchange);
            return channel;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ResetAsync()
    {
        await _gate.WaitAsync();
        try
        {
            await ResetCoreAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ResetCoreAsync()
    {
        if (_channel is not null)
            await _channel.DisposeAsync();
        if (_connection is not null)
            await _connection.DisposeAsync();
        _channel = null;
        _connection = null;
    }

    public async ValueTask DisposeAsync()
    {
        await ResetAsync();
        _gate.Dispose();
    }

    [LoggerMessage(LogLevel.Information, "Publishing change events to exchange {Exchange}")]
    private partial void LogConnected(string exchange);
}
