using Hub.Ingest.Storage;
using Hub.ServiceDefaults;
using Hub.ServiceDefaults.Http;
using Hub.ServiceDefaults.Messaging;
using Hub.ServiceDefaults.Postgres;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddResilientHttpClients();
builder.AddPostgres();
builder.AddRabbitMq();
builder.Services.AddHostedService<IngestSchema>();

var app = builder.Build();
app.MapServiceDefaults();
app.Run();

/// <summary>Entry point marker for the test host.</summary>
public partial class Program;
