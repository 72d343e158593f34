using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Hub.Ingest.Tests.Hosting;

/// <summary>
/// A Hub.Ingest host in-process (as a pod would run it) against the test class's database and virtual host, with
/// one Propstreet connection <c>main</c> to the sandbox unless the settings say otherwise.
/// </summary>
public sealed class IngestHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public IngestHost(string postgres, Uri rabbitMq, IDictionary<string, string?> settings)
    {
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = postgres,
            ["ConnectionStrings:RabbitMq"] = rabbitMq.ToString(),
            ["Ingest:Leadership:RetryInterval"] = "00:00:00.500",
            ["Ingest:ErrorBackoff"] = "00:00:00.500",
            ["Ingest:Http:RetryDelay"] = "00:00:00.100",
        };
        foreach (var (key, value) in settings)
            _settings[key] = value;
    }

    /// <summary>Settings for a Propstreet connection <c>main</c> polling <paramref name="resources"/>.</summary>
    public static Dictionary<string, string?> Propstreet(Uri baseUrl, int pageSize, string schedule = "00:00:01", params string[] resources)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Ingest:Connections:main:Source"] = "propstreet",
            ["Ingest:Connections:main:BaseUrl"] = baseUrl.ToString(),
            ["Ingest:Connections:main:Token"] = "hub-test-token",
            ["Ingest:Connections:main:PageSize"] = pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ingest:Connections:main:Schedule"] = schedule,
            ["Ingest:Connections:main:LookBack"] = "00:00:00",
        };
        var list = resources.Length == 0 ? ["contacts"] : resources;
        for (var i = 0; i < list.Length; i++)
            settings[$"Ingest:Connections:main:Resources:{i}"] = list[i];
        return settings;
    }

    /// <summary>Starts the host (its hosted services: schema, queue declaration, pollers).</summary>
    public IngestHost Start()
    {
        _ = Services;
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
    }
}
