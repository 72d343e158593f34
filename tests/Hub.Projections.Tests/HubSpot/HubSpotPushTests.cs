using System.Globalization;
using System.Net.Http.Json;
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
using Hub.Sync.TwoWay;
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
    private static readonly string[] FirstTags = ["first"];
    private static readonly string[] PropstreetTags = ["from-propstreet"];
    private static readonly ShardName ReadModel = new(HubSpotRecordProjection.ProjectionName, "All", 1);

    private PostgresDatabase _database = null!;
    private SandboxHost _sandbox = null!;
    private WebApplication? _hub;
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
    }

    /// <summary>The connection's HubSpot client as Hub.Projections builds it, against the sandbox.</summary>
    private HubSpotClient Client(bool twoWay = false)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["ConnectionStrings:Postgres"] = _database.ConnectionString;
        builder.Configuration[$"{HubSpotConnection.Section}:{Connection}:BaseUrl"] = _sandbox.BaseUrl.ToString();
        builder.Configuration[$"{HubSpotConnection.Section}:{Connection}:AccessToken"] = "sandbox-hubspot-token";
        builder.Configuration[$"{HubSpotConnection.Section}:{Connection}:TwoWay"] = twoWay ? "true" : "false";
        builder.AddPostgres();
        builder.AddResilientHttpClients();
        builder.AddHubSpot();
        _hub = builder.Build();
        return _hub.Services.GetRequiredService<HubSpotClients>()[Connection];
    }

    public async Task DisposeAsync()
    {
        if (_hub is not null)
            await _hub.DisposeAsync();
        _store.Dispose();
        await _sandbox.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_contact_deleted_in_the_page_after_its_first_push_is_archived_though_the_read_model_has_not_folded_that_push_yet()
    {
        var client = Client();
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
        var page = Page([events[1]]);
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

    [Fact]
    public async Task A_push_planned_before_a_two_way_decision_still_sends_the_value_Propstreet_won()
    {
        var client = Client(twoWay: true);
        var writer = new EventWriter(_store, TimeProvider.System, NullLogger<EventWriter>.Instance);
        var push = new HubSpotPush(client, new Lazy<EventWriter>(writer), TimeProvider.System, NullLogger<HubSpotPush>.Instance);
        using var daemon = await _store.BuildProjectionDaemonAsync();
        await daemon.StartAgentAsync(ReadModel.Identity, CancellationToken.None);
        var at = DateTimeOffset.Parse("2025-01-10T00:00:00Z", CultureInfo.InvariantCulture);

        // Pushed once: both sides agree on the first name and the tags.
        await writer.WriteAsync("observed", [new StreamEvents(StreamKey, [new PendingEvent(Guid.NewGuid(), new RecordCreated("propstreet", Connection, "contact", "c-1", at, null, "W/\"1\"",
            JsonSerializer.SerializeToElement(new { id = "c-1", firstName = "Anita", lastName = "Eriksson", email = "anita@example.com", tags = FirstTags, updatedUtc = at })))], 0)]);
        await PushStreamAsync(push, daemon, fromVersion: 1);
        var hubSpotId = Assert.Single(await client.ReadAsync(HubSpotObjectTypes.Contacts, HubSpotMapping.PropstreetId, ["c-1"], [])).Id;

        // Both sides edit: a HubSpot user the tags; Propstreet the first name and the tags.
        using (var edited = await _sandbox.Control.PatchAsJsonAsync(new Uri($"/_sandbox/hubspot/objects/contacts/{hubSpotId}", UriKind.Relative),
                   new { properties = new Dictionary<string, string> { [ContactFields.Tags] = "from-hubspot" } }))
            edited.EnsureSuccessStatusCode();
        await writer.WriteAsync("edited", [new StreamEvents(StreamKey, [new PendingEvent(Guid.NewGuid(), new RecordUpdated("propstreet", Connection, "contact", "c-1", at.AddDays(1), null, "W/\"2\"",
            JsonSerializer.SerializeToElement(new { firstName = "Only-Propstreet", tags = PropstreetTags, updatedUtc = at.AddDays(1) }), []))], 2)]);
        await daemon.WaitForNonStaleData(Timeout);

        // The push plans on the edit and sends the first name (HubSpot's tags are its own change). While HubSpot takes
        // its time, the two-way rule decides HubSpot's change: Propstreet owns tags. The push's outcome lands after it.
        // The sandbox counts a read once it has served it (after the latency), so a count above the test's own reads
        // means the push has planned and waits on its write.
        var readsBefore = await HubSpotRequestsAsync("batch/read");
        await _sandbox.SetFaultsAsync(new { latency = "00:00:03" });
        var pushing = PushStreamAsync(push, daemon, fromVersion: 3, toVersion: 3);
        await ProjectionsHost.WaitUntilAsync(async () => await HubSpotRequestsAsync("batch/read") > readsBefore, seconds: 30);
        await writer.WriteAsync("decided", [new StreamEvents(StreamKey, [new PendingEvent(Guid.NewGuid(), new SyncDecided(Connection, hubSpotId,
        [
            new FieldDecision(ContactFields.FirstName, Winner.Propstreet, DecisionRule.OnlyPropstreetChanged, "Only-Propstreet", "Anita", "Anita", at.AddDays(1), at, "Propstreet changed it."),
            new FieldDecision(ContactFields.Tags, Winner.Propstreet, DecisionRule.Owner, "from-propstreet", "from-hubspot", "first", at.AddDays(1), DateTimeOffset.UtcNow, "Propstreet owns it."),
        ], null, 3, 2, DateTimeOffset.UtcNow))], 3)]);
        await pushing.WaitAsync(Timeout);
        await _sandbox.ClearFaultsAsync();
        var afterRace = Assert.Single(await client.ReadAsync(HubSpotObjectTypes.Contacts, null, [hubSpotId], [ContactFields.FirstName, ContactFields.Tags])).Properties;
        Assert.Equal(("Only-Propstreet", "from-hubspot"), (afterRace[ContactFields.FirstName], afterRace[ContactFields.Tags]));

        // The next page (the decision and the outcome) sends the tags the decision gave Propstreet.
        await PushStreamAsync(push, daemon, fromVersion: 4);
        var held = Assert.Single(await client.ReadAsync(HubSpotObjectTypes.Contacts, null, [hubSpotId], [ContactFields.FirstName, ContactFields.Tags])).Properties;
        Assert.Equal("from-propstreet", held[ContactFields.Tags]);
        Assert.Equal("Only-Propstreet", held[ContactFields.FirstName]);
        await daemon.WaitForNonStaleData(Timeout);
        await using var query = _store.QuerySession();
        Assert.False((await query.LoadAsync<HubSpotRecord>(StreamKey))!.PendingOn(Connection));
    }

    /// <summary>The push takes the stream's events from <paramref name="fromVersion"/> to <paramref name="toVersion"/> as one page, once the read model has them.</summary>
    private async Task PushStreamAsync(HubSpotPush push, IProjectionDaemon daemon, long fromVersion, long toVersion = long.MaxValue)
    {
        await daemon.WaitForNonStaleData(Timeout);
        await using var operations = _store.LightweightSession();
        var events = (await operations.Events.FetchStreamAsync(StreamKey)).Where(e => e.Version >= fromVersion && e.Version <= toVersion).ToList();
        await push.ProcessEventsAsync(Page(events), null!, operations, CancellationToken.None);
    }

    private static EventRange Page(IReadOnlyList<JasperFx.Events.IEvent> events) =>
        new(new ShardName(HubSpotPush.SubscriptionName(Connection), "All", 1), events[0].Sequence - 1, events[^1].Sequence, null!) { Events = [.. events] };

    /// <summary>Contact requests of one operation the HubSpot sandbox has served.</summary>
    private async Task<long> HubSpotRequestsAsync(string operation)
    {
        var stats = await _sandbox.HubSpotStatsAsync();
        return stats.GetProperty("objects").GetProperty(HubSpotObjectTypes.Contacts).GetProperty("requests").TryGetProperty(operation, out var count) ? count.GetInt64() : 0;
    }
}
