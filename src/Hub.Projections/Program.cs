using Hub.Crm.HubSpot;
using Hub.EventStore;
using Hub.EventStore.Schema;
using Hub.Projections.Publishing;
using Hub.Projections.Records;
using Hub.ServiceDefaults;
using Hub.ServiceDefaults.Messaging;
using Hub.ServiceDefaults.Postgres;
using JasperFx.Events.Daemon;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddPostgres();
// This host owns the event store: its projections and subscriptions run here, one leader per shard across pods.
builder.AddEventStore(store => store.AddRecordStreams())      // Records/: record events and their current state
    .AddAsyncDaemon(DaemonMode.HotCold)
    .AddChangePublisher();                                    // Publishing/: committed changes → hub.changes

// `Hub.Projections migrate`: apply the schema and exit (the Kubernetes Job before the hosts roll out).
if (args.Contains("migrate", StringComparer.Ordinal))
    return await builder.Build().MigrateEventStoreAsync();

builder.AddHubSpot();                                         // Hub.Crm: a client per HubSpot:Connections:{name}
builder.AddRabbitMq(bus => bus.AddRecordConsumers(builder.Configuration));   // Records/: hub-observations

var app = builder.Build();
app.MapServiceDefaults();
await app.RunAsync();
return 0;

/// <summary>Entry point marker for the test host.</summary>
public partial class Program;
