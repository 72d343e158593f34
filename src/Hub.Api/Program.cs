using Hub.Api.Access;
using Hub.Api.HubSpot;
using Hub.Api.Records;
using Hub.Api.Reference;
using Hub.Api.Replay;
using Hub.Api.Status;
using Hub.Crm.HubSpot;
using Hub.EventStore;
using Hub.ServiceDefaults;
using Hub.ServiceDefaults.Http;
using Hub.ServiceDefaults.Messaging;
using Hub.ServiceDefaults.Postgres;
using JasperFx;
using Marten;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddResilientHttpClients();
builder.AddPostgres();
builder.AddRabbitMq();
builder.AddHubSpot();           // Hub.Crm: a client per HubSpot:Connections:{name}, for parity
builder.AddApiAccess();        // Access/: JWT or operator token; read and operate policies; 401/403 as problem details
builder.AddApiReference();     // Reference/: the OpenAPI document and its browsable reference
// A request that does not bind (fromVersion=abc) is a 400 problem in every environment, not a Development-only exception page.
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = false);
// The event store, read only: the same store settings as Hub.Projections, no daemon, no schema changes.
builder.Services.AddMarten(store => EventStoreSetup.Configure(store, AutoCreate.None)).UseNpgsqlDataSource().UseLightweightSessions();

var app = builder.Build();
app.MapServiceDefaults();
app.UseApiAccess();
app.MapApiReference();
app.MapStatusEndpoints();      // Status/: shard progress against the high-water mark
app.MapRecordEndpoints();      // Records/: a record's state and event history
app.MapErrorQueueReplayEndpoints();   // Replay/: failed messages back from a MassTransit error queue (operate)
app.MapReadModelRebuildEndpoints();   // HubSpot/: rebuild a read model beside the live one (operate), and its progress
app.MapHubSpotParityEndpoints();      // HubSpot/: the sources against HubSpot, field by field
app.MapHubSpotSyncEndpoints();        // HubSpot/: per resource in sync, pending, parked
app.MapFieldHistoryEndpoints();       // HubSpot/: why HubSpot holds a value (changes, two-way decisions, pushes)
app.Run();

/// <summary>Entry point marker for the test host.</summary>
public partial class Program;
