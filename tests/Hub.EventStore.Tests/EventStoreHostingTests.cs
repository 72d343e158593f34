using Hub.EventStore.Appending;
using Hub.EventStore.Reading;
using Hub.EventStore.Subscriptions;
using Hub.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Hub.EventStore.Tests;

public sealed class EventStoreHostingTests
{
    [Fact]
    public async Task A_host_with_AddEventStore_migrates_at_start_up_and_runs_its_subscriptions()
    {
        await using var database = await PostgresDatabase.CreateAsync("hosting");
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(database.ConnectionString));
        builder.Services.AddEventStore(types => types.Register<ContactObserved>("test.contact.observed", 1));
        builder.Services.AddEventStoreSubscription<CountingHandler>("counting", o => o.PollInterval = TimeSpan.FromMilliseconds(100));

        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            await host.Services.GetRequiredService<EventAppender>().AppendAsync(
                "test-contact-host", "test-contact", ExpectedVersion.NoStream, [TestEvents.Contact("host", 1), TestEvents.Contact("host", 2)]);

            var checkpoints = host.Services.GetRequiredService<SubscriptionCheckpoints>();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (host.Services.GetRequiredService<CountingHandler>().Count < 2 && DateTime.UtcNow < deadline)
                await Task.Delay(50);

            Assert.Equal(2, host.Services.GetRequiredService<CountingHandler>().Count);
            var last = (await host.Services.GetRequiredService<EventReader>().ReadLastEventAsync("test-contact-host"))!;
            Assert.Equal(last.LogPosition, await checkpoints.GetAsync("counting"));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private sealed class CountingHandler : ISubscriptionHandler
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public Task HandleAsync(IReadOnlyList<RecordedEvent> events, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        {
            Interlocked.Add(ref _count, events.Count);
            return Task.CompletedTask;
        }
    }
}
