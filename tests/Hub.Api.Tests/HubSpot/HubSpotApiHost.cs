extern alias api;
extern alias projections;

using System.Net.Http.Headers;
using Hub.EventStore;
using Hub.Ingest.Tests.Hosting;
using JasperFx;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using projections::Hub.Projections.HubSpot;
using projections::Hub.Projections.Records;

namespace Hub.Api.Tests.HubSpot;

/// <summary>
/// <see cref="ApiHost"/> with one HubSpot connection, <see cref="Connection"/>, on the real sandbox's HubSpot (on
/// Kestrel), and the HubSpot read model's schema applied, so tests seed read-model documents the way the
/// Projections host writes them.
/// </summary>
public sealed class HubSpotApiHost : IAsyncLifetime
{
    public const string Connection = "main";

    private WebApplicationFactory<api::Program>? _factory;

    public ApiHost Api { get; } = new();

    public SandboxHost Sandbox { get; private set; } = null!;

    /// <summary>Hub.Projections' store settings: record streams and the HubSpot read model.</summary>
    public IDocumentStore Store { get; private set; } = null!;

    /// <summary>Hub.Api with <c>HubSpot:Connections:main</c> pointing at the sandbox.</summary>
    public WebApplicationFactory<api::Program> Factory => _factory ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        await Api.InitializeAsync();
        Sandbox = SandboxHost.Start(new Dictionary<string, string?> { ["Sandbox:HubSpot:SearchVisibilityDelayMs"] = "0" });
        Store = DocumentStore.For(store =>
        {
            store.Connection(Api.Database.ConnectionString);
            EventStoreSetup.Configure(store, AutoCreate.CreateOrUpdate);
            store.AddRecordStreams().AddHubSpotReadModel();
        });
        await Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        _factory = Api.Factory.WithWebHostBuilder(host =>
        {
            host.UseSetting($"HubSpot:Connections:{Connection}:BaseUrl", Sandbox.BaseUrl.ToString());
            host.UseSetting($"HubSpot:Connections:{Connection}:AccessToken", "sandbox-hubspot-token");
        });
        _ = _factory.Server;
    }

    public HttpClient Client(string? bearer)
    {
        var client = Factory.CreateClient();
        if (bearer is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
            await _factory.DisposeAsync();
        Store?.Dispose();
        if (Sandbox is not null)
            await Sandbox.DisposeAsync();
        await Api.DisposeAsync();
    }
}
