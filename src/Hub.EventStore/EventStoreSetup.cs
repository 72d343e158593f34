using Hub.EventStore.Projections;
using Hub.EventStore.Schema;
using Hub.EventStore.Writing;
using JasperFx;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using JasperFx.OpenTelemetry;
using Weasel.Core;

namespace Hub.EventStore;

public static class EventStoreSetup
{
    /// <summary>The PostgreSQL schema that holds the event store, its read models and progress.</summary>
    public const string SchemaName = "hub";

    /// <summary>
    /// Marten as the hub's event store, on the host's <see cref="Npgsql.NpgsqlDataSource"/> (<c>AddPostgres</c>):
    /// string stream keys, Quick append, a unique index on event ids, System.Text.Json, and the gap-skipping rules
    /// of ADR 0008. Hosts chain what they run, e.g. <c>.AddAsyncDaemon(DaemonMode.HotCold)</c>.
    /// </summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddEventStore(
        this IHostApplicationBuilder builder, Action<StoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection(EventStoreOptions.Section).Get<EventStoreOptions>() ?? new EventStoreOptions();
        var applyOnStartup = options.ApplySchemaOnStartup ?? builder.Environment.IsDevelopment();

        builder.Services.AddSingleton(options);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<EventWriter>();
        builder.Services.AddSingleton<EventStoreMigration>();
        // Checks in StartingAsync, before Marten's hosted services touch a store that would lose commits.
        builder.Services.AddHostedService<DurabilityCheck>();
        builder.Services.AddHostedService<EventTableStatistics>();

        var marten = builder.Services
            .AddMarten(store =>
            {
                Configure(store, applyOnStartup ? AutoCreate.CreateOrUpdate : AutoCreate.None);
                configure?.Invoke(store);
            })
            .UseNpgsqlDataSource()
            .UseLightweightSessions();
        if (applyOnStartup)
            marten.ApplyAllDatabaseChangesOnStartup();
        return marten;
    }

    /// <summary>The store settings every user of the hub's events shares: hosts, tools, tests and benchmarks.</summary>
    public static void Configure(StoreOptions store, AutoCreate autoCreate)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.DatabaseSchemaName = SchemaName;
        store.Events.DatabaseSchemaName = SchemaName;
        store.AutoCreateSchemaObjects = autoCreate;
        store.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);

        store.Events.StreamIdentity = StreamIdentity.AsString;
        store.Events.AppendMode = EventAppendMode.Quick;
        store.Events.EnableUniqueIndexOnEventId = true;
        store.Events.MetadataConfig.CorrelationIdEnabled = true;
        store.Events.MetadataConfig.CausationIdEnabled = true;

        // ADR 0008: never skip a gap a live transaction may still fill, however long it stays open.
        store.Projections.UseTransactionEvidenceForGapSkipping = true;
        store.Projections.SkipStaleGapsDespiteLiveTransactionsAfter = null;

        store.OpenTelemetry.TrackConnections = TrackLevel.Normal;
        store.OpenTelemetry.TrackEventCounters();

        store.Schema.For<ProcessedMessage>().Identity(m => m.Id);
        store.Schema.For<ProjectionRebuild>().UseOptimisticConcurrency(true).Metadata(m => m.Version.MapTo(r => r.Version)).Index(r => r.Status);
    }
}
