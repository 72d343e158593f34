using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.ServiceDefaults.Messaging;

public static class RabbitMqSetup
{
    public const string ConnectionStringName = "RabbitMq";

    /// <summary><c>RabbitMq:QuorumQueues=true</c>: every queue the hub declares is a quorum queue (a clustered broker).</summary>
    public static bool QuorumQueues(IConfiguration configuration) => configuration.GetValue("RabbitMq:QuorumQueues", false);

    /// <summary>
    /// MassTransit on RabbitMQ at <c>ConnectionStrings:RabbitMq</c> (an <c>amqp://user:pass@host:port/vhost</c> URI).
    /// MassTransit registers its own bus health check, tagged <c>ready</c>, which <c>/health/ready</c> runs: it reports
    /// whether this bus and its receive endpoints are connected, which a separate probe connection
    /// (AspNetCore.HealthChecks.Rabbitmq) cannot tell.
    /// </summary>
    public static WebApplicationBuilder AddRabbitMq(this WebApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configure = null)
    {
        var uri = builder.Configuration.GetConnectionString(ConnectionStringName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not configured (environment variable ConnectionStrings__{ConnectionStringName}).");
        var amqp = new Uri(uri);
        var credentials = amqp.UserInfo.Split(':', 2).Select(Uri.UnescapeDataString).ToArray();

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            configure?.Invoke(bus);
            if (QuorumQueues(builder.Configuration))
            {
                // Receivers and senders must declare the same x-queue-type, or the broker refuses the second.
                bus.AddConfigureEndpointsCallback((_, _, endpoint) =>
                {
                    if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                        rabbit.SetQuorumQueue();
                });
            }

            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(amqp.Host, (ushort)(amqp.IsDefaultPort ? 5672 : amqp.Port), VirtualHost(amqp), host =>
                {
                    if (credentials.Length == 2)
                    {
                        host.Username(credentials[0]);
                        host.Password(credentials[1]);
                    }
                });
                rabbit.ConfigureEndpoints(context);
            });
        });
        builder.Services.Configure<MassTransitHostOptions>(options =>
        {
            // Start without waiting for the broker; readiness reports it until it answers.
            options.WaitUntilStarted = false;
            options.StopTimeout = TimeSpan.FromSeconds(15);
        });
        return builder;
    }

    private static string VirtualHost(Uri amqp)
    {
        var path = Uri.UnescapeDataString(amqp.AbsolutePath.TrimStart('/'));
        return path.Length == 0 ? "/" : path;
    }
}
