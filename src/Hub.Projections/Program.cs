using Hub.EventStore;
using Hub.ServiceDefaults;
using Hub.ServiceDefaults.Messaging;
using Hub.ServiceDefaults.Postgres;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddPostgres();
builder.AddRabbitMq();
// This host appends to the event store, so it owns the schema: durability check and migrations at start-up.
builder.Services.AddEventStore(
    registerTypes: _ => { },
    configure: options => builder.Configuration.GetSection("EventStore").Bind(options));

var app = builder.Build();
app.MapServiceDefaults();
app.Run();

/// <summary>Entry point marker for the test host.</summary>
public partial class Program;
