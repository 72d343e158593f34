using Hub.Crm.HubSpot;
using Hub.Ingest.HubSpot;
using Hub.Ingest.Observations;
using Hub.Ingest.Polling;
using Hub.Ingest.Storage;
using Hub.Ingest.Webhooks;
using Hub.ServiceDefaults;
using Hub.ServiceDefaults.Http;
using Hub.ServiceDefaults.Messaging;
using Hub.ServiceDefaults.Postgres;

// Hub.Ingest: pollers and webhook receivers turning what the sources show into observations on hub-observations.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddResilientHttpClients();
builder.AddPostgres();
builder.AddRabbitMq();
builder.Services.AddHostedService<IngestSchema>();
builder.AddObservationSending();   // Observations/: the hub-observations queue, its sender, the Hub.Ingest meter
builder.AddPolling();              // Connections/, Propstreet/, PropertyFinder/, Budget/, Checkpoints/, Leadership/
builder.AddHubSpot();              // Hub.Crm: a HubSpotClient per HubSpot:Connections:{name} (two-way portals are watched)
builder.AddHubSpotPolling();       // HubSpot/: search polling of the two-way HubSpot connections
builder.AddWebhookReceivers();     // Webhooks/: receivers per connection, HubSpot's per two-way connection, parked deliveries

var app = builder.Build();
app.MapServiceDefaults();
app.MapWebhookReceivers();
app.Run();

/// <summary>Entry point marker for the test host.</summary>
public partial class Program;
