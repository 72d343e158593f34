using System.Text.Json;
using Hub.Contracts.Changes;
using RabbitMQ.Client;
using static Hub.Projections.Tests.Observations;

namespace Hub.Projections.Tests.Publishing;

public sealed class ChangePublisherTests
{
    [Fact]
    public async Task A_plain_amqp_subscriber_receives_every_committed_change_per_contact_in_stream_version_order_as_cloudevents()
    {
        await using var hub = await ProjectionsHost.CreateAsync("publish");
        // A subscriber in any language: its own queue bound to the topic exchange, no MassTransit.
        await using var connection = await new ConnectionFactory { Uri = hub.Broker.Amqp }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await BindAsync(channel, "crm-sync.contacts", "propstreet.contact.*.v1");
        // One page at a time: pages consumed at once may overtake each other (the older one is then dropped as stale).
        hub.StartHost(concurrency: 1);

        await hub.SendAsync(Page("poll:main:contact:p1", Enumerable.Range(1, 50).Select(i => Contact(i, 1))));
        await hub.SendAsync(Page("poll:main:contact:p2", Enumerable.Range(1, 50).Select(i => Contact(i, 2))));
        await hub.SendAsync(Page("poll:main:contact:p3", Enumerable.Range(1, 10).Select(i => Contact(i, 3, deleted: true))));
        await hub.SendAsync(Page("poll:main:contact:p4", Enumerable.Range(1, 5).Select(i => Contact(i, 4))));
        const int Committed = 50 + 50 + 10 + 5;

        var received = new List<(BasicGetResult Message, JsonElement Event)>();
        await ProjectionsHost.WaitUntilAsync(async () =>
        {
            while (await channel.BasicGetAsync("crm-sync.contacts", autoAck: true) is { } message)
                received.Add((message, JsonDocument.Parse(message.Body).RootElement.Clone()));
            return received.Count >= Committed;
        });

        var stored = await hub.EventsAsync();
        Assert.Equal(Committed, stored.Sum(s => s.Count()));
        Assert.Equal(stored.SelectMany(s => s).Select(e => e.Id.ToString()).Order(), received.Select(r => r.Event.GetProperty("id").GetString()).Distinct().Order());
        foreach (var (message, e) in received)
        {
            Assert.Equal("application/cloudevents+json", message.BasicProperties.ContentType);
            Assert.Equal(message.RoutingKey, e.GetProperty("type").GetString());
            Assert.Equal("1.0", e.GetProperty("specversion").GetString());
            Assert.Equal("/integration-hub/propstreet/main", e.GetProperty("source").GetString());
            Assert.StartsWith("propstreet-contact-", e.GetProperty("subject").GetString(), StringComparison.Ordinal);
            Assert.True(e.TryGetProperty("time", out _));
            Assert.Equal(e.GetProperty("streamversion").GetInt64(), e.GetProperty("data").GetProperty("streamVersion").GetInt64());
        }

        var perContact = received.Select(r => r.Event).GroupBy(e => e.GetProperty("subject").GetString()).ToDictionary(g => g.Key!, g => g.ToList());
        Assert.All(perContact.Values, changes =>
            Assert.Equal(Enumerable.Range(1, changes.Count).Select(v => (long)v), changes.Select(c => c.GetProperty("streamversion").GetInt64())));
        Assert.Equal(
            ["propstreet.contact.created.v1", "propstreet.contact.updated.v1", "propstreet.contact.deleted.v1", "propstreet.contact.revived.v1"],
            perContact["propstreet-contact-1"].Select(c => c.GetProperty("type").GetString()));
        var updated = perContact["propstreet-contact-30"][1].GetProperty("data");
        Assert.Equal(["title"], updated.GetProperty("changedFields").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("v2", updated.GetProperty("record").GetProperty("title").GetString());
        Assert.Equal("First30", updated.GetProperty("record").GetProperty("firstName").GetString());
    }

    [Fact]
    public async Task Changes_the_broker_refused_are_published_again_and_progress_waits_for_them()
    {
        await using var hub = await ProjectionsHost.CreateAsync("refused");
        await using var connection = await new ConnectionFactory { Uri = hub.Broker.Amqp }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        // A full queue that rejects publishes makes the broker nack them (reject-publish), as a broker in trouble would.
        await BindAsync(channel, "tiny", "#", new Dictionary<string, object?> { ["x-max-length"] = 10, ["x-overflow"] = "reject-publish" });
        hub.StartHost();

        await hub.SendAsync(Page("poll:main:contact:p1", Enumerable.Range(1, 40).Select(i => Contact(i, 1))));
        await ProjectionsHost.WaitUntilAsync(async () => (await channel.QueueDeclarePassiveAsync("tiny")).MessageCount == 10);
        var progressWhileRefused = await PublisherProgressAsync(hub);
        // The trouble ends: a queue with room replaces the full one.
        await BindAsync(channel, "roomy", "#");
        await channel.QueueDeleteAsync("tiny");

        var received = new HashSet<string>();
        await ProjectionsHost.WaitUntilAsync(async () =>
        {
            while (await channel.BasicGetAsync("roomy", autoAck: true) is { } message)
                received.Add(JsonDocument.Parse(message.Body).RootElement.GetProperty("id").GetString()!);
            return received.Count >= 40;
        });

        Assert.True(progressWhileRefused < 40, $"progress was {progressWhileRefused} while the broker refused changes");
        Assert.Equal(40, received.Count);
        await ProjectionsHost.WaitUntilAsync(async () => await PublisherProgressAsync(hub) == 40);
        Assert.Equal(40, await PublisherProgressAsync(hub));
    }

    /// <summary>What a subscriber does: declare the exchange (idempotent), its own durable queue, and bind it.</summary>
    private static async Task BindAsync(IChannel channel, string queue, string bindingKey, IDictionary<string, object?>? arguments = null)
    {
        await channel.ExchangeDeclareAsync(ChangeEventTypes.Exchange, ExchangeType.Topic, durable: true, autoDelete: false);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: arguments);
        await channel.QueueBindAsync(queue, ChangeEventTypes.Exchange, bindingKey);
    }

    private static async Task<long> PublisherProgressAsync(ProjectionsHost hub)
    {
        await using var connection = new Npgsql.NpgsqlConnection(hub.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT coalesce(max(last_seq_id), 0) FROM hub.mt_event_progression WHERE name LIKE @name", connection);
        command.Parameters.AddWithValue("name", Hub.Projections.Publishing.ChangePublisher.SubscriptionName + "%");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
