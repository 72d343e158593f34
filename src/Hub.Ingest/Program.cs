using Hub.Ingest.Storage;
using Hub.Ingest.Webhooks;
using Hub.ServiceDefaults;
using Hub.ServiceDefaults.Messaging;
using Hub.ServiceDefaults.Postgres;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddPostgres();
builder.AddRabbitMq();
builder.Services.AddHostedService<IngestSchema>();
builder.AddWebhookReceivers();

var app = builder.Build();
app.MapServiceDefaults();
app.MapWebhookReceivers();
app.Run();

/// <summary>Entry point marker for the test host.</summary>
public partial class Program;
