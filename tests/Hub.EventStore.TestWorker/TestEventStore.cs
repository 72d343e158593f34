using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Hub.EventStore.Writing;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hub.EventStore.TestWorker;

/// <summary>The test fixtures added to the hub's store settings, and a host that runs them in the async daemon.</summary>
public static class TestEventStore
{
    public const string ContactObservedName = "contact.observed.v1";

    public static void Configure(StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Map<ContactObserved>(ContactObservedName);
        options.Projections.Add<StreamTallyProjection>(ProjectionLifecycle.Async);
        options.Projections.Subscribe(new DeliveryLog());
        options.Storage.ExtendedSchemaObjects.Add(DeliveryLog.Table());
    }

    /// <summary>
    /// A host configured as Hub.Projections is (<c>AddEventStore</c>, the HotCold daemon, schema applied at
    /// start-up), running <see cref="StreamTallyProjection"/> and <see cref="DeliveryLog"/>.
    /// </summary>
    public static HostApplicationBuilder CreateHostBuilder(string connectionString)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        builder.Configuration["EventStore:ApplySchemaOnStartup"] = "true";
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        builder.AddEventStore(Configure).AddAsyncDaemon(DaemonMode.HotCold);
        return builder;
    }
}
