using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Hub.Testing;

/// <summary>
/// The containers a test assembly starts when no servers are configured: one PostgreSQL and one RabbitMQ, started on
/// first use and removed when the process exits. Image names are the official ones; on machines without a registry
/// <c>scripts/docker.sh</c> builds images under those names from Debian packages.
/// </summary>
public static class TestContainers
{
    public const string PostgresImage = "postgres:15";
    public const string RabbitMqImage = "rabbitmq:3-management";

    /// <summary>Label on every container the tests start, so a run's leftovers can be found (<c>scripts/test.sh</c> removes them).</summary>
    public const string RunLabel = "integration-hub.test-run";

    internal static readonly Lazy<Task<string>> Postgres = new(async () =>
    {
        var container = PostgresBuilder().Build();
        await StartAsync(container);
        return container.GetConnectionString();
    });

    internal static readonly Lazy<Task<(Uri Amqp, Uri Management)>> RabbitMq = new(async () =>
    {
        var container = new RabbitMqBuilder(RabbitMqImage)
            .WithUsername("hub")
            .WithPassword(Secret())
            .WithPortBinding(15672, assignRandomHostPort: true)
            .WithLabel(RunLabel, RunId)
            .Build();
        await StartAsync(container);
        return (new Uri(container.GetConnectionString()), new UriBuilder("http", container.Hostname, container.GetMappedPublicPort(15672)).Uri);
    });

    private static readonly List<IContainer> Started = [];

    /// <summary>Tells leftovers of this run apart from another's: <c>HUB_TEST_RUN</c> when the test script sets it.</summary>
    public static string RunId { get; } = Environment.GetEnvironmentVariable("HUB_TEST_RUN") is { Length: > 0 } run ? run : "manual";

    /// <summary>
    /// A PostgreSQL as the hub needs it: durable commits (the module turns fsync off by default, which the event store
    /// refuses) and idle transactions ended after a minute, as in deployment (ADR 0008).
    /// </summary>
    public static PostgreSqlBuilder PostgresBuilder() => new PostgreSqlBuilder(PostgresImage)
        .WithUsername("hub")
        .WithPassword(Secret())
        .WithCommand("-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "max_connections=300",
            "-c", "idle_in_transaction_session_timeout=60s")
        .WithLabel(RunLabel, RunId);

    // Random like a real deployment's, so a test that looks for leaked credentials cannot match a default word.
    private static string Secret() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));

    private static async Task StartAsync(IContainer container)
    {
        lock (Started)
        {
            if (Started.Count == 0)
                AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveAll();
            Started.Add(container);
        }

        await container.StartAsync();
    }

    // Ryuk (Testcontainers' reaper) cannot be pulled where there is no registry, so the process removes its own.
    private static void RemoveAll()
    {
        IContainer[] containers;
        lock (Started)
            containers = [.. Started];
        Task.WaitAll([.. containers.Select(c => c.DisposeAsync().AsTask())], TimeSpan.FromSeconds(30));
    }
}
