using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace Hub.Api.Tests.Replay;

public sealed class ErrorQueueReplayEndpointTests(ApiHost api) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task Failed_messages_go_back_to_their_queue_in_order_without_their_fault_headers()
    {
        await using var broker = await BrokerAsync();
        await broker.DeclareAsync("hub-replay-order");
        await broker.ParkAsync("hub-replay-order", "first", "second", "third");
        using var client = api.Client(api.OperateToken);

        using var response = await client.PostAsync(new Uri("/api/queues/hub-replay-order/errors/replay", UriKind.Relative), null);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, result.GetProperty("moved").GetInt32());
        Assert.Equal(0, result.GetProperty("remaining").GetInt32());
        var back = await broker.TakeAllAsync("hub-replay-order");
        Assert.Equal(["first", "second", "third"], back.Select(m => Encoding.UTF8.GetString(m.Body.Span)));
        Assert.All(back, m => Assert.DoesNotContain(m.BasicProperties.Headers!.Keys, k => k.StartsWith("MT-Fault-", StringComparison.Ordinal) || k == "MT-Reason"));
        Assert.All(back, m => Assert.Equal("application/vnd.masstransit+json", m.BasicProperties.ContentType));
        Assert.Empty(await broker.TakeAllAsync("hub-replay-order_error"));
    }

    [Fact]
    public async Task A_limit_moves_that_many_and_leaves_the_rest_parked()
    {
        await using var broker = await BrokerAsync();
        await broker.DeclareAsync("hub-replay-limit");
        await broker.ParkAsync("hub-replay-limit", "a", "b", "c");
        using var client = api.Client(api.OperateToken);

        var result = await (await client.PostAsync(new Uri("/api/queues/hub-replay-limit/errors/replay?limit=2", UriKind.Relative), null))
            .Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(2, result.GetProperty("moved").GetInt32());
        Assert.Equal(1, result.GetProperty("remaining").GetInt32());
        Assert.Equal(["a", "b"], (await broker.TakeAllAsync("hub-replay-limit")).Select(m => Encoding.UTF8.GetString(m.Body.Span)));
        Assert.Equal(["c"], (await broker.TakeAllAsync("hub-replay-limit_error")).Select(m => Encoding.UTF8.GetString(m.Body.Span)));
    }

    [Theory]
    [InlineData("hub-replay-limit_error")]
    [InlineData("no%20spaces")]
    public async Task Naming_an_error_queue_or_an_invalid_name_is_a_400_problem(string queue)
    {
        using var client = api.Client(api.OperateToken);

        using var response = await client.PostAsync(new Uri($"/api/queues/{queue}/errors/replay", UriKind.Relative), null);

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, queue);
    }

    private async Task<Broker> BrokerAsync()
    {
        var connection = await new ConnectionFactory { Uri = api.Broker.Amqp }.CreateConnectionAsync();
        return new Broker(connection, await connection.CreateChannelAsync());
    }

    private sealed class Broker(IConnection connection, IChannel channel) : IAsyncDisposable
    {
        public async Task DeclareAsync(string queue)
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            await channel.QueueDeclareAsync(queue + "_error", durable: true, exclusive: false, autoDelete: false);
        }

        /// <summary>Puts messages in the error queue as MassTransit does after the last retry: body and content type kept, fault headers added.</summary>
        public async Task ParkAsync(string queue, params string[] bodies)
        {
            foreach (var body in bodies)
            {
                var properties = new BasicProperties
                {
                    ContentType = "application/vnd.masstransit+json",
                    Persistent = true,
                    Headers = new Dictionary<string, object?>
                    {
                        ["MT-Reason"] = "fault",
                        ["MT-Fault-ExceptionType"] = "Npgsql.NpgsqlException",
                        ["MT-Fault-Message"] = "Failed to connect",
                        ["MT-Host-MachineName"] = "projections-0",
                    },
                };
                await channel.BasicPublishAsync("", queue + "_error", mandatory: true, properties, Encoding.UTF8.GetBytes(body));
            }
        }

        public async Task<List<BasicGetResult>> TakeAllAsync(string queue)
        {
            var messages = new List<BasicGetResult>();
            while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
                messages.Add(message);
            return messages;
        }

        public async ValueTask DisposeAsync()
        {
            await channel.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
