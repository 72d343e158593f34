namespace Hub.Testing;

/// <summary>
/// Where the tests find their real servers. <c>scripts/test.sh</c> exports these variables after starting
/// throwaway servers; a developer with servers of their own sets them by hand and skips the script.
/// </summary>
public static class TestServers
{
    public const string PostgresVariable = "ConnectionStrings__Postgres";
    public const string RabbitMqVariable = "ConnectionStrings__RabbitMq";

    /// <summary>Npgsql connection string of a server where the tests may create and drop databases.</summary>
    public static string Postgres => Require(PostgresVariable);

    /// <summary>AMQP URI (amqp://user:pass@host:port/vhost) of a RabbitMQ node the tests may use.</summary>
    public static Uri RabbitMq => new(Require(RabbitMqVariable));

    private static string Require(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{variable} is not set. Run the tests with scripts/test.sh, which starts PostgreSQL and RabbitMQ, " +
                $"or export {variable} to point at servers of your own (see README.md).");
}
