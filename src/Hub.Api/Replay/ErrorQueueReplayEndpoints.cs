using System.Text.RegularExpressions;
using Hub.Api.Access;
using Hub.ServiceDefaults.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Hub.Api.Replay;

/// <summary>
/// <c>POST /api/queues/{queue}/errors/replay</c> (operate): moves messages that MassTransit parked in
/// <c>{queue}_error</c> after its retries (e.g. observations that failed while PostgreSQL was down) back to
/// <c>{queue}</c>, once the cause is fixed. Each message is acknowledged in the error queue only after the broker
/// confirmed it in the target queue, so a failure half-way loses nothing (at worst a message is there twice, which
/// the consumers' effect-once guard absorbs).
/// </summary>
public static partial class ErrorQueueReplayEndpoints
{
    public const int MaxPerRequest = 1000;

    /// <summary>MassTransit's suffix for a receive endpoint's dead-letter queue.</summary>
    public const string ErrorSuffix = "_error";

    public static IEndpointRouteBuilder MapErrorQueueReplayEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/queues/{queue}/errors/replay", ReplayAsync)
            .RequireAuthorization(ApiPolicies.Operate)
            .WithName("ReplayErrorQueue")
            .WithTags("Replay")
            .WithSummary("Move failed messages from {queue}_error back to {queue}")
            .WithDescription($"At most limit messages (default and maximum {MaxPerRequest}), oldest first; their fault headers are dropped.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static async Task<IResult> ReplayAsync(
        string queue, IConfiguration configuration, ILoggerFactory loggers, CancellationToken cancellationToken, int limit = MaxPerRequest)
    {
        if (!QueueName().IsMatch(queue) || queue.EndsWith(ErrorSuffix, StringComparison.Ordinal))
            return TypedResults.Problem(title: "Invalid queue", detail: $"Name the receive queue itself (letters, digits, '.', '-', '_'), not its {ErrorSuffix} queue.", statusCode: StatusCodes.Status400BadRequest);
        if (limit is < 1 or > MaxPerRequest)
            return TypedResults.Problem(title: "Invalid limit", detail: $"limit is between 1 and {MaxPerRequest}.", statusCode: StatusCodes.Status400BadRequest);

        var errorQueue = queue + ErrorSuffix;
        var factory = new ConnectionFactory
        {
            Uri = new Uri(configuration.GetConnectionString(RabbitMqSetup.ConnectionStringName)!),
            ClientProvidedName = "hub-api error queue replay",
        };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        if (await MessageCountAsync(connection, queue, cancellationToken) is null)
            return TypedResults.Problem(title: "Queue not found", detail: $"There is no queue '{queue}' on the broker.", statusCode: StatusCodes.Status404NotFound);
        if (await MessageCountAsync(connection, errorQueue, cancellationToken) is null)
            return TypedResults.Ok(new ErrorQueueReplayed(queue, 0, 0));

        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        var moved = 0;
        while (moved < limit && await channel.BasicGetAsync(errorQueue, autoAck: false, cancellationToken) is { } message)
        {
            var properties = new BasicProperties(message.BasicProperties) { Headers = WithoutFault(message.BasicProperties.Headers) };
            // Completes on the broker's confirm; mandatory, so a message the target cannot take fails instead of vanishing.
            await channel.BasicPublishAsync("", queue, mandatory: true, properties, message.Body, cancellationToken);
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
            moved++;
        }

        var remaining = await MessageCountAsync(connection, errorQueue, cancellationToken) ?? 0;
        LogReplayed(loggers.CreateLogger(typeof(ErrorQueueReplayEndpoints)), moved, errorQueue, queue, remaining);
        return TypedResults.Ok(new ErrorQueueReplayed(queue, moved, remaining));
    }

    // A passive declare of a missing queue closes its channel, hence one channel per look.
    private static async Task<uint?> MessageCountAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    // MassTransit's record of the failure; the consumer would otherwise see a fresh message carrying an old fault.
    private static Dictionary<string, object?>? WithoutFault(IDictionary<string, object?>? headers) =>
        headers?.Where(h => !h.Key.StartsWith("MT-Fault-", StringComparison.Ordinal) && h.Key != "MT-Reason")
            .ToDictionary(h => h.Key, h => h.Value);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")]
    private static partial Regex QueueName();

    [LoggerMessage(Level = LogLevel.Information, Message = "Replayed {Count} messages from {ErrorQueue} to {Queue}; {Remaining} left")]
    private static partial void LogReplayed(ILogger logger, int count, string errorQueue, string queue, uint remaining);
}

/// <param name="Moved">Messages now back in the queue.</param>
/// <param name="Remaining">Messages still in the error queue (more than the limit, or arrived meanwhile).</param>
public sealed record ErrorQueueReplayed(string Queue, int Moved, uint Remaining);
