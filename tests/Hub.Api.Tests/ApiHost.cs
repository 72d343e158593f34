extern alias api;
extern alias projections;

using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using Hub.EventStore;
using Hub.Testing;
using JasperFx;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using projections::Hub.Projections.Records;

namespace Hub.Api.Tests;

/// <summary>
/// The real Hub.Api in-process on a database and a virtual host of its own, with the event store schema applied
/// (the Projections host's store settings and record types) and both ways in configured: a read and an operate
/// operator token, and JWT validation against a symmetric key only this fixture knows.
/// </summary>
public sealed class ApiHost : IAsyncLifetime
{
    public const string Issuer = "https://identity.hub.test/";
    public const string Audience = "integration-hub-api";

    private WebApplicationFactory<api::Program>? _factory;

    public string ReadToken { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    public string OperateToken { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    public byte[] SigningKey { get; } = RandomNumberGenerator.GetBytes(32);

    public PostgresDatabase Database { get; private set; } = null!;

    public RabbitMqVirtualHost Broker { get; private set; } = null!;

    /// <summary>A store like Hub.Projections': appends here go through the real inline record projection.</summary>
    public IDocumentStore Store { get; private set; } = null!;

    public WebApplicationFactory<api::Program> Factory => _factory ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        Database = await PostgresDatabase.CreateAsync("api");
        Broker = await RabbitMqVirtualHost.CreateAsync("api");
        Store = DocumentStore.For(store =>
        {
            store.Connection(Database.ConnectionString);
            EventStoreSetup.Configure(store, AutoCreate.CreateOrUpdate);
            store.AddRecordStreams();
        });
        await Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();

        _factory = new WebApplicationFactory<api::Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("ConnectionStrings:Postgres", Database.ConnectionString);
            host.UseSetting("ConnectionStrings:RabbitMq", Broker.Amqp.ToString());
            host.UseSetting("Api:Tokens:0:Token", ReadToken);
            host.UseSetting("Api:Tokens:0:Role", "read");
            host.UseSetting("Api:Tokens:1:Token", OperateToken);
            host.UseSetting("Api:Tokens:1:Role", "operate");
            host.UseSetting("Api:Jwt:Issuer", Issuer);
            host.UseSetting("Api:Jwt:Audience", Audience);
            host.UseSetting("Api:Jwt:SigningKeys:0", Convert.ToBase64String(SigningKey));
        });
        _ = _factory.Server; // starts it
    }

    /// <summary>A client that sends <paramref name="bearer"/> (an operator token or a JWT), or nothing.</summary>
    public HttpClient Client(string? bearer = null)
    {
        var client = Factory.CreateClient();
        if (bearer is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    /// <summary>A JWT as the identity provider would issue it; every part can be made wrong.</summary>
    public string Jwt(
        IReadOnlyList<string> roles, TimeSpan? expiresIn = null, byte[]? key = null, string audience = Audience, string issuer = Issuer)
    {
        var now = DateTime.UtcNow;
        var expires = now + (expiresIn ?? TimeSpan.FromMinutes(10));
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", "operator@hub.test"), .. roles.Select(r => new Claim("roles", r))]),
            IssuedAt = expires < now ? expires - TimeSpan.FromMinutes(10) : now,
            NotBefore = expires < now ? expires - TimeSpan.FromMinutes(10) : now,
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? SigningKey), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
            await _factory.DisposeAsync();
        Store?.Dispose();
        if (Broker is not null)
            await Broker.DisposeAsync();
        if (Database is not null)
            await Database.DisposeAsync();
    }
}
