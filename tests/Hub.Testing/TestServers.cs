namespace Hub.Testing;

/// <summary>
/// Where the tests find their real servers: the ones named by <c>ConnectionStrings__Postgres</c> and
/// <c>ConnectionStrings__RabbitMq</c> when those are set, else a PostgreSQL and a RabbitMQ container that this test
/// assembly starts on first use (Testcontainers) and removes when it exits. Test classes isolate themselves inside
/// them: a database each (<see cref="PostgresDatabase"/>), a virtual host each (<see cref="RabbitMqVirtualHost"/>).
/// </summary>
public static class TestServers
{
    public const string PostgresVariable = "ConnectionStrings__Postgres";
    public const string RabbitMqVariable = "ConnectionStrings__RabbitMq";

    /// <summary>Base URL of the RabbitMQ management API of configured servers (default: the AMQP host, port 15672).</summary>
    public const string RabbitMqManagementVariable = "ConnectionStrings__RabbitMqManagement";

    /// <summary>Npgsql connection string of a server where the tests may create and drop databases.</summary>
    public static string Postgres => Configured(PostgresVariable) ?? TestContainers.Postgres.Value.GetAwaiter().GetResult();

    /// <summary>AMQP URI (amqp://user:pass@host:port/vhost) of a RabbitMQ node the tests may use.</summary>
    public static Uri RabbitMq => Configured(RabbitMqVariable) is { } uri ? new Uri(uri) : TestContainers.RabbitMq.Value.GetAwaiter().GetResult().Amqp;

    /// <summary>The management API of that node, where virtual hosts are made.</summary>
    public static Uri RabbitMqManagement =>
        Configured(RabbitMqManagementVariable) is { } management ? new Uri(management)
        : Configured(RabbitMqVariable) is { } amqp ? new UriBuilder("http", new Uri(amqp).Host, 15672).Uri
        : TestContainers.RabbitMq.Value.GetAwaiter().GetResult().Management;

    private static string? Configured(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null;
}
