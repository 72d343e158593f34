using Hub.Contracts.Observations;
using Hub.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace Hub.Ingest.Observations;

/// <summary>
/// The durable queue <c>hub-observations</c> that Projections consumes. Declared at start-up, before any send —
/// exchange <c>hub-observations</c> (fanout, as MassTransit names a queue's exchange) bound to the queue, quorum
/// when <c>RabbitMq:QuorumQueues=true</c> — so pages sent before Projections ever ran are kept. Sends go to the
/// exchange: MassTransit's <c>queue:</c> address would re-declare the queue without <c>x-queue-type</c>, which a
/// quorum queue refuses. A send completes when the broker confirmed it (publisher confirms).
/// </summary>
public sealed class ObservationSender(IConfiguration configuration, IBus bus) : IHostedService
{
    private const string Name = ObservationTransport.Queue;

    private static readonly Uri Address = new($"exchange:{Name}?type=fanout");

    public Task SendAsync(RecordsObserved observation, CancellationToken cancellationToken) => SendAnyAsync(observation, observation.ObservationId, cancellationToken);

    public Task SendAsync(ReconciliationCompleted completed, CancellationToken cancellationToken) => SendAnyAsync(completed, completed.ObservationId, cancellationToken);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = new Uri(configuration.GetConnectionString(RabbitMqSetup.ConnectionStringName)!) };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await factory.CreateConnectionAsync("hub-ingest-topology", cancellationToken);
                await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                await channel.ExchangeDeclareAsync(Name, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
                var arguments = RabbitMqSetup.QuorumQueues(configuration) ? new Dictionary<string, object?> { ["x-queue-type"] = "quorum" } : null;
                await channel.QueueDeclareAsync(Name, durable: true, exclusive: false, autoDelete: false, arguments: arguments, cancellationToken: cancellationToken);
                await channel.QueueBindAsync(Name, Name, "", cancellationToken: cancellationToken);
                return;
            }
            catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException) when (attempt < 30)
            {
                // The broker may start after us (compose, a fresh cluster); polling waits for the queue.
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SendAnyAsync<T>(T message, string observationId, CancellationToken cancellationToken)
        where T : class
    {
        var endpoint = await bus.GetSendEndpoint(Address);
        await endpoint.Send(message, context =>
        {
            // The observation id doubles as the message id, so the store's processed-message key is visible on the wire.
            context.Headers.Set("Hub-ObservationId", observationId);
            context.Durable = true;
        }, cancellationToken);
    }
}
