using Hub.Testing;
using Npgsql;

namespace Hub.Ingest.Tests.Hosting;

/// <summary>
/// Each test gets a database, a virtual host and a sandbox of its own; Ingest hosts it starts are stopped (and so
/// lose their leadership) before those go away.
/// </summary>
public abstract class IngestTest : IAsyncLifetime
{
    private readonly List<IngestHost> _hosts = [];

    protected PostgresDatabase Database { get; private set; } = null!;

    protected RabbitMqVirtualHost Broker { get; private set; } = null!;

    protected SentObservations Observations { get; private set; } = null!;

    protected SandboxHost Sandbox { get; private set; } = null!;

    /// <summary>Sandbox settings for this test class (sizes, rate limit).</summary>
    protected virtual IDictionary<string, string?> SandboxSettings => new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        Database = await PostgresDatabase.CreateAsync(GetType().Name);
        Broker = await RabbitMqVirtualHost.CreateAsync(GetType().Name);
        Observations = new SentObservations(Broker.Amqp);
        Sandbox = SandboxHost.Start(SandboxSettings);
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
            await host.DisposeAsync();
        await Sandbox.DisposeAsync();
        await Observations.DisposeAsync();
        await Broker.DisposeAsync();
        await Database.DisposeAsync();
    }

    protected IngestHost StartIngest(IDictionary<string, string?> settings)
    {
        var host = new IngestHost(Database.ConnectionString, Broker.Amqp, settings);
        _hosts.Add(host);
        return host.Start();
    }

    /// <summary>Stops a host the way a pod is stopped: its leadership ends with its sessions.</summary>
    protected async Task StopAsync(IngestHost host)
    {
        _hosts.Remove(host);
        await host.DisposeAsync();
    }

    protected async Task<T> ScalarAsync<T>(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(Database.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>All contacts the sandbox lists with include_deleted=true (ids), read through its control-free API.</summary>
    protected async Task<HashSet<string>> SandboxContactIdsAsync()
    {
        var ids = new HashSet<string>();
        string? cursor = null;
        do
        {
            using var response = await Sandbox.PropstreetApiAsync(HttpMethod.Get, $"/api/v1/network/contacts?page_size=500&include_deleted=true{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}");
            response.EnsureSuccessStatusCode();
            using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            foreach (var c in body.RootElement.GetProperty("data").EnumerateArray())
                ids.Add(c.GetProperty("id").GetString()!);
            var page = body.RootElement.GetProperty("page");
            cursor = page.GetProperty("hasMore").GetBoolean() ? page.GetProperty("nextCursor").GetString() : null;
        }
        while (cursor is not null);
        return ids;
    }
}
