using Hub.Crm.HubSpot;
using Hub.EventStore;
using Hub.EventStore.Projections;
using Hub.EventStore.Schema;
using Hub.Projections.HubSpot;
using Hub.Projections.Propstreet;
using Hub.Projections.Publishing;
using Hub.Projections.Records;
using Hub.Projections.TwoWay;
using Hub.ServiceDefaults;
using Hub.ServiceDefaults.Messaging;
using Hub.ServiceDefaults.Postgres;
using JasperFx.Events.Daemon;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddPostgres();
builder.AddHubSpot();                                         // Hub.Crm: a client per HubSpot:Connections:{name}
builder.AddPropstreetWriteBack();                             // Propstreet/: a writer per Propstreet:Connections:{name}
var hubSpot = HubSpotSetup.Read(builder.Configuration).Count > 0;
// This host owns the event store: its projections and subscriptions run here, one leader per shard across pods.
builder.AddEventStore(store => store.AddRecordStreams()       // Records/: record events and their current state
        .AddHubSpotReadModel(projected: hubSpot))                // HubSpot/: what HubSpot should hold, what was pushed
    .AddAsyncDaemon(DaemonMode.HotCold)
    .AddChangePublisher()                                     // Publishing/: committed changes → hub.changes
    .AddHubSpotPush()                                         // HubSpot/: the read model → each HubSpot connection
    .AddHubSpotTwoWay(builder.Configuration)                  // TwoWay/: HubSpot's changes settled against Propstreet
    .AddProjectionRebuilds(hubSpot ? [HubSpotReadModelSetup.Rebuildable] : []); // rebuilds operators request through Hub.Api

// `Hub.Projections migrate`: apply the schema and exit (the Kubernetes Job before the hosts roll out).
if (args.Contains("migrate", StringComparer.Ordinal))
    return await builder.Build().MigrateEventStoreAsync();

// `Hub.Projections parity [connection]`: the sources against HubSpot, field by field; exit 0 when in sync.
if (args.Contains(HubSpotParityCommand.Verb, StringComparer.Ordinal))
    return await builder.Build().RunHubSpotParityAsync(args, Console.Out);

builder.AddRabbitMq(bus => bus.AddRecordConsumers(builder.Configuration));   // Records/: hub-observations

var app = builder.Build();
app.MapServiceDefaults();
await app.RunAsync();
return 0;

/// <summary>Entry point marker for the test host.</summary>
public partial class Program;
