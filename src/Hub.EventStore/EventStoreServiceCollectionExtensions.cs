using Hub.EventStore.Appending;
using Hub.EventStore.Reading;
using Hub.EventStore.Schema;
using Hub.EventStore.Subscriptions;
using Hub.EventStore.Types;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hub.EventStore;

public static class EventStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the event store over the host's <see cref="NpgsqlDataSource"/> (registered separately), and a
    /// start-up step that checks durability and applies the schema.
    /// </summary>
    public static IServiceCollection AddEventStore(
        this IServiceCollection services, Action<EventTypeMap> registerTypes, Action<EventStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(registerTypes);
        var types = new EventTypeMap();
        registerTypes(types);

        services.AddOptions<EventStoreOptions>().Configure(o => configure?.Invoke(o));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(types);
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<EventAppender>();
        services.AddSingleton<EventReader>();
        services.AddSingleton<SubscriptionCheckpoints>();
        // Registered first so it finishes before subscription services start.
        services.AddHostedService<EventStoreStartup>();
        return services;
    }

    /// <summary>Runs <typeparamref name="THandler"/> as the named subscription on this host, as leader or standby.</summary>
    public static IServiceCollection AddEventStoreSubscription<THandler>(
        this IServiceCollection services, string name, Action<SubscriptionOptions>? configure = null)
        where THandler : class, ISubscriptionHandler
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.TryAddSingleton<THandler>();
        services.AddSingleton<IHostedService>(sp =>
        {
            var options = new SubscriptionOptions();
            configure?.Invoke(options);
            return new SubscriptionService(new SubscriptionRunner(
                name,
                sp.GetRequiredService<THandler>(),
                sp.GetRequiredService<NpgsqlDataSource>(),
                sp.GetRequiredService<EventReader>(),
                options,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<SubscriptionRunner>>()));
        });
        return services;
    }
}
