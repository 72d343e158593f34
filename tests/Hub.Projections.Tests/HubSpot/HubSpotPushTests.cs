using System.Globalization;
using System.Text.Json;
using Hub.Crm.HubSpot;
using Hub.EventStore;
using Hub.EventStore.Writing;
using Hub.Ingest.Tests.Hosting;
using Hub.Projections.HubSpot;
using Hub.Projections.Records;
using Hub.ServiceDefaults.Http;
using Hub.ServiceDefaults.Postgres;
using Hub.Sync.HubSpot;
using Hub.Sync.Records;
using Hub.Testing;
using JasperFx;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hub.Projections.Tests.HubSpot;

/// <summary>
/// The push driven one page at a time, with the read model held where a test needs it: the store as Hub.Projections
/// configures it, the HubSpot read model's daemon agent started and stopped by the test, the real sandbox.
/// </summary>
public sealed class HubSpotPushTests : IAsyncLifetime
{
    private const string Connection = "main";
    private const string StreamKey = "propstreet-contact-c-1";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly ShardName ReadModel = new(HubSpotRecordProjection.ProjectionName, "All", 1);

    private PostgresDatabase _database = null!;
    private SandboxHost _sandbox = null!;
    private WebApplication _hub = null!;
    private DocumentStore _store = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync(nameof(HubSpotPushTests));
        _sandbox = SandboxHost.Start(new Dictionary<string, string?> { ["Sandbox:Sizes:Contacts"] = "1" });
        _store = DocumentStore.For(options =>
        {
            EventStoreSetup.Configure(options, AutoCreate.All);
            options.Connection(_database.ConnectionString);
            options.AddRecordStreams().AddHubSpotReadModel();
        });

        var builder = WebApplication.CreateBuilder();
        builder.Configuration["ConnectionStrings:Postgres"] = _database.ConnectionString;
        builder.Configuration[$"{HubSpotConnection.Section}:{Connection}:BaseUrl"] = _sandbox.BaseUrl.ToString();
        builder.Configuration[$"{HubSpotConnection.Section}:{Connection}:AccessToken"] = "sandbox-hubspot-token";
        builder.AddPostgres();
        builder.AddResilientHttpClients();
        builder.AddHubSpot();
        _hub = builder.Build();
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _store.Dispose();
        await _sandbox.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_contact_deleted_in_the_page_after_its_first_push_is_archived_though_the_read_model_has_not_folded_that_push_yet()
    {
        var client = _hub.Services.GetRequiredService<HubSpotClients>()[Connection];
        var writer = new EventWriter(_store, TimeProvider.System, NullLogger<EventWriter>.Instance);

        // One observation saw the contact created and deleted; the read model folds both (deleted, no HubSpot id yet).
        var at = DateTimeOffset.Parse("2025-01-10T00:00:00Z", CultureInfo.InvariantCulture);
        var fields = JsonSerializer.SerializeToElement(new { id = "c-1", firstName = "Anita", lastName = "Eriksson", email = "anita@example.com", updatedUtc = at });
        await writer.WriteAsync("observation", [new StreamEvents(StreamKey,
        [
            new PendingEvent(Guid.NewGuid(), new RecordCreated("propstreet", Connection, "contact", "c-1", at, null, "W/\"1\"", fields)),
            new PendingEvent(Guid.NewGuid(), new RecordDeleted("propstreet", Connection, "contact", "c-1", at.AddDays(1), at.AddDays(1), "W/\"2\"",
                JsonSerializer.SerializeToElement(new { updatedUtc = at.AddDays(1) }), [], Unseen: false)),
        ], 0)]);
        using var daemon = await _store.BuildProjectionDaemonAsync();
        await daemon.StartAgentAsync(ReadModel.Identity, CancellationToken.None);
        await daemon.WaitForNonStaleData(Timeout);
        await daemon.StopAgentAsync(ReadModel.Identity);

        // The page holding the creation was pushed: HubSpot made the contact, and that outcome was appended after the
        // page holding the deletion was cut, so the read model has not folded it when that page comes.
        await using (var session = _store.QuerySession())
        {
            var created = (await session.Events.FetchStreamAsync(StreamKey))[0];
            var asCreated = HubSpotRecord.Observed(null, SourceRecord.Fold(null, StreamKey, created.Data, 1), 1);
            var upsert = Assert.Single((await client.UpsertAsync(HubSpotObjectTypes.Contacts, HubSpotMapping.PropstreetId,
                [new HubSpotUpsert("c-1", asCreated.Target!.Properties.ToDictionary(p => p.Key, p => (string?)p.Value))])).Records);
            await writer.WriteAsync("first-page-outcome", [new StreamEvents(StreamKey,
                [new PendingEvent(Guid.NewGuid(), new HubSpotPushed(Connection, upsert.HubSpotId!, asCreated.Hash!, 1, DateTimeOffset.UtcNow))], 2)]);
        }

        // Live in HubSpot before the page with the deletion is pushed.
        var hubSpotId = Assert.Single(await client.ReadAsync(HubSpotObjectTypes.Contacts, HubSpotMapping.PropstreetId, ["c-1"], [])).Id;

        // The push takes the page with the deletion while the read model is still one event short of the stream.
        await using var operations = _store.LightweightSession();
        var events = await operations.Events.FetchStreamAsync(StreamKey);
        var page = new EventRange(new ShardName(HubSpotPush.SubscriptionName(Connection), "All", 1), events[0].Sequence, events[1].Sequence, null!)
        {
            Events = [events[1]],
        };
        var push = new HubSpotPush(client, new Lazy<EventWriter>(writer), TimeProvider.System, NullLogger<HubSpotPush>.Instance);
        var pushing = push.ProcessEventsAsync(page, null!, operations, CancellationToken.None);
        await daemon.StartAgentAsync(ReadModel.Identity, CancellationToken.None);
        await pushing.WaitAsync(Timeout);

        Assert.Empty(await client.ReadAsync(HubSpotObjectTypes.Contacts, null, [hubSpotId], []));
        await daemon.WaitForNonStaleData(Timeout);
        await using var query = _store.QuerySession();
        var record = await query.LoadAsync<HubSpotRecord>(StreamKey);
        Assert.Equal(hubSpotId, record!.On(Connection)!.HubSpotId);
        Assert.False(record.PendingOn(Connection));
    }
}
